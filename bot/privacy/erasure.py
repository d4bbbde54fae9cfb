"""Forget me: what /delete (Telegram) and DELETE/OBRISI (SMS) erase for a conversation."""

from __future__ import annotations

from sqlalchemy import delete, inspect, text
from sqlalchemy.orm import Session

from bot.storage.models import Attachment, ChannelState, ContactVaultEntry

EVENTS_TABLE = "events"  # Rasa's conversation history


def forget_conversation(session: Session, conversation_id: str) -> None:
    """Erase the contact details, channel state, unsent attachments and the conversation
    history. Submitted cases stay: they never held anything that identifies the reporter."""
    session.execute(delete(ContactVaultEntry).where(ContactVaultEntry.conversation_id == conversation_id))
    session.execute(delete(ChannelState).where(ChannelState.conversation_id == conversation_id))
    session.execute(
        delete(Attachment).where(Attachment.conversation_id == conversation_id, Attachment.case_id.is_(None))
    )
    if inspect(session.get_bind()).has_table(EVENTS_TABLE):
        session.execute(text(f"DELETE FROM {EVENTS_TABLE} WHERE sender_id = :sender"), {"sender": conversation_id})
