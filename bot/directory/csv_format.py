"""The directory as one CSV file: one row per record, its kind in the `type` column.

Spreadsheets open and save it: a UTF-8 byte-order mark is accepted, and so is `;` as the
delimiter (what Excel writes in Bosnian, Croatian and Serbian locales). Columns that do not
apply to a row's type stay empty; docs/directory.md lists them."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from bot.directory.entries import FIELDS, Directory, RawEntry, ResponderEntry, Where

COLUMNS = (
    "type",
    "code",
    "name",
    "role",
    "organisation",
    "municipality",
    "school",
    "kind",
    "backup",
    "language",
    "phone",
    "telegram_chat_id",
    "channels",
    "on_duty",
    "active",
    "sample",
)
_FLAGS = {"backup", "active", "sample"}
_TRUE = {"true", "yes", "1", "da"}
_FALSE = {"false", "no", "0", "ne"}


def _cell(name: str, text: str) -> Any:
    """Flags become booleans; anything else stays text for the checks to judge."""
    lowered = text.lower()
    if name in _FLAGS and lowered in _TRUE | _FALSE:
        return lowered in _TRUE
    return text


def read_csv(path: Path) -> tuple[list[RawEntry], list[str]]:
    """The entries of a directory CSV file and the problems of its structure."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return [], [f"{path.name}:1: not UTF-8 text (save the CSV as UTF-8)"]
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    unknown = [c for c in reader.fieldnames or [] if c not in COLUMNS]
    if not reader.fieldnames or "type" not in reader.fieldnames or unknown:
        detail = f"unknown columns {', '.join(unknown)}" if unknown else "no 'type' column"
        return [], [f"{path.name}:1: {detail} (columns: {', '.join(COLUMNS)})"]
    entries, errors = [], []
    for row in reader:
        where = Where(path.name, reader.line_num)
        if None in row:
            errors.append(f"{where}: more cells than columns")
            continue
        cells = {k: (v or "").strip() for k, v in row.items()}
        entry_type = cells.pop("type").lower()
        if not entry_type and not any(cells.values()):
            continue  # an empty line
        if entry_type not in FIELDS:
            errors.append(f"{where}: unknown type '{entry_type}' (expected {', '.join(FIELDS)})")
            continue
        fields = {k: _cell(k, v) for k, v in cells.items() if v}
        entries.append(RawEntry(entry_type, fields, where))
    return entries, errors


def _responder_row(entry: ResponderEntry) -> dict[str, Any]:
    return {
        "type": entry.type,
        "code": entry.code,
        "name": entry.name,
        "role": entry.role,
        "organisation": entry.organisation,
        "school": entry.school,
        "municipality": entry.municipality if entry.type != "staff" else None,
        "backup": entry.backup,
        "language": entry.language,
        "phone": entry.phone,
        "telegram_chat_id": entry.telegram_chat_id,
        "channels": " ".join(entry.channels),
        "on_duty": entry.on_duty,
        "active": entry.active,
        "sample": entry.sample,
    }


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def dump_csv(directory: Directory) -> str:
    """The CSV text of a directory, in the order municipalities, schools, staff (school by
    school), coordinators, services (phones only where the entries carry them)."""
    rows: list[dict[str, Any]] = [
        {"type": "municipality", "code": m.code, "name": m.name} for m in directory.municipalities
    ]
    rows += [
        {
            "type": "school",
            "code": s.code,
            "name": s.name,
            "municipality": s.municipality,
            "kind": s.kind,
            "sample": s.sample,
        }
        for s in directory.schools
    ]
    for entry_type in ("staff", "coordinator", "service"):
        rows += [_responder_row(r) for r in directory.responders if r.type == entry_type]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: _text(row.get(column)) for column in COLUMNS})
    return out.getvalue()
