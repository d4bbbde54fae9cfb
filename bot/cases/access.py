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

from typing import Literal

from sqlalchemy import and_, exists, false, or_, select, true
from sqlalchemy.orm import Session
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


def _referred_to(responder: Responder) -> ColumnElement[bool]:
    return exists(
        select(Referral.id).where(
            Referral.case_id == Case.id,
            Referral.responder_id == responder.id,
            Referral.status.not_in(WITHOUT_ACCESS),
        )
    )


def _own_school(responder: Responder) -> ColumnElement[bool]:
    if responder.school_id is None:
        return false()
    return and_(Case.school_id.is_not(None), Case.school_id == responder.school_id)


def visible_cases(responder: Responder) -> ColumnElement[bool]:
    """The condition on `Case` rows this responder may see and act on."""
    role = role_of(responder)
    if role == "coordinator":
        return true()
    if role == "administrator" or not responder.active:
        return false()
    if role == "principal":
        return _own_school(responder)
    if role == "counsellor":
        return or_(_own_school(responder), _referred_to(responder))
    return _referred_to(responder)


def may_see(session: Session, case: Case, responder: Responder) -> bool:
    found = session.scalars(select(Case.id).where(Case.id == case.id, visible_cases(responder))).first()
    return found is not None


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
