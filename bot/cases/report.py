"""A finished report as it travels from the form's slots to a case: a typed value, so that
its fields show in the code and the type checker sees them. None means "not known"; a
report never erases what a case already knows (a crisis case keeps what the crisis said)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class Report:
    incident_type: str | None = None
    discrimination_ground: str | None = None
    affected: str | None = None
    reporter_role: str | None = None
    school_id: int | None = None
    municipality_id: int | None = None
    incident_time: str | None = None
    description: str | None = None
    danger_now: str | None = None
    contact_ok: bool | None = None
    # Consent to mobile legal aid: True or False when it was asked, None when it was not.
    legal_aid_ok: bool | None = None
    language: str | None = None
    script: str | None = None
    channel: str | None = None

    @classmethod
    def from_fields(cls, values: Mapping[str, Any]) -> Report:
        """A report from named values; names that are not report fields are left out."""
        names = {f.name for f in fields(cls)}
        return cls(**{name: value for name, value in values.items() if name in names})

    def filled_from(self, values: Mapping[str, Any]) -> Report:
        """This report with its unknown fields taken from `values` (what a story says)."""
        known = Report.from_fields(values)
        return replace(
            self,
            **{
                f.name: getattr(known, f.name)
                for f in fields(self)
                if getattr(self, f.name) is None and getattr(known, f.name) is not None
            },
        )
