"""SQLAlchemy models. Nothing here identifies a reporter: no names, numbers or chat ids."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import declarative_base, relationship

from bot.cases.vocabulary import CASE_STATUSES, DEFAULT_SEVERITY, REFERRAL_STATUSES

# Any: without SQLAlchemy's mypy plugin, declarative_base() is not a type mypy can subclass.
Base: Any = declarative_base()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UtcDateTime(TypeDecorator):
    """A moment in UTC, aware on the way in and on the way out. SQLite keeps no time zone and
    hands back naive datetimes; PostgreSQL hands back the session's zone. Either way the
    code above the models only ever sees UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the hotline stores only aware UTC moments")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


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
    # The console's queue: open cases by deadline, with every column its counts and its
    # order read, so that neither reads the cases themselves (migration 0008).
    __table_args__ = (
        Index(
            "ix_cases_queue",
            *("closed_at", "ack_deadline_at", "severity", "created_at", "acknowledged_at", "school_id", "id"),
        ),
    )

    id = Column(Integer, primary_key=True)
    code = Column(String(16), unique=True)
    pin_hash = Column(String(200))
    status = Column(String(32), default=CASE_STATUSES[0])  # bot.cases.vocabulary.CaseStatus
    severity = Column(String(16), default=DEFAULT_SEVERITY)
    crisis_kind = Column(String(32), nullable=True)
    incident_type = Column(String(32), nullable=True)
    discrimination_ground = Column(String(32), nullable=True)
    affected = Column(String(32), nullable=True)
    reporter_role = Column(String(32), nullable=True)
    school_id = Column(ForeignKey("schools.id"), nullable=True)
    municipality_id = Column(ForeignKey("municipalities.id"), nullable=True)
    incident_time = Column(String(200), nullable=True)
    description = Column(Text, nullable=True)
    danger_now = Column(String(16), nullable=True)
    contact_ok = Column(Boolean, nullable=True)
    language = Column(String(8), default="bcs")
    script = Column(String(16), default="latin")
    channel = Column(String(32), nullable=True)
    failed_checks = Column(Integer, default=0)
    locked_until = Column(UtcDateTime(), nullable=True)
    created_at = Column(UtcDateTime(), default=utcnow)
    updated_at = Column(UtcDateTime(), default=utcnow, onupdate=utcnow)
    # Triage and escalation (bot.routing.triage, bot.routing.referrals, bot.routing.escalation).
    severity_reason = Column(Text, nullable=True)
    legal_aid_ok = Column(Boolean, nullable=True)
    ack_deadline_at = Column(UtcDateTime(), nullable=True)
    acknowledged_at = Column(UtcDateTime(), nullable=True)
    owner_id = Column(ForeignKey("responders.id"), nullable=True)
    escalation_step = Column(Integer, default=0)
    outcome = Column(String(32), nullable=True)
    closed_at = Column(UtcDateTime(), nullable=True)

    school = relationship("School")
    municipality = relationship("Municipality")
    owner = relationship("Responder", foreign_keys=[owner_id])
    events = relationship("CaseEvent", back_populates="case", order_by="CaseEvent.id")
    referrals = relationship("Referral", back_populates="case", order_by="Referral.id")


class Responder(Base):
    """Someone the hotline alerts: a member of school staff (pedagogue, psychologist,
    principal, cantonal coordinator) or a service desk (Red Cross, mobile legal aid, social
    welfare, police). The phone number is sealed (bot.privacy.sealing); `phone_key`, a keyed hash,
    finds the responder when an SMS comes from that number."""

    __tablename__ = "responders"

    id = Column(Integer, primary_key=True)
    code = Column(String(64), unique=True)
    kind = Column(String(16), default="staff")  # staff | service
    role = Column(String(32))
    name = Column(String(200))
    organisation = Column(String(200), nullable=True)
    school_id = Column(ForeignKey("schools.id"), nullable=True)
    municipality_id = Column(ForeignKey("municipalities.id"), nullable=True)
    is_backup = Column(Boolean, default=False)
    language = Column(String(8), default="bcs")
    channels = Column(String(64), default="telegram,sms")  # in order of preference
    on_duty = Column(String(200), default="always")
    sealed_phone = Column(Text, nullable=True)
    phone_key = Column(String(64), nullable=True, index=True)
    telegram_chat_id = Column(String(32), nullable=True, index=True)
    enrol_code_hash = Column(String(200), nullable=True)
    enrol_expires_at = Column(UtcDateTime(), nullable=True)
    active = Column(Boolean, default=True)
    is_sample = Column(Boolean, default=False)

    school = relationship("School")
    municipality = relationship("Municipality")


class Referral(Base):
    """A case sent to one responder, with why and where it stands. `in_chain` marks the
    case's owners-to-be (counsellors, principal, on-duty Red Cross, coordinator): an
    acknowledgement by one of them stops escalation."""

    __tablename__ = "referrals"
    __table_args__ = (
        UniqueConstraint("case_id", "responder_id"),
        # The cases referred to a responder, with access or not, from the index alone.
        Index("ix_referrals_responder_access", "responder_id", "status", "case_id"),
    )

    id = Column(Integer, primary_key=True)
    case_id = Column(ForeignKey("cases.id"), index=True)
    responder_id = Column(ForeignKey("responders.id"))
    reason = Column(String(64))
    step = Column(Integer, default=0)
    in_chain = Column(Boolean, default=True)
    status = Column(String(24), default=REFERRAL_STATUSES[0])  # bot.cases.vocabulary.ReferralStatus
    created_at = Column(UtcDateTime(), default=utcnow)
    alerted_at = Column(UtcDateTime(), nullable=True)
    acknowledged_at = Column(UtcDateTime(), nullable=True)

    case = relationship("Case", back_populates="referrals")
    responder = relationship("Responder")


class OutboxMessage(Base):
    """A message to send, written in the same transaction as what caused it, sent by the
    worker (`hotline worker`). `dedupe_key` makes it at most one per recipient and alert.
    Staff addresses come from the responder, a reporter's from the contact vault, at the
    moment of sending."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_priority", "status", "priority", "id"),
    )

    id = Column(Integer, primary_key=True)
    dedupe_key = Column(String(160))
    kind = Column(String(24))  # alert | staff_message | reporter_message
    channel = Column(String(24))  # staff_telegram | sms (staff) | reporter
    case_id = Column(ForeignKey("cases.id"), nullable=True)
    responder_id = Column(ForeignKey("responders.id"), nullable=True)
    referral_id = Column(ForeignKey("referrals.id"), nullable=True)
    body = Column(Text)
    buttons_json = Column(Text, nullable=True)
    status = Column(String(16), default="pending")  # pending|sending|sent|failed
    attempts = Column(Integer, default=0)
    next_attempt_at = Column(UtcDateTime(), default=utcnow)
    claimed_at = Column(UtcDateTime(), nullable=True)
    sent_at = Column(UtcDateTime(), nullable=True)
    # 0 goes first: a critical case's alert never waits behind other messages.
    priority = Column(Integer, default=1, server_default="1")
    last_error = Column(Text, nullable=True)
    created_at = Column(UtcDateTime(), default=utcnow)


class CaseMessage(Base):
    """The anonymous thread between staff and a reporter."""

    __tablename__ = "case_messages"

    id = Column(Integer, primary_key=True)
    case_id = Column(ForeignKey("cases.id"), index=True)
    direction = Column(String(16))  # to_reporter | from_reporter
    responder_id = Column(ForeignKey("responders.id"), nullable=True)
    body = Column(Text)
    created_at = Column(UtcDateTime(), default=utcnow)
    delivered_at = Column(UtcDateTime(), nullable=True)
    read_at = Column(UtcDateTime(), nullable=True)


class FollowupWindow(Base):
    """While open, what a conversation writes is an answer to its case's staff."""

    __tablename__ = "followup_windows"

    conversation_id = Column(String(64), primary_key=True)
    case_id = Column(ForeignKey("cases.id"))
    expires_at = Column(UtcDateTime())


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
    created_at = Column(UtcDateTime(), default=utcnow)

    case = relationship("Case", back_populates="events")


class CheckLock(Base):
    """Failed case look-ups per conversation (keyed by a pseudonym, never the raw id)."""

    __tablename__ = "check_locks"

    id = Column(Integer, primary_key=True)
    conversation_key = Column(String(64), unique=True)
    failures = Column(Integer, default=0)
    locked_until = Column(UtcDateTime(), nullable=True)
    updated_at = Column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class InboxMessage(Base):
    """An incoming channel message, stored before the webhook answers so that a crash
    loses nothing and a retried delivery is processed once. The reply address is sealed
    (bot.privacy.sealing) and erased once the turn is done."""

    __tablename__ = "inbox_messages"
    __table_args__ = (
        UniqueConstraint("channel", "delivery_id"),
        # the flood limit counts a conversation's recent messages
        Index("ix_inbox_conversation_received", "conversation_id", "received_at"),
    )

    id = Column(Integer, primary_key=True)
    channel = Column(String(16))
    delivery_id = Column(String(128))
    conversation_id = Column(String(64), index=True)
    sealed_address = Column(Text, nullable=True)
    text = Column(Text, default="")
    metadata_json = Column(Text, default="{}")
    status = Column(String(16), default="pending")
    attempts = Column(Integer, default=0)
    received_at = Column(UtcDateTime(), default=utcnow)
    processed_at = Column(UtcDateTime(), nullable=True)


class ContactVaultEntry(Base):
    """A reporter's address, sealed, kept only when they agreed to be contacted back
    (purpose "followup"), or for one message after a crisis: that an adult has seen it
    (purpose "crisis_seen", deleted once it is sent)."""

    __tablename__ = "contact_vault"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(64), unique=True)
    case_id = Column(ForeignKey("cases.id"), nullable=True, index=True)
    channel = Column(String(16))
    sealed_address = Column(Text)
    purpose = Column(String(16), default="followup", server_default="followup")
    created_at = Column(UtcDateTime(), default=utcnow)
    expires_at = Column(UtcDateTime())


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
    created_at = Column(UtcDateTime(), default=utcnow)


class ChannelState(Base):
    """Per-conversation channel state: the numbered options last offered by SMS, and
    whether the person sent STOP."""

    __tablename__ = "channel_state"

    conversation_id = Column(String(64), primary_key=True)
    menu_json = Column(Text, default="[]")
    opted_out = Column(Boolean, default=False)
    updated_at = Column(UtcDateTime(), default=utcnow, onupdate=utcnow)


@event.listens_for(CaseEvent, "before_update")
@event.listens_for(CaseEvent, "before_delete")
def _case_events_are_append_only(_mapper: Any, _connection: Any, target: CaseEvent) -> None:
    raise ValueError(f"case event {target.id} is part of the audit trail and cannot change")


class SmsSpend(Base):
    """Outbound SMS segments sent to reporters, for the daily caps (bot.channels.sms_budget).
    Only a pseudonym and a count: no number, no text."""

    __tablename__ = "sms_spend"
    __table_args__ = (
        Index("ix_sms_spend_sent_at", "sent_at"),
        Index("ix_sms_spend_conversation", "conversation_id", "sent_at"),
    )

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(64))
    segments = Column(Integer, default=0)
    # "reply": counted against the caps; "crisis": sent whatever the caps; "held": a reply
    # not sent because a cap was reached (0 segments); "notice": the one message saying so.
    kind = Column(String(8), default="reply")
    sent_at = Column(UtcDateTime(), default=utcnow)


class StaffAccount(Base):
    """A responder's sign-in to the console: an Argon2 password hash and a sealed TOTP
    secret, both set by the person from a one-time invitation (`hotline staff invite`).
    Failed sign-ins lock it through bot.privacy.lockout, as a wrong case code does."""

    __tablename__ = "staff_accounts"

    id = Column(Integer, primary_key=True)
    responder_id = Column(ForeignKey("responders.id"), unique=True)
    password_hash = Column(String(200), nullable=True)
    sealed_totp_secret = Column(Text, nullable=True)
    totp_last_step = Column(Integer, nullable=True)  # a TOTP code is accepted once
    invite_token_hash = Column(String(64), nullable=True, index=True)
    invite_expires_at = Column(UtcDateTime(), nullable=True)
    created_at = Column(UtcDateTime(), default=utcnow)
    activated_at = Column(UtcDateTime(), nullable=True)

    responder = relationship("Responder")


class ConsoleSession(Base):
    """A signed-in console session, kept on the server: the browser holds only a random
    token, whose keyed hash is stored here. Ended by logout (every session of the account),
    30 minutes without a request, or 8 hours after sign-in (bot.console.sessions)."""

    __tablename__ = "console_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), unique=True)
    account_id = Column(ForeignKey("staff_accounts.id"), index=True)
    csrf_token = Column(String(64))
    language = Column(String(8), default="bcs")
    created_at = Column(UtcDateTime(), default=utcnow)
    last_seen_at = Column(UtcDateTime(), default=utcnow)

    account = relationship("StaffAccount")


class CaseNote(Base):
    """An internal note on a case, written in the console: never shown to the reporter.
    A service reads only its own notes (bot.cases.access)."""

    __tablename__ = "case_notes"

    id = Column(Integer, primary_key=True)
    case_id = Column(ForeignKey("cases.id"), index=True)
    responder_id = Column(ForeignKey("responders.id"))
    body = Column(Text)
    created_at = Column(UtcDateTime(), default=utcnow)

    responder = relationship("Responder")
