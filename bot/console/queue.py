"""The queue: the cases a member of staff may see, open ones by deadline, with the filters
the page offers: a count and one page of rows, whatever the number of cases."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy import case as when
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

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


def _conditions(responder: Responder, filters: QueueFilters, now: datetime) -> list[ColumnElement[bool]]:
    conditions = [access.visible_cases(responder)]
    if filters.status == "closed":
        conditions.append(Case.closed_at.is_not(None))
    else:
        conditions.append(Case.closed_at.is_(None))
        if filters.status:
            conditions.append(Case.status == filters.status)
    if filters.severity:
        conditions.append(Case.severity == filters.severity)
    if filters.school:
        conditions.append(Case.school_id.in_(select(School.id).where(School.code == filters.school)))
    if filters.municipality:
        places = select(Municipality.id).where(Municipality.code == filters.municipality)
        schools = select(School.id).where(School.municipality_id.in_(places))
        conditions.append(Case.municipality_id.in_(places) | Case.school_id.in_(schools))
    if filters.incident_type:
        conditions.append(Case.incident_type == filters.incident_type)
    if filters.owner:
        conditions.append(Case.owner_id.in_(select(Responder.id).where(Responder.code == filters.owner)))
    if filters.mine:
        conditions.append(Case.owner_id == responder.id)
    if filters.unassigned:
        conditions.append(Case.owner_id.is_(None))
    if filters.overdue:
        conditions.append(and_(Case.ack_deadline_at.is_not(None), Case.ack_deadline_at < now))
    if filters.code:
        code = normalize_case_code(filters.code)
        conditions.append(Case.code == code if code else Case.code.contains(filters.code.upper()))
    return conditions


# Built once: the row's joins and order do not change between requests, only the conditions.
# The page's cases are chosen on the cases table alone; only those are joined.
_ORDER = (Case.ack_deadline_at.is_(None), Case.ack_deadline_at, _SEVERITY_ORDER, Case.created_at.desc())
_OWNER, _PLACE, _SCHOOL_PLACE = aliased(Responder), aliased(Municipality), aliased(Municipality)
_ROWS = (
    select(
        Case.code,
        Case.severity,
        Case.status,
        School.name,
        func.coalesce(_PLACE.name, _SCHOOL_PLACE.name),
        Case.incident_type,
        Case.crisis_kind,
        _OWNER.name,
        Case.ack_deadline_at,
        Case.created_at,
        Case.escalation_step,
    )
    .outerjoin(School, Case.school_id == School.id)
    .outerjoin(_PLACE, Case.municipality_id == _PLACE.id)
    .outerjoin(_SCHOOL_PLACE, School.municipality_id == _SCHOOL_PLACE.id)
    .outerjoin(_OWNER, Case.owner_id == _OWNER.id)
    .order_by(*_ORDER)
)


def queue(
    session: Session, responder: Responder, filters: QueueFilters, now: datetime, limit: int = PAGE_SIZE
) -> tuple[list[QueueRow], int]:
    """The page of cases and how many match in all."""
    conditions = _conditions(responder, filters, now)
    total = session.scalar(select(func.count()).select_from(Case).where(*conditions)) or 0
    page = select(Case.id).where(*conditions).order_by(*_ORDER).limit(limit)
    rows = session.execute(_ROWS.where(Case.id.in_(page.scalar_subquery()))).all()
    return [
        QueueRow(r[0], r[1] or "medium", r[2] or "new", r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10] or 0)
        for r in rows
    ], total


def waiting_critical(session: Session, responder: Responder) -> int:
    """Open critical cases nobody has acknowledged yet: the page title's banner."""
    query = (
        select(func.count())
        .select_from(Case)
        .where(
            access.visible_cases(responder),
            Case.closed_at.is_(None),
            Case.acknowledged_at.is_(None),
            Case.severity == "critical",
        )
    )
    return session.scalar(query) or 0
