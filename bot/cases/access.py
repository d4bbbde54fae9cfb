"""Who sees and acts on which case: the one place the rule lives. The staff bot, the SMS
commands, the CLI and the console all ask here.

- a counsellor (pedagogue, psychologist): the cases of their school, and any referred to them;
- a principal: the cases of their school;
- the cantonal coordinator: every case (and the audit log, and reassignment);
- a service (Red Cross, legal aid, social welfare, police): only the cases referred to it,
  while the referral gives access (legal aid waits for the reporter's consent);
- an administrator: the directory and accounts, never a case.

The rule is one SQL condition (`visible_cases`), so that the queue lists exactly the cases a
case page opens."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

from sqlalchemy import and_, bindparam, exists, false, or_, select, true
from sqlalchemy import case as when
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from bot.directory.entries import COUNSELLOR_ROLES
from bot.storage.models import Case, CaseNote, Referral, Responder

ConsoleRole = Literal["counsellor", "principal", "coordinator", "service", "administrator"]
# A referral waiting for the reporter's consent, or declined by them, gives no access.
WITHOUT_ACCESS = ("awaiting_consent", "declined")


def role_of(responder: Responder) -> ConsoleRole:
    if responder.role in COUNSELLOR_ROLES:
        return "counsellor"
    if responder.role in ("principal", "coordinator", "administrator"):
        return responder.role
    return "service"


def _referred_to(responder_id: int) -> ColumnElement[bool]:
    return exists(
        select(Referral.id).where(
            Referral.case_id == Case.id,
            Referral.responder_id == responder_id,
            Referral.status.not_in(WITHOUT_ACCESS),
        )
    )


def _own_school(school_id: int | None) -> ColumnElement[bool]:
    if school_id is None:
        return false()
    return and_(Case.school_id.is_not(None), Case.school_id == school_id)


# The condition depends only on these four facts about a responder. Built once per
# responder and process: SQL expressions are immutable, and a reused one is not compiled again.
_Who = tuple[int, ConsoleRole, int | None, bool]


def _who(responder: Responder) -> _Who:
    return (responder.id, role_of(responder), responder.school_id, bool(responder.active))


@lru_cache(maxsize=4096)
def _condition(who: _Who) -> ColumnElement[bool]:
    responder_id, role, school_id, active = who
    if role == "administrator" or not active:
        return false()
    if role == "coordinator":
        return true()
    if role == "principal":
        return _own_school(school_id)
    if role == "counsellor":
        return or_(_own_school(school_id), _referred_to(responder_id))
    return _referred_to(responder_id)


def visible_cases(responder: Responder) -> ColumnElement[bool]:
    """The condition on `Case` rows this responder may see and act on."""
    return _condition(_who(responder))


def may_see(session: Session, case: Case, responder: Responder) -> bool:
    found = session.scalars(select(Case.id).where(Case.id == case.id, visible_cases(responder))).first()
    return found is not None


@lru_cache(maxsize=64)
def _each_may_see(whos: tuple[_Who, ...]) -> Select:
    columns = [when((_condition(who), 1), else_=0).label(f"may_see_{i}") for i, who in enumerate(whos)]
    return select(*columns).where(Case.id == bindparam("case_id"))


def who_may_see(session: Session, case: Case, candidates: Sequence[Responder]) -> list[Responder]:
    """Those of the candidates who may see the case: each one's own condition, in one query."""
    if not candidates:
        return []
    flags = session.execute(_each_may_see(tuple(_who(r) for r in candidates)), {"case_id": case.id}).one()
    return [responder for responder, flag in zip(candidates, flags, strict=True) if flag]


def may_reassign(responder: Responder) -> bool:
    """Giving a case to someone else is the coordinator's."""
    return role_of(responder) == "coordinator"


def may_manage_accounts(responder: Responder) -> bool:
    return role_of(responder) == "administrator"


def may_read_audit_log(responder: Responder) -> bool:
    return role_of(responder) == "coordinator"


def visible_notes(responder: Responder) -> ColumnElement[bool]:
    """Internal notes: a service reads its own only, not the school's or other services'."""
    if role_of(responder) == "service":
        return CaseNote.responder_id == responder.id
    return true()
