"""What staff write to the hotline, over the staff Telegram bot or by SMS from their
registered number: acknowledge a case, write to its reporter, or ask for help.

  OK <code> / ack:<code> (the alert's button)   acknowledge
  /reply <code> <text> (or a reply to an alert)  write to the reporter
  anything else                                  the instructions"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from bot.alerts.acknowledgement import acknowledge
from bot.followup.texts import staff_text
from bot.followup.thread import staff_reply
from bot.storage.models import Responder, utcnow

_ACK = re.compile(r"^\s*(?:ok|ack|/ack)\s*[:\s]\s*(?P<code>[\w\-–. ]{8,20}?)\s*$", re.IGNORECASE)
_BUTTON = re.compile(r"^ack:(?P<code>\S+)$")
_REPLY = re.compile(r"^\s*/reply(?:@\w+)?\s+(?P<code>\S+)\s+(?P<text>.+)$", re.IGNORECASE | re.DOTALL)
# A case code as alerts print it: JS-XXXX-XXXX.
_CODE_IN_TEXT = re.compile(r"\b(JS-[A-Z0-9]{4}-[A-Z0-9]{4})\b")


def handle(session: Session, responder: Responder, text: str, via: str, replied_to: str | None = None) -> str:
    """Carry out a staff message; returns the answer to send back."""
    language = responder.language or "bcs"
    ack = _BUTTON.match(text.strip()) or _ACK.match(text)
    if ack:
        return _acknowledge(session, responder, ack.group("code"), via, language)
    reply = _REPLY.match(text)
    if reply:
        return _reply(session, responder, reply.group("code"), reply.group("text"), language)
    quoted = _CODE_IN_TEXT.search(replied_to or "")
    if quoted and text.strip() and not text.startswith("/"):
        return _reply(session, responder, quoted.group(1), text, language)
    return staff_text("help", language)


def _acknowledge(session: Session, responder: Responder, code: str, via: str, language: str) -> str:
    result = acknowledge(session, code, responder, via, utcnow())
    if result.outcome == "unknown_case":
        return staff_text("unknown_case", language, code=code)
    if result.outcome == "already":
        return staff_text("already_acknowledged", language, code=result.code, who=result.owner_name or "-")
    return staff_text("acknowledged", language, code=result.code)


def _reply(session: Session, responder: Responder, code: str, text: str, language: str) -> str:
    outcome, case = staff_reply(session, code, responder, text)
    if outcome == "unknown_case" or case is None:
        return staff_text("unknown_case", language, code=code)
    return staff_text("reply_sent" if outcome == "sent" else "reply_waiting", language, code=case.code)
