"""The contact vault: the address of a reporter who agreed to be contacted back, sealed.

A crisis conversation's address is kept too, for one message only: that an adult has
seen it (purpose CRISIS_SEEN). It is the same conversation, still open, so the child
hears it whether or not they agreed to follow-up; no other message may use that entry,
and it is deleted once that message is sent, or after a day.

The report (an action, which only knows the conversation's pseudonym) asks for an entry;
the channel, which knows the address, seals it into the entry after the turn. Staff tools
never read it; only sending code calls `address_for`. Entries expire after the retention
period and are deleted on /delete or the SMS keyword."""

from __future__ import annotations

from datetime import timedelta
from typing import Final, Literal

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot import settings
from bot.privacy import sealing
from bot.storage.models import ContactVaultEntry, utcnow

Purpose = Literal["followup", "crisis_seen"]
FOLLOWUP: Final = "followup"
CRISIS_SEEN: Final = "crisis_seen"
CRISIS_SEEN_LIFETIME = timedelta(hours=24)


def request_contact(
    session: Session, conversation_id: str, case_id: int | None = None, purpose: Purpose = FOLLOWUP
) -> None:
    """Ask the channel to seal this conversation's address after the turn. Consent to
    follow-up widens a crisis entry; a crisis never narrows a follow-up one."""
    entry = session.scalars(
        select(ContactVaultEntry).where(ContactVaultEntry.conversation_id == conversation_id)
    ).one_or_none()
    if purpose == FOLLOWUP:
        expires = utcnow() + timedelta(days=settings.retention_days())
    else:
        expires = utcnow() + CRISIS_SEEN_LIFETIME
    if entry is None:
        session.add(
            ContactVaultEntry(conversation_id=conversation_id, case_id=case_id, purpose=purpose, expires_at=expires)
        )
    elif purpose == FOLLOWUP or entry.purpose == CRISIS_SEEN:
        entry.expires_at = max(entry.expires_at, expires) if entry.expires_at else expires
        entry.purpose = purpose if entry.purpose == CRISIS_SEEN else entry.purpose
        entry.case_id = case_id or entry.case_id


def fill(session: Session, conversation_id: str, channel: str, address: str) -> None:
    """Seal the address into a requested entry that does not have one yet (one UPDATE:
    this runs after every channel turn)."""
    session.execute(
        update(ContactVaultEntry)
        .where(ContactVaultEntry.conversation_id == conversation_id, ContactVaultEntry.sealed_address.is_(None))
        .values(channel=channel, sealed_address=sealing.seal(address))
        .execution_options(synchronize_session=False)
    )


def _usable(entry: ContactVaultEntry | None, purpose: Purpose) -> bool:
    """A live, sealed entry that may carry a message for `purpose` (a follow-up entry
    carries every message, a crisis entry only the one that an adult has seen it)."""
    return (
        entry is not None
        and bool(entry.sealed_address)
        and entry.expires_at >= utcnow()
        and (entry.purpose or FOLLOWUP) in (FOLLOWUP, purpose)
    )


def address_for(session: Session, conversation_id: str) -> tuple[str, str] | None:
    """(channel, address) for sending code; None without consent or after expiry."""
    entry = session.scalars(
        select(ContactVaultEntry).where(ContactVaultEntry.conversation_id == conversation_id)
    ).one_or_none()
    if not _usable(entry, FOLLOWUP):
        return None
    return entry.channel, sealing.unseal(entry.sealed_address)


def _live_entry_for_case(session: Session, case_id: int, purpose: Purpose) -> ContactVaultEntry | None:
    entry = session.scalars(
        select(ContactVaultEntry).where(ContactVaultEntry.case_id == case_id).order_by(ContactVaultEntry.id.desc())
    ).first()
    return entry if _usable(entry, purpose) else None


def address_for_case(session: Session, case_id: int, purpose: Purpose = FOLLOWUP) -> tuple[str, str] | None:
    """(channel, address) of a case's reporter, for sending code only."""
    entry = _live_entry_for_case(session, case_id, purpose)
    return (entry.channel, sealing.unseal(entry.sealed_address)) if entry else None


def conversation_for_case(session: Session, case_id: int, purpose: Purpose = FOLLOWUP) -> str | None:
    """The conversation (pseudonym) a case's reporter is contacted in."""
    entry = _live_entry_for_case(session, case_id, purpose)
    return entry.conversation_id if entry else None


def forget_crisis_address(session: Session, case_id: int) -> None:
    """The crisis entry's one message went out: its address is deleted."""
    session.execute(
        delete(ContactVaultEntry).where(ContactVaultEntry.case_id == case_id, ContactVaultEntry.purpose == CRISIS_SEEN)
    )


def purge_expired(session: Session) -> int:
    result = session.execute(delete(ContactVaultEntry).where(ContactVaultEntry.expires_at < utcnow()))
    return result.rowcount or 0
