"""Directory entries: as a file gives them (`RawEntry`, which remembers where it came from)
and as bot.directory.checks returns them, typed. Nothing here touches the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.directory.duty_hours import ALWAYS

COUNSELLOR_ROLES = ("pedagogue", "psychologist")
ROLES: dict[str, tuple[str, ...]] = {
    "staff": (*COUNSELLOR_ROLES, "principal"),
    # Canton-wide people: the coordinator, and the administrator of the directory and the
    # console's accounts (never alerted, never shown a case).
    "coordinator": ("coordinator", "administrator"),
    "service": ("red_cross_duty", "red_cross_psychosocial", "legal_aid", "social_welfare", "police"),
}
# The role an entry without one has (a `coordinators:` entry is the coordinator).
DEFAULT_ROLES = {"coordinator": "coordinator"}
CHANNELS = ("telegram", "sms")
LANGUAGES = ("bcs", "en")
LABELS = {
    "municipality": "municipality",
    "school": "school",
    "staff": "staff entry",
    "coordinator": "coordinator",
    "service": "service",
}

_RESPONDER_FIELDS = (
    "code",
    "role",
    "name",
    "organisation",
    "municipality",
    "backup",
    "language",
    "phone",
    "telegram_chat_id",
    "channels",
    "on_duty",
    "active",
    "sample",
)
# The fields of each entry type, with references to the parent spelled out (`school` of a
# staff entry, `municipality` of a school) as in CSV; YAML gives those by nesting.
FIELDS: dict[str, tuple[str, ...]] = {
    "municipality": ("code", "name"),
    "school": ("code", "name", "municipality", "kind", "sample"),
    "staff": (
        "code",
        "role",
        "name",
        "school",
        "backup",
        "language",
        "phone",
        "telegram_chat_id",
        "channels",
        "on_duty",
        "active",
        "sample",
    ),
    "coordinator": _RESPONDER_FIELDS,
    "service": _RESPONDER_FIELDS,
}


@dataclass(frozen=True)
class Where:
    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class RawEntry:
    """One record as read: its type, its fields (absent or empty cells left out), and the
    line of the record and of each field."""

    type: str
    fields: dict[str, Any]
    where: Where
    field_lines: dict[str, int] = field(default_factory=dict)

    def at(self, name: str | None = None) -> Where:
        line = self.field_lines.get(name) if name else None
        return Where(self.where.path, line) if line else self.where


_NOWHERE = Where("<database>", 0)


@dataclass
class MunicipalityEntry:
    code: str
    name: str
    where: Where = field(default=_NOWHERE, compare=False, repr=False)


@dataclass
class SchoolEntry:
    code: str
    name: str
    municipality: str
    kind: str = "primary"
    sample: bool = False
    where: Where = field(default=_NOWHERE, compare=False, repr=False)


@dataclass
class ResponderEntry:
    type: str  # staff (of a school) | coordinator | service
    code: str
    role: str
    name: str
    organisation: str | None = None
    school: str | None = None
    municipality: str | None = None  # None for school staff and canton-wide ones
    backup: bool = False
    language: str = "bcs"
    phone: str | None = None  # E.164; None keeps the number already stored
    telegram_chat_id: str | None = None  # None keeps the enrolled chat
    channels: tuple[str, ...] = CHANNELS
    on_duty: str = ALWAYS
    active: bool = True
    sample: bool = False
    where: Where = field(default=_NOWHERE, compare=False, repr=False)


Entry = MunicipalityEntry | SchoolEntry | ResponderEntry


@dataclass
class Directory:
    municipalities: list[MunicipalityEntry] = field(default_factory=list)
    schools: list[SchoolEntry] = field(default_factory=list)
    responders: list[ResponderEntry] = field(default_factory=list)


@dataclass
class Checked:
    directory: Directory
    errors: list[str]
    warnings: list[str]
