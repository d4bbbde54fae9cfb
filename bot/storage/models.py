"""SQLAlchemy models. Nothing here identifies a reporter: no names, numbers or chat ids."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import event
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time we store is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


class Municipality(Base):
    __tablename__ = "municipalities"

    id = Column(Integer, primary_key=True)
    code = Column(String(32), unique=True)
    name = Column(String(120))
    schools = relationship("School", back_populates="municipality")


class School(Base):
    __tablename__ = "schools"
    __table_args__ = (UniqueConstraint("code"),)

    id = Column(Integer, primary_key=True)
    code = Column(String(64))
    name = Column(String(200))
    kind = Column(String(32), default="primary")
    is_sample = Column(Boolean, default=False)
    municipality_id = Column(ForeignKey("municipalities.id"))
    municipality = relationship("Municipality", back_populates="schools")


class Case(Base):
    __tablename__ = "cases"

    id = Column(Integer, primary_key=True)
    code = Column(String(16), unique=True)
    pin_hash = Column(String(200))
    status = Column(String(32), default="new")
    severity = Column(String(16), default="medium")
    crisis_kind = Column(String(32), nullable=True)
    incident_type = Column(String(32), nullable=True)
    discrimination_ground = Column(String(32), nullable=True)
    affected = Column(String(32), nullable=True)
    reporter_role = Column(String(32), nullable=True)
    school_id = Column(ForeignKey("schools.id"), nullable=True)
    municipality_id = Column(
        ForeignKey("municipalities.id"), nullable=True
    )
    incident_time = Column(String(200), nullable=True)
    description = Column(Text, nullable=True)
    danger_now = Column(String(16), nullable=True)
    contact_ok = Column(Boolean, nullable=True)
    language = Column(String(8), default="bcs")
    script = Column(String(16), default="latin")
    channel = Column(String(32), nullable=True)
    failed_checks = Column(Integer, default=0)
    locked_until = Column(DateTime(timezone=True), nullable=True)
    created_at = Column(DateTime(timezone=True), default=utcnow)
    updated_at = Column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    school = relationship("School")
    municipality = relationship("Municipality")
    events = relationship("CaseEvent", back_populates="case", order_by="CaseEvent.id")


class CaseEvent(Base):
    """Append-only audit trail of a case: written once, never updated or deleted."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case_id", "case_id"),)

    id = Column(Integer, primary_key=True)
    case_id = Column(ForeignKey("cases.id"))
    kind = Column(String(32))
    actor = Column(String(64), default="system")
    body = Column(Text, nullable=True)
    visible_to_reporter = Column(Boolean, default=False)
    created_at = Column(DateTime(timezone=True), default=utcnow)

    case = relationship("Case", back_populates="events")


class CheckLock(Base):
    """Failed case look-ups per conversation (keyed by a pseudonym, never the raw id)."""

    __tablename__ = "check_locks"

    id = Column(Integer, primary_key=True)
    conversation_key = Column(String(64), unique=True)
    failures = Column(Integer, default=0)
    locked_until = Column(DateTime(timezone=True), nullable=True)
    updated_at = Column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class InboxMessage(Base):
    """An incoming channel message, stored before the webhook answers so that a crash
    loses nothing and a retried delivery is processed once. The reply address is sealed
    (bot.vault) and erased once the turn is done."""

    __tablename__ = "inbox_messages"
    __table_args__ = (UniqueConstraint("channel", "delivery_id"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(16))
    delivery_id = Column(String(128))
    conversation_id = Column(String(64), index=True)
    sealed_address = Column(Text, nullable=True)
    text = Column(Text, default="")
    metadata_json = Column(Text, default="{}")
    status = Column(String(16), default="pending")
    attempts = Column(Integer, default=0)
    received_at = Column(DateTime(timezone=True), default=utcnow)
    processed_at = Column(DateTime(timezone=True), nullable=True)


class ContactVaultEntry(Base):
    """A reporter's address, sealed, kept only when they agreed to be contacted back."""

    __tablename__ = "contact_vault"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(64), unique=True)
    channel = Column(String(16))
    sealed_address = Column(Text)
    created_at = Column(DateTime(timezone=True), default=utcnow)
    expires_at = Column(DateTime(timezone=True))


class Attachment(Base):
    """A photo, document or MMS sent by a reporter: a reference to the file at the
    channel, attached to the case once the report is submitted."""

    __tablename__ = "attachments"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(64), index=True)
    case_id = Column(ForeignKey("cases.id"), nullable=True)
    channel = Column(String(16))
    kind = Column(String(16))
    file_ref = Column(Text)
    content_type = Column(String(100), nullable=True)
    created_at = Column(DateTime(timezone=True), default=utcnow)


class ChannelState(Base):
    """Per-conversation channel state: the numbered options last offered by SMS, and
    whether the person sent STOP."""

    __tablename__ = "channel_state"

    conversation_id = Column(String(64), primary_key=True)
    menu_json = Column(Text, default="[]")
    opted_out = Column(Boolean, default=False)
    updated_at = Column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


@event.listens_for(CaseEvent, "before_update")
@event.listens_for(CaseEvent, "before_delete")
def _case_events_are_append_only(_mapper, _connection, target: CaseEvent) -> None:  # type: ignore[no-untyped-def]
    raise ValueError(f"case event {target.id} is part of the audit trail and cannot change")
