"""The facts an operator (and a health or metrics endpoint) needs during and after a
database outage: whether the database answers, how many deliveries wait in the local
journal and since when, and what the outbox still has to send."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text

from bot.channels import flood, inbox, sms_budget
from bot.storage import availability, journal
from bot.storage.db import session_scope
from bot.storage.models import OutboxMessage


@dataclass(frozen=True)
class Health:
    database_error: str | None  # None: it answered
    journal_depth: int
    journal_oldest: datetime | None
    outbox_pending: int | None  # None: not known (the database is away)
    dead_letters: int | None = None  # deliveries whose turn failed every attempt
    # The last 24 hours of the flood and cost limits: messages held back, SMS replies held
    # back, crisis SMS sent past a cap.
    limited: int | None = None
    sms_held: int | None = None
    sms_crisis_past_cap: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "database": "reachable" if self.database_error is None else "unreachable",
            "database_error": self.database_error,
            "journal_depth": self.journal_depth,
            "journal_oldest": self.journal_oldest.isoformat() if self.journal_oldest else None,
            "outbox_pending": self.outbox_pending,
            "dead_letters": self.dead_letters,
            "limited_24h": self.limited,
            "sms_held_24h": self.sms_held,
            "sms_crisis_past_cap_24h": self.sms_crisis_past_cap,
        }


def check() -> Health:
    """Asks the database now (a CLI or a probe; the channels use `process_view`)."""
    depth, oldest = journal.depth()
    try:
        with session_scope() as session:
            session.execute(text("SELECT 1"))
            pending = session.scalar(
                select(func.count(OutboxMessage.id)).where(OutboxMessage.status.in_(("pending", "sending")))
            )
            dead = inbox.dead_letters(session)
            limited = flood.limited_today(session)
            spend = sms_budget.held_today(session)
    except Exception as error:
        if not availability.is_unavailable(error):
            raise
        return Health(f"{type(error).__name__}: {str(error).splitlines()[0][:200]}", depth, oldest, None)
    return Health(None, depth, oldest, pending, dead, limited, spend.get("held", 0), spend.get("crisis", 0))


def process_view() -> dict[str, object]:
    """What this process last saw of the database, without asking it, and the journal."""
    state = availability.state()
    depth, oldest = journal.depth()
    return {
        "database": "reachable" if state.reachable else "unreachable",
        "database_down_since": state.down_since.isoformat() if state.down_since else None,
        "journal_depth": depth,
        "journal_oldest": oldest.isoformat() if oldest else None,
    }
