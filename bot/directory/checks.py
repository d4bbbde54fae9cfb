"""Checking directory entries: `check` turns the readers' `RawEntry`s into typed entries and
collects every problem as `file:line: message`, so that one run shows them all."""

from __future__ import annotations

import re
from typing import Any

from bot.directory.duty_hours import ALWAYS, normalize_on_duty
from bot.directory.entries import (
    CHANNELS,
    COUNSELLOR_ROLES,
    DEFAULT_ROLES,
    FIELDS,
    LABELS,
    LANGUAGES,
    ROLES,
    Checked,
    Directory,
    Entry,
    MunicipalityEntry,
    RawEntry,
    ResponderEntry,
    SchoolEntry,
    Where,
)
from bot.directory.phones import normalize_phone

_REQUIRED = {
    "municipality": ("code", "name"),
    "school": ("code", "name", "municipality"),
    "staff": ("code", "role", "name", "school"),
    "coordinator": ("code", "name"),
    "service": ("code", "role", "name", "organisation"),
}
_MAX_CODE = {"municipality": 32}  # database column widths
_CODE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_CHAT_ID = re.compile(r"^-?\d{1,20}$")


class _Fields:
    """Reads typed values out of one raw entry, recording each problem at its line."""

    def __init__(self, raw: RawEntry, errors: list[str]) -> None:
        self.raw, self.errors, self.label = raw, errors, LABELS[raw.type]

    def error(self, name: str | None, message: str) -> None:
        self.errors.append(f"{self.raw.at(name)}: {self.label} {message}")

    def text(self, name: str, max_length: int = 200) -> str | None:
        value = self.raw.fields.get(name)
        if value is None or isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error(name, f"has a '{name}' that is not text")
            return None
        value = str(value).strip()
        if len(value) > max_length:
            self.error(name, f"has a '{name}' longer than {max_length} characters")
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = self.raw.fields.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(name, f"has '{name}: {value}' (expected true or false)")
            return default
        return value

    def choice(self, name: str, allowed: tuple[str, ...], default: str) -> str:
        value = self.text(name) or default
        if value not in allowed:
            self.error(name, f"has unknown {name} '{value}' (expected {', '.join(allowed)})")
        return value


def _code(fields: _Fields) -> str:
    code = fields.text("code", _MAX_CODE.get(fields.raw.type, 64)) or ""
    if code and not _CODE.match(code):
        fields.error("code", f"has code '{code}': use lower-case letters, digits, '-', '_' or '.'")
    return code


def _role(fields: _Fields) -> str:
    allowed = ROLES[fields.raw.type]
    role = fields.text("role") or (allowed[0] if len(allowed) == 1 else DEFAULT_ROLES.get(fields.raw.type, ""))
    if role and role not in allowed:
        home = next((t for t, roles in ROLES.items() if role in roles), None)
        hint = f"; '{role}' belongs in a {LABELS[home]}" if home else ""
        fields.error("role", f"has unknown role '{role}' (expected {', '.join(allowed)}){hint}")
    return role


def _phone(fields: _Fields) -> str | None:
    value = fields.raw.fields.get("phone")
    if value is None or isinstance(value, str) and not value.strip():
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML reads +38763123456 unquoted as an integer and drops the plus.
        fields.error("phone", 'has a phone that is not in quotes (write it as "+38763123456")')
        return None
    phone = normalize_phone(value) if isinstance(value, str) else None
    if phone is None:  # the number itself is not repeated in the message
        fields.error("phone", "has a malformed phone (expected E.164, e.g. +38763123456)")
    return phone


def _chat_id(fields: _Fields) -> str | None:
    value = fields.raw.fields.get("telegram_chat_id")
    if value is None or isinstance(value, str) and not value.strip():
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not _CHAT_ID.match(text):
        fields.error("telegram_chat_id", f"has a telegram_chat_id '{text}' that is not a number")
        return None
    return text


def _channels(fields: _Fields) -> tuple[str, ...]:
    value = fields.raw.fields.get("channels")
    if value is None:
        return CHANNELS
    items = value if isinstance(value, list) else re.split(r"[\s,;]+", str(value).strip())
    channels = tuple(str(item).strip().lower() for item in items if str(item).strip())
    for channel in channels:
        if channel not in CHANNELS:
            fields.error("channels", f"has unknown channel '{channel}' (expected {', '.join(CHANNELS)})")
    if not channels:
        fields.error("channels", "has no channels (expected telegram, sms or both)")
    elif len(set(channels)) != len(channels):
        fields.error("channels", "lists a channel twice")
    return channels


def _on_duty(fields: _Fields) -> str:
    try:
        return normalize_on_duty(fields.raw.fields.get("on_duty"))
    except ValueError as problem:
        fields.error("on_duty", f"has a malformed on_duty: {problem}")
        return ALWAYS


def _build(raw: RawEntry, errors: list[str]) -> Entry:
    """The typed entry; also when it has errors, so that duplicates and references of
    every entry are checked too (a directory with errors is never written)."""
    fields = _Fields(raw, errors)
    for name in raw.fields:
        if name not in FIELDS[raw.type]:
            fields.error(name, f"has unknown field '{name}'")
    for name in _REQUIRED[raw.type]:
        if fields.raw.fields.get(name) in (None, ""):
            fields.error(None, f"has no '{name}'")
    code = _code(fields)
    if raw.type == "municipality":
        entry: Entry = MunicipalityEntry(code, fields.text("name", 120) or "", raw.where)
    elif raw.type == "school":
        entry = SchoolEntry(
            code,
            fields.text("name") or "",
            fields.text("municipality") or "",
            fields.text("kind", 32) or "primary",
            fields.flag("sample", False),
            raw.where,
        )
    else:
        entry = ResponderEntry(
            type=raw.type,
            code=code,
            role=_role(fields),
            name=fields.text("name") or "",
            organisation=fields.text("organisation"),
            school=fields.text("school", 64),
            municipality=fields.text("municipality", 32),
            backup=fields.flag("backup", False),
            language=fields.choice("language", LANGUAGES, "bcs"),
            phone=_phone(fields),
            telegram_chat_id=_chat_id(fields),
            channels=_channels(fields),
            on_duty=_on_duty(fields),
            active=fields.flag("active", True),
            sample=fields.flag("sample", False),
            where=raw.where,
        )
    return entry


def _first_seen(entries: list[Any], group: str, errors: list[str]) -> None:
    seen: dict[str, Where] = {}
    for entry in entries:
        if not entry.code:
            continue  # reported as missing
        if entry.code in seen:
            errors.append(f"{entry.where}: duplicate {group} code '{entry.code}' (first at {seen[entry.code]})")
        seen.setdefault(entry.code, entry.where)


def _references(
    directory: Directory, known_municipalities: set[str], known_schools: set[str], errors: list[str]
) -> None:
    municipalities = known_municipalities | {m.code for m in directory.municipalities}
    schools = known_schools | {s.code for s in directory.schools}
    entries: list[SchoolEntry | ResponderEntry] = [*directory.schools, *directory.responders]
    for entry in entries:
        label = LABELS["school" if isinstance(entry, SchoolEntry) else entry.type]
        if entry.municipality and entry.municipality not in municipalities:
            errors.append(f"{entry.where}: {label} names unknown municipality '{entry.municipality}'")
        school = getattr(entry, "school", None)
        if school and school not in schools:
            errors.append(f"{entry.where}: {label} names unknown school '{school}'")


def _warnings(directory: Directory) -> list[str]:
    # Reports of a school without a primary counsellor wait for escalation.
    covered = {
        r.school for r in directory.responders if r.school and r.role in COUNSELLOR_ROLES and not r.backup and r.active
    }
    warnings = [
        f"{s.where}: warning: school '{s.code}' has no counsellor (pedagogue or psychologist) who is not a backup"
        for s in directory.schools
        if s.code not in covered
    ]
    # A message from a shared phone or chat is taken as the first responder's.
    for address in ("phone", "telegram_chat_id"):
        first: dict[str, ResponderEntry] = {}
        for r in directory.responders:
            value = getattr(r, address)
            if value and value in first:
                warnings.append(
                    f"{r.where}: warning: {LABELS[r.type]} '{r.code}' shares its {address}"
                    f" with '{first[value].code}'; messages from it count as theirs"
                )
            elif value:
                first[value] = r
    return by_line(warnings)


def check(
    raw_entries: list[RawEntry], known_municipalities: set[str] | None = None, known_schools: set[str] | None = None
) -> Checked:
    """Typed entries, all errors and warnings; the entries may be written only when there
    are no errors. `known_*` are codes already in the database, which a file that adds
    only staff may refer to."""
    errors: list[str] = []
    directory = Directory()
    for raw in raw_entries:
        entry = _build(raw, errors)
        if isinstance(entry, MunicipalityEntry):
            directory.municipalities.append(entry)
        elif isinstance(entry, SchoolEntry):
            directory.schools.append(entry)
        elif isinstance(entry, ResponderEntry):
            directory.responders.append(entry)
    _first_seen(directory.municipalities, "municipality", errors)
    _first_seen(directory.schools, "school", errors)
    _first_seen(directory.responders, "responder", errors)
    _references(directory, set(known_municipalities or ()), set(known_schools or ()), errors)
    return Checked(directory, by_line(errors), _warnings(directory))


def by_line(messages: list[str]) -> list[str]:
    """`file:line: ...` messages in the order of the file (stable within a line)."""

    def line(message: str) -> int:
        match = re.match(r"^[^:]*:(\d+):", message)
        return int(match.group(1)) if match else 0

    return sorted(messages, key=line)
