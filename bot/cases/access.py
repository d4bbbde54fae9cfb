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

import operator
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Literal, Protocol, TypeVar

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.directory.entries import COUNSELLOR_ROLES
from bot.storage.models import Case, CaseNote, Referral, Responder

ConsoleRole = Literal["counsellor", "principal", "coordinator", "service", "administrator"]
# A referral waiting for the reporter's consent, or declined by them, gives no access.
WITHOUT_ACCESS = ("awaiting_consent", "declined")
# What the rule needs to know of a responder: id, console role, school, active. Also the
# key under which a statement built on a responder's condition can be kept.
VisibilityKey = tuple[int, ConsoleRole, int | None, bool]
T = TypeVar("T")


class Someone(Protocol):
    """A responder as the rule needs them: a directory row, or the console's names of one."""

    @property
    def id(self) -> int: ...
    @property
    def role(self) -> str | None: ...
    @property
    def school_id(self) -> int | None: ...
    @property
    def active(self) -> bool | None: ...


S = TypeVar("S", bound=Someone)


_NAMED_ROLES: dict[str, ConsoleRole] = {
    "principal": "principal",
    "coordinator": "coordinator",
    "administrator": "administrator",
}


def role_of(responder: Someone) -> ConsoleRole:
    if responder.role in COUNSELLOR_ROLES:
        return "counsellor"
    return _NAMED_ROLES.get(responder.role or "", "service")


def _rule(who: VisibilityKey, own_school: T, referred: T, yes: T, no: T, either: Callable[[T, T], T]) -> T:
    """The rule, written once. It combines two facts about a case, "it is at the responder's
    school" and "it is referred to the responder, with access", which come either as SQL
    conditions (for lists of cases) or as known answers (for many people and one case)."""
    _responder_id, role, _school_id, active = who
    if role == "administrator" or not active:
        return no
    if role == "coordinator":
        return yes
    if role == "principal":
        return own_school
    if role == "counsellor":
        return either(own_school, referred)
    return referred


def _referred_to(responder_id: int) -> ColumnElement[bool]:
    # IN a list of case ids (read once per query), not EXISTS per case: a queue of a
    # thousand open cases would otherwise look up its referrals a thousand times.
    return Case.id.in_(
        select(Referral.case_id).where(
            Referral.responder_id == responder_id,
            Referral.status.not_in(WITHOUT_ACCESS),
        )
    )


def _own_school(school_id: int | None) -> ColumnElement[bool]:
    if school_id is None:
        return false()
    return and_(Case.school_id.is_not(None), Case.school_id == school_id)


def visibility_key(responder: Someone) -> VisibilityKey:
    return (responder.id, role_of(responder), responder.school_id, bool(responder.active))


# Built once per responder and process: SQL expressions are immutable, and a reused one
# is not compiled again.
@lru_cache(maxsize=4096)
def _condition(who: VisibilityKey) -> ColumnElement[bool]:
    responder_id, _role, school_id, _active = who
    return _rule(who, _own_school(school_id), _referred_to(responder_id), true(), false(), or_)


def visible_cases(responder: Responder) -> ColumnElement[bool]:
    """The condition on `Case` rows this responder may see and act on."""
    return _condition(visibility_key(responder))


def visible_cases_by_key(key: VisibilityKey) -> ColumnElement[bool]:
    """The same condition, from a responder's key (for statements kept under that key)."""
    return _condition(key)


def may_see(session: Session, case: Case, responder: Responder) -> bool:
    found = session.scalars(select(Case.id).where(Case.id == case.id, visible_cases(responder))).first()
    return found is not None


def who_may_see(case: Case, candidates: Sequence[S]) -> list[S]:
    """Those of the candidates who may see the case: the two facts of the rule read once
    from the case and its referrals, then the rule for each candidate (no query per person)."""
    # As in SQL, where a referral without a status is not "NOT IN" anything: no access.
    referred = {r.responder_id for r in case.referrals if r.status is not None and r.status not in WITHOUT_ACCESS}

    def may(who: VisibilityKey) -> bool:
        responder_id, _role, school_id, _active = who
        at_school = case.school_id is not None and case.school_id == school_id
        return _rule(who, at_school, responder_id in referred, True, False, operator.or_)

    return [responder for responder in candidates if may(visibility_key(responder))]


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
