"""The queue: the cases a member of staff may see, open ones by deadline, with the filters
the page offers: a count and one page of rows, whatever the number of cases."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy import case as when
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from bot.cases import access
from bot.cases.codes import normalize_case_code
from bot.cases.vocabulary import SEVERITIES
from bot.console.directory_names import directory_names
from bot.storage.db import plain_rows
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


class QueueRow(NamedTuple):
    """A case as the queue lists it (a tuple: a page builds a hundred, and hashes them to
    find their rendered rows)."""

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


_NOW = bindparam("now")


def _conditions(reader: access.VisibilityKey, filters: QueueFilters) -> list[ColumnElement[bool]]:
    reader_id = reader[0]
    conditions = [access.visible_cases_by_key(reader)]
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
        conditions.append(Case.owner_id == reader_id)
    if filters.unassigned:
        conditions.append(Case.owner_id.is_(None))
    if filters.overdue:
        conditions.append(and_(Case.ack_deadline_at.is_not(None), Case.ack_deadline_at < _NOW))
    if filters.code:
        code = normalize_case_code(filters.code)
        conditions.append(Case.code == code if code else Case.code.contains(filters.code.upper(), autoescape=True))
    return conditions


# Built once: the order does not change between requests, only the conditions. The page's
# cases are chosen from the queue's index; their names come from the directory's.
# The id last: cases alike in all else keep their place from one poll to the next.
_ORDER = (Case.ack_deadline_at.is_(None), Case.ack_deadline_at, _SEVERITY_ORDER, Case.created_at.desc(), Case.id)
_ROWS = select(
    Case.code,
    Case.severity,
    Case.status,
    Case.school_id,
    Case.municipality_id,
    Case.incident_type,
    Case.crisis_kind,
    Case.owner_id,
    Case.ack_deadline_at,
    Case.created_at,
    Case.escalation_step,
).order_by(*_ORDER)


# A reader polls the same queue every few seconds: its statements are built (and compiled)
# once per reader and filters, and take the time as a parameter.
@lru_cache(maxsize=1024)
def _rows_statement(reader: access.VisibilityKey, filters: QueueFilters, limit: int) -> Select:
    # The page's cases are chosen on the queue's index, with how many match in all (the
    # window counts before the limit); only those hundred rows are read in full.
    page = (
        select(Case.id, func.count().over().label("total"))
        .where(*_conditions(reader, filters))
        .order_by(*_ORDER)
        .limit(limit)
        .subquery()
    )
    return _ROWS.add_columns(page.c.total).join(page, page.c.id == Case.id)


@lru_cache(maxsize=1024)
def _critical_statement(reader: access.VisibilityKey) -> Select:
    return (
        select(func.count())
        .select_from(Case)
        .where(
            access.visible_cases_by_key(reader),
            Case.closed_at.is_(None),
            Case.acknowledged_at.is_(None),
            Case.severity == "critical",
        )
    )


def queue(
    session: Session, responder: Responder, filters: QueueFilters, now: datetime, limit: int = PAGE_SIZE
) -> tuple[list[QueueRow], int]:
    """The page of cases and how many match in all."""
    # A search by code is typed once: kept out of the statements the readers poll with.
    build = _rows_statement.__wrapped__ if filters.code else _rows_statement
    statement = build(access.visibility_key(responder), filters, limit)
    # Plain rows, unpacked by position: the ORM's row objects cost more than the query.
    rows = plain_rows(session, statement, {"now": now})
    names = directory_names(session, [(r.school_id, r.municipality_id, r.owner_id) for r in rows])
    return [
        QueueRow(
            code,
            severity or "medium",
            status or "new",
            names.school(school_id),
            names.place(municipality_id, school_id),
            incident_type,
            crisis_kind,
            names.person(owner_id),
            deadline,
            reported_at,
            escalation_step or 0,
        )
        for (
            code,
            severity,
            status,
            school_id,
            municipality_id,
            incident_type,
            crisis_kind,
            owner_id,
            deadline,
            reported_at,
            escalation_step,
            _total,
        ) in rows
    ], (rows[0].total if rows else 0)


def waiting_critical(session: Session, responder: Responder) -> int:
    """Open critical cases nobody has acknowledged yet: the page title's banner."""
    return session.scalar(_critical_statement(access.visibility_key(responder))) or 0
