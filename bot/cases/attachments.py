"""Files reporters send (photos, documents, MMS): kept as references at the channel and
attached to the case when the report is submitted; never turned into text."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.storage.models import Attachment


def telegram_file(message: Any) -> dict[str, Any] | None:
    """The file a Telegram message carries: the largest photo size, or a document."""
    if message.photo:
        largest = message.photo[-1]
        return {"kind": "photo", "file_ref": largest.file_id, "content_type": "image/jpeg"}
    if message.document:
        return {"kind": "document", "file_ref": message.document.file_id, "content_type": message.document.mime_type}
    return None


def keep(session: Session, conversation_id: str, channel: str, file: dict[str, Any]) -> None:
    session.add(
        Attachment(
            conversation_id=conversation_id,
            channel=channel,
            kind=file["kind"],
            file_ref=file["file_ref"],
            content_type=file.get("content_type"),
        )
    )


def attach_to_case(session: Session, conversation_id: str, case_id: int) -> int:
    """Give the conversation's unattached files to the case it just reported."""
    result = session.execute(
        update(Attachment)
        .where(Attachment.conversation_id == conversation_id, Attachment.case_id.is_(None))
        .values(case_id=case_id)
    )
    return result.rowcount or 0
