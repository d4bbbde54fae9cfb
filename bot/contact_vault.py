"""The contact vault: the address of a reporter who agreed to be contacted back, sealed.

The report (an action, which only knows the conversation's pseudonym) asks for an entry;
the channel, which knows the address, seals it into the entry after the turn. Staff tools
never read it; only sending code calls `address_for`. Entries expire after the retention
period and are deleted on /delete or the SMS keyword."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot import settings, vault
from bot.storage.models import ContactVaultEntry, as_utc, utcnow


def request_contact(session: Session, conversation_id: str, case_id: int | None = None) -> None:
    entry = session.scalars(
        select(ContactVaultEntry).where(ContactVaultEntry.conversation_id == conversation_id)
    ).one_or_none()
    expires = utcnow() + timedelta(days=settings.retention_days())
    if entry is None:
        session.add(ContactVaultEntry(conversation_id=conversation_id, case_id=case_id,
                                      expires_at=expires))
    else:
        entry.expires_at = expires
        entry.case_id = case_id or entry.case_id


def fill(session: Session, conversation_id: str, channel: str, address: str) -> None:
    """Seal the address into a requested entry that does not have one yet (one UPDATE:
    this runs after every channel turn)."""
    session.execute(
        update(ContactVaultEntry)
        .where(ContactVaultEntry.conversation_id == conversation_id,
               ContactVaultEntry.sealed_address.is_(None))
        .values(channel=channel, sealed_address=vault.seal(address))
        .execution_options(synchronize_session=False)
    )


def address_for(session: Session, conversation_id: str) -> tuple[str, str] | None:
    """(channel, address) for sending code; None without consent or after expiry."""
    entry = session.scalars(
        select(ContactVaultEntry).where(ContactVaultEntry.conversation_id == conversation_id)
    ).one_or_none()
    if entry is None or not entry.sealed_address or as_utc(entry.expires_at) < utcnow():
        return None
    return entry.channel, vault.unseal(entry.sealed_address)


def _live_entry_for_case(session: Session, case_id: int) -> ContactVaultEntry | None:
    entry = session.scalars(
        select(ContactVaultEntry).where(ContactVaultEntry.case_id == case_id)
        .order_by(ContactVaultEntry.id.desc())
    ).first()
    if entry is None or not entry.sealed_address or as_utc(entry.expires_at) < utcnow():
        return None
    return entry


def address_for_case(session: Session, case_id: int) -> tuple[str, str] | None:
    """(channel, address) of a case's reporter, for sending code only."""
    entry = _live_entry_for_case(session, case_id)
    return (entry.channel, vault.unseal(entry.sealed_address)) if entry else None


def conversation_for_case(session: Session, case_id: int) -> str | None:
    """The conversation (pseudonym) a case's reporter is contacted in."""
    entry = _live_entry_for_case(session, case_id)
    return entry.conversation_id if entry else None


def purge_expired(session: Session) -> int:
    result = session.execute(delete(ContactVaultEntry).where(ContactVaultEntry.expires_at < utcnow()))
    return result.rowcount or 0
