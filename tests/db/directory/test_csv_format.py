"""The directory as CSV: reading with line numbers, spreadsheet quirks, writing."""

from pathlib import Path

import pytest

from bot.directory.checks import check
from bot.directory.csv_format import COLUMNS, dump_csv, read_csv
from bot.directory.import_export import DirectoryError, load_directory
from bot.directory.store import read_directory
from bot.privacy.sealing import unseal
from bot.storage.models import Responder

HEADER = ",".join(COLUMNS)


def _csv(tmp_path: Path, *rows: str, name: str = "dir.csv", header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_staff_only_file_may_name_schools_already_in_the_database(db, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "staff,kupres-os-1-pedagogue-2,Uzorak Drugi Pedagog,pedagogue,,,kupres-os-1,,no,en,"
        "+387 63 900 555,,sms telegram,mon-fri 07:30-15:30;sat 08:00-12:00,,yes",
    )
    report = load_directory(db, path)
    assert (report.municipalities, report.schools, report.staff) == (0, 0, 1)
    added = db.query(Responder).filter_by(code="kupres-os-1-pedagogue-2").one()
    assert (added.school.code, added.municipality.code, added.language) == ("kupres-os-1", "kupres", "en")
    assert added.channels == "sms,telegram" and not added.is_backup and added.is_sample
    assert added.on_duty == "mon-fri 07:30-15:30; sat 08:00-12:00"
    assert unseal(added.sealed_phone) == "+38763900555" and added.telegram_chat_id is None


def test_excel_semicolons_and_byte_order_mark_are_accepted(db, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text(
        "\ufefftype;code;name;municipality;organisation;role;on_duty\n"
        "service;legal-aid-2;Uzorak Pravna pomoć;livno;Uzorak;legal_aid;"
        '"mon-fri 08:00-16:00; sat 09:00-13:00"\n',
        encoding="utf-8",
    )
    report = load_directory(db, path)
    assert report.services == 1
    service = db.query(Responder).filter_by(code="legal-aid-2").one()
    assert service.kind == "service" and service.municipality.code == "livno"
    assert service.on_duty == "mon-fri 08:00-16:00; sat 09:00-13:00"


def test_errors_name_the_csv_line_and_nothing_is_written(db, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "municipality,mostar,,,,,,,,,,,,,,",
        "school,m-os-1,OŠ Uzorak Mostar,,,mostar,,,,,,,,,,",
        "staff,m-os-1-p,Uzorak P,teacher,,,m-os-1,,,,,,,,,",
        "teacher,x,,,,,,,,,,,,,,",
        "staff,m-os-1-q,Uzorak Q,pedagogue,,,nowhere,,perhaps,,0631,abc,fax,always,,",
        "service,m-police,Uzorak Policija,police,,,,,,,,,,,,",
    )
    before = db.query(Responder).count()
    with pytest.raises(DirectoryError) as raised:
        load_directory(db, path)
    assert raised.value.errors == [
        "dir.csv:2: municipality has no 'name'",
        "dir.csv:4: staff entry has unknown role 'teacher' (expected pedagogue, psychologist, principal)",
        "dir.csv:5: unknown type 'teacher' (expected municipality, school, staff, coordinator, service)",
        "dir.csv:6: staff entry has 'backup: perhaps' (expected true or false)",
        "dir.csv:6: staff entry has a malformed phone (expected E.164, e.g. +38763123456)",
        "dir.csv:6: staff entry has a telegram_chat_id 'abc' that is not a number",
        "dir.csv:6: staff entry has unknown channel 'fax' (expected telegram, sms)",
        "dir.csv:6: staff entry names unknown school 'nowhere'",
        "dir.csv:7: service has no 'organisation'",
    ]
    assert db.query(Responder).count() == before


def test_a_field_that_does_not_apply_to_the_row_is_an_error(tmp_path: Path) -> None:
    path = _csv(
        tmp_path, "municipality,livno,Livno,pedagogue,,,,,,,,,,,,", "staff,s,S,principal,Org,livno,livno-os-1,,,,,,,,,"
    )
    entries, errors = read_csv(path)
    assert errors == []
    assert check(entries, {"livno"}, {"livno-os-1"}).errors == [
        "dir.csv:2: municipality has unknown field 'role'",
        "dir.csv:3: staff entry has unknown field 'organisation'",
        "dir.csv:3: staff entry has unknown field 'municipality'",
    ]


def test_unknown_columns_are_refused_at_line_one(tmp_path: Path) -> None:
    path = _csv(tmp_path, "staff,a", header="type,code,email")
    entries, errors = read_csv(path)
    assert entries == [] and errors == [f"dir.csv:1: unknown columns email (columns: {', '.join(COLUMNS)})"]


def test_the_written_csv_has_one_typed_row_per_record_and_no_phones(db) -> None:
    lines = dump_csv(read_directory(db)).splitlines()
    assert lines[0] == HEADER
    types = [line.split(",", 1)[0] for line in lines[1:]]
    assert types == ["municipality"] * 6 + ["school"] * 12 + ["staff"] * 36 + ["coordinator"] * 2 + ["service"] * 10
    assert "+387" not in "\n".join(lines)
    kupres = next(line for line in lines if line.startswith("service,red-cross-duty-kupres,"))
    assert kupres == (
        "service,red-cross-duty-kupres,Uzorak Dežurni tim Kupres,red_cross_duty,"
        "Crveni križ Kupres (uzorak),kupres,,,false,bcs,,7000000303,telegram sms,"
        "mon-fri 15:30-07:30; sat-sun 00:00-24:00,true,true"
    )
