"""What every webhook checks in what it reads before anything is stored: well-formed
Unicode (no lone surrogates, which no database can store), integers that fit in 64 bits,
and texts of a sane size. A request that fails gets 400 (docs/channels.md)."""

from __future__ import annotations

from typing import Any

from bot.channels.errors import Rejected

MAX_TEXT_CHARS = 10_000  # far above Telegram's 4096 and an SMS's 1600; a limit for storage
INT64 = 2**63


def check_values(value: Any, path: str = "update") -> None:
    """Every string and integer in a parsed JSON document, however deep."""
    stack = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, dict):
            stack.extend((f"{where}.{key}", child) for key, child in item.items())
        elif isinstance(item, list):
            stack.extend((f"{where}[{index}]", child) for index, child in enumerate(item))
        elif isinstance(item, str):
            _check_unicode(item, where)
        elif isinstance(item, int) and not isinstance(item, bool) and not -INT64 <= item < INT64:
            raise Rejected(400, f"{where} does not fit in 64 bits")


def _check_unicode(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Rejected(400, f"{where} is not well-formed Unicode") from None


def text_field(value: Any, where: str) -> str:
    """A text we read (message text, caption, button data): a string or absent, within
    MAX_TEXT_CHARS, without NUL characters (PostgreSQL cannot store them)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Rejected(400, f"{where} is not a string")
    _check_unicode(value, where)
    if len(value) > MAX_TEXT_CHARS:
        raise Rejected(413, f"{where} is too long")
    return value.replace("\x00", "")


def object_field(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Rejected(400, f"{where} is not an object")
    return value


def optional_object_field(value: Any, where: str) -> dict[str, Any] | None:
    return None if value is None else object_field(value, where)


def id_field(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not -INT64 <= value < INT64:
        raise Rejected(400, f"{where} is not a 64-bit integer")
    return value
