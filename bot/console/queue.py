"""The queue: the cases a member of staff may see, open ones by deadline, with the filters
the page offers. One query with its joins, whatever the number of cases."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import case as when
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from bot.cases import access
from bot.cases.codes import normalize_case_code
from bot.cases.vocabulary import SEVERITIES
from bot.storage.models import Case, Municipality, Responder, School

PAGE_SIZE = 100
_SEVERITY_ORDER = when({s: i for i, s in enumerate(SEVERITIES)}, value=Case.severity, else_=len(SEVERITIES))


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    severity: str = ""
    school: str = ""
    municipality: str = ""
    incident_type: str = ""
    owner: str = ""
    mine: bool = False
    unassigned: bool = False
    overdue: bool = False
    code: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> QueueFilters:
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = (query.get(f.name) or "").strip()
            values[f.name] = raw in ("1", "on", "true") if f.type in ("bool", bool) else raw[:80]
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class QueueRow:
    code: str
    severity: str
    status: str
    school: str | None
    municipality: str | None
    incident_type: str | None
    crisis_kind: str | None
    owner: str | None
    deadline: datetime | None
    reported_at: datetime | None
    escalation_step: int

    def minutes_left(self, now: datetime) -> int | None:
        """Minutes to the deadline (negative once it has passed)."""
        return None if self.deadline is None else int((self.deadline - now).total_seconds() // 60)


def _filtered(responder: Responder, filters: QueueFilters, now: datetime):  # type: ignore[no-untyped-def]
    query = select(Case.id).where(access.visible_cases(responder))
    if filters.status == "closed":
        query = query.where(Case.closed_at.is_not(None))
    else:
        query = query.where(Case.closed_at.is_(None))
        if filters.status:
            query = query.where(Case.status == filters.status)
    if filters.severity:
        query = query.where(Case.severity == filters.severity)
    if filters.school:
        query = query.where(Case.school_id.in_(select(School.id).where(School.code == filters.school)))
    if filters.municipality:
        places = select(Municipality.id).where(Municipality.code == filters.municipality)
        schools = select(School.id).where(School.municipality_id.in_(places))
        query = query.where((Case.municipality_id.in_(places)) | (Case.school_id.in_(schools)))
    if filters.incident_type:
        query = query.where(Case.incident_type == filters.incident_type)
    if filters.owner:
        query = query.where(Case.owner_id.in_(select(Responder.id).where(Responder.code == filters.owner)))
    if filters.mine:
        query = query.where(Case.owner_id == responder.id)
    if filters.unassigned:
        query = query.where(Case.owner_id.is_(None))
    if filters.overdue:
        query = query.where(Case.ack_deadline_at.is_not(None), Case.ack_deadline_at < now)
    if filters.code:
        code = normalize_case_code(filters.code)
        query = query.where(Case.code == code) if code else query.where(Case.code.contains(filters.code.upper()))
    return query


def queue(
    session: Session, responder: Responder, filters: QueueFilters, now: datetime, limit: int = PAGE_SIZE
) -> tuple[list[QueueRow], int]:
    """The page of cases and how many match in all."""
    ids = _filtered(responder, filters, now).subquery()
    total = session.scalar(select(func.count()).select_from(ids)) or 0
    owner, place, school_place = aliased(Responder), aliased(Municipality), aliased(Municipality)
    rows = session.execute(
        select(
            Case.code,
            Case.severity,
            Case.status,
            School.name,
            func.coalesce(place.name, school_place.name),
            Case.incident_type,
            Case.crisis_kind,
            owner.name,
            Case.ack_deadline_at,
            Case.created_at,
            Case.escalation_step,
        )
        .where(Case.id.in_(select(ids.c.id)))
        .outerjoin(School, Case.school_id == School.id)
        .outerjoin(place, Case.municipality_id == place.id)
        .outerjoin(school_place, School.municipality_id == school_place.id)
        .outerjoin(owner, Case.owner_id == owner.id)
        .order_by(Case.ack_deadline_at.is_(None), Case.ack_deadline_at, _SEVERITY_ORDER, Case.created_at.desc())
        .limit(limit)
    ).all()
    return [
        QueueRow(r[0], r[1] or "medium", r[2] or "new", r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10] or 0)
        for r in rows
    ], total


def waiting_critical(session: Session, responder: Responder) -> int:
    """Open critical cases nobody has acknowledged yet: the page title's banner."""
    query = select(func.count(Case.id)).where(
        access.visible_cases(responder),
        Case.closed_at.is_(None),
        Case.acknowledged_at.is_(None),
        Case.severity == "critical",
    )
    return session.scalar(query) or 0
