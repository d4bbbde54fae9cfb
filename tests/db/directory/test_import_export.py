import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import main
from bot.directory.checks import check
from bot.directory.csv_format import dump_csv
from bot.directory.import_export import (
    DirectoryError,
    export_directory,
    import_directory,
    load_directory,
)
from bot.directory.phones import phone_key
from bot.directory.store import read_directory
from bot.directory.yaml_format import dump_yaml, read_yaml
from bot.paths import DATA_DIR
from bot.privacy.sealing import unseal
from bot.storage.db import make_engine, session_scope
from bot.storage.migrate import upgrade
from bot.storage.models import Responder, School


def test_export_then_import_round_trip(session, tmp_path: Path) -> None:
    exported = export_directory(session)
    path = tmp_path / "dir.yml"
    path.write_text(yaml.safe_dump(exported, allow_unicode=True), encoding="utf-8")
    assert import_directory(session, path) == (6, len(session.query(School).all()))
    assert export_directory(session) == exported


def test_a_broken_directory_names_the_problem(session, tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text("municipalities:\n  - code: x\n", encoding="utf-8")
    with pytest.raises(DirectoryError, match=r"^bad\.yml:2: municipality has no 'name'$"):
        import_directory(session, path)


# --- staff and services (responders) -------------------------------------------------

SAMPLE = DATA_DIR / "directory.yml"


def _fresh_database(tmp_path: Path, name: str) -> str:
    url = f"sqlite:///{tmp_path / name}"
    upgrade(url)
    return url


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def test_every_sample_school_has_a_pedagogue_a_backup_psychologist_and_a_principal(db) -> None:
    for school in db.query(School).all():
        staff = {(r.role, r.is_backup) for r in db.query(Responder).filter_by(school_id=school.id)}
        assert staff == {("pedagogue", False), ("psychologist", True), ("principal", False)}, school.code
    responders = db.query(Responder).all()
    assert len(responders) == 12 * 3 + 2 + 10  # staff, the coordinator and the administrator, services
    assert all(r.is_sample and r.name.startswith("Uzorak") and r.active for r in responders)
    alerted = [r for r in responders if r.role != "administrator"]  # the administrator is never alerted
    assert all(unseal(r.sealed_phone).startswith("+38763900") for r in alerted)
    assert all(r.telegram_chat_id.startswith("7000000") for r in alerted if "telegram" in r.channels)


def test_sample_services_cover_every_role_with_different_duty_hours(db) -> None:
    services = db.query(Responder).filter_by(kind="service").all()
    assert {s.role for s in services} == {
        "red_cross_duty",
        "red_cross_psychosocial",
        "legal_aid",
        "social_welfare",
        "police",
    }
    duty_hours = {s.on_duty for s in services if s.role == "red_cross_duty"}
    assert "always" in duty_hours and len(duty_hours) >= 3
    coordinator = db.query(Responder).filter_by(role="coordinator").one()
    assert coordinator.kind == "staff" and coordinator.municipality_id is None


def test_phones_are_sealed_with_a_lookup_key_and_staff_take_the_school_municipality(db) -> None:
    pedagogue = db.query(Responder).filter_by(code="drvar-os-1-pedagogue").one()
    assert "+38763900" not in pedagogue.sealed_phone
    assert unseal(pedagogue.sealed_phone) == "+38763900101"
    assert pedagogue.phone_key == phone_key("+38763900101")
    assert pedagogue.municipality.code == "drvar" and pedagogue.school.code == "drvar-os-1"
    assert pedagogue.channels == "telegram,sms" and pedagogue.on_duty == "always"
    kupres = db.query(Responder).filter_by(code="red-cross-duty-kupres").one()
    assert kupres.on_duty == "mon-fri 15:30-07:30; sat-sun 00:00-24:00"


def test_the_sample_file_equals_what_the_database_gives_back(db) -> None:
    entries, errors = read_yaml(SAMPLE)
    checked = check(entries)
    assert errors == [] and checked.errors == [] and checked.warnings == []
    assert read_directory(db, with_phones=True) == checked.directory


def test_round_trip_yaml_database_csv_database_yaml(db, tmp_path: Path) -> None:
    first = read_directory(db, with_phones=True)
    csv_path = tmp_path / "directory.csv"
    csv_path.write_text(dump_csv(first), encoding="utf-8")
    url = _fresh_database(tmp_path, "second.db")
    with session_scope(make_engine(url)) as second_db:
        report = load_directory(second_db, csv_path)
        second = read_directory(second_db, with_phones=True)
        yaml_text = dump_yaml(second)
    assert (report.municipalities, report.schools, report.staff, report.coordinators, report.services) == (
        6,
        12,
        36,
        2,
        10,
    )
    assert second == first
    assert yaml_text == dump_yaml(first)
    yaml_path = tmp_path / "again.yml"
    yaml_path.write_text(yaml_text, encoding="utf-8")
    entries, errors = read_yaml(yaml_path)
    assert errors == [] and check(entries).directory == first


def test_export_leaves_phones_out_and_import_keeps_the_stored_ones(db, tmp_path: Path) -> None:
    exported = export_directory(db)
    text = yaml.safe_dump(exported, allow_unicode=True)
    assert "+387" not in text and "phone" not in text
    assert "+38763900011" in yaml.safe_dump(export_directory(db, with_phones=True))
    exported["municipalities"][0]["schools"][0]["staff"][0]["name"] = "Uzorak Novo Ime"
    path = tmp_path / "edited.yml"
    path.write_text(yaml.safe_dump(exported, allow_unicode=True), encoding="utf-8")
    load_directory(db, path)
    pedagogue = db.query(Responder).filter_by(code="livno-os-1-pedagogue").one()
    assert pedagogue.name == "Uzorak Novo Ime"
    assert unseal(pedagogue.sealed_phone) == "+38763900011"
    assert pedagogue.telegram_chat_id == "7000000011"


def test_a_changed_phone_is_resealed_and_found_by_its_new_key(db, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "one.yml",
        """
        municipalities: []
        coordinators:
          - {code: k10-coordinator, name: Uzorak Koordinator, phone: "+387 63 999-000", active: false}
        """,
    )
    load_directory(db, path)
    coordinator = db.query(Responder).filter_by(code="k10-coordinator").one()
    assert unseal(coordinator.sealed_phone) == "+38763999000"
    assert coordinator.phone_key == phone_key("+38763999000") and not coordinator.active


BAD_YAML = """
municipalities:
  - code: livno
    name: Livno
    schools:
      - code: s1
        name: "S1"
        staff:
          - code: a
            role: teacher
            name: A
          - {code: a, role: pedagogue, name: B, phone: "063 123"}
          - {code: c, role: pedagogue, name: C, phone: +38763123456, channels: [sms, sms]}
          - {code: d, role: psychologist, nmae: D}
services:
  - {code: x, role: police, name: X, organisation: O, municipality: mostar, on_duty: ["mon-fry 08:00-16:00"], channels: [email]}
coordinators:
  - code: k
    name: K
    backup: maybe
    language: de
    on_duty: ["mon-fri 16:00-16:00"]
extra: 1
"""  # noqa: E501  (one long YAML line is part of what is tested)


def test_every_error_is_listed_with_its_line_and_nothing_is_written(db, tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.yml", BAD_YAML)
    before = db.query(Responder).count()
    with pytest.raises(DirectoryError) as raised:
        load_directory(db, path)
    assert raised.value.errors == [
        "bad.yml:9: staff entry has unknown role 'teacher' (expected pedagogue, psychologist, principal)",
        "bad.yml:11: staff entry has a malformed phone (expected E.164, e.g. +38763123456)",
        "bad.yml:11: duplicate responder code 'a' (first at bad.yml:8)",
        'bad.yml:12: staff entry has a phone that is not in quotes (write it as "+38763123456")',
        "bad.yml:12: staff entry lists a channel twice",
        "bad.yml:13: staff entry has unknown field 'nmae'",
        "bad.yml:13: staff entry has no 'name'",
        "bad.yml:15: service has unknown channel 'email' (expected telegram, sms)",
        "bad.yml:15: service has a malformed on_duty: unknown day 'fry' (use mon, tue, wed, thu, fri, sat, sun)",
        "bad.yml:15: service names unknown municipality 'mostar'",
        "bad.yml:19: coordinator has 'backup: maybe' (expected true or false)",
        "bad.yml:20: coordinator has unknown language 'de' (expected bcs, en)",
        "bad.yml:21: coordinator has a malformed on_duty: 'mon-fri 16:00-16:00' is an empty window",
        "bad.yml:22: unknown section 'extra' (expected municipalities, coordinators, services)",
    ]
    assert "063" not in str(raised.value)  # a phone is never repeated in a message
    assert db.query(Responder).count() == before
    assert db.query(School).filter_by(code="s1").count() == 0


def test_a_school_without_a_primary_counsellor_is_a_warning(db, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "warn.yml",
        """
        municipalities:
          - code: livno
            name: Livno
            schools:
              - code: livno-os-9
                name: OŠ Uzorak 9 Livno
                staff:
                  - {code: livno-os-9-psychologist, role: psychologist, name: P, backup: true}
        """,
    )
    report = load_directory(db, path)
    assert report.warnings == (
        "warn.yml:5: warning: school 'livno-os-9' has no counsellor (pedagogue or psychologist) who is not a backup",
    )
    assert db.query(Responder).filter_by(code="livno-os-9-psychologist").one().is_backup


def test_malformed_yaml_names_its_line(db, tmp_path: Path) -> None:
    path = _write(tmp_path, "broken.yml", "municipalities:\n  - code: x\n   name: [\n")
    with pytest.raises(DirectoryError, match=r"^broken\.yml:3: not valid YAML"):
        load_directory(db, path)


def test_cli_imports_the_sample_and_exports_csv_without_phones(app_database: str, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["directory", "import"])
    assert result.exit_code == 0, result.output
    assert ("imported 6 municipalities, 12 schools, 36 school staff, 2 coordinators and 10 services") in result.output
    out = tmp_path / "export.csv"
    assert runner.invoke(main, ["directory", "export", str(out)]).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("type,code,name,role,") and "+387" not in text
    with_phones = runner.invoke(main, ["directory", "export", "--format", "csv", "--with-phones"])
    assert "+38763900011" in with_phones.output
    assert runner.invoke(main, ["directory", "import", str(out)]).exit_code == 0


def test_cli_lists_every_problem_and_imports_nothing(app_database: str, tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.yml", BAD_YAML)
    result = CliRunner().invoke(main, ["directory", "import", str(path)])
    assert result.exit_code == 1
    assert "14 problems in bad.yml, nothing imported:" in result.output
    assert "bad.yml:9: staff entry has unknown role 'teacher'" in result.output


def test_a_phone_or_chat_shared_by_two_responders_is_a_warning(db, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "shared.yml",
        """
        municipalities: []
        coordinators:
          - {code: k1, name: K1, phone: "+38763111222", telegram_chat_id: 42}
          - {code: k2, name: K2, phone: "+387 63 111 222"}
          - {code: k3, name: K3, telegram_chat_id: "42"}
        """,
    )
    assert load_directory(db, path).warnings == (
        "shared.yml:4: warning: coordinator 'k2' shares its phone with 'k1'; messages from it count as theirs",
        "shared.yml:5: warning: coordinator 'k3' shares its telegram_chat_id with 'k1'; messages from it"
        " count as theirs",
    )
