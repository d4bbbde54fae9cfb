"""While a reporter's follow-up window is open (after a counsellor's message reached them,
or after they checked in with code and PIN), what they write is an answer for the staff on
their case, not a new conversation turn. MENU / IZBORNIK leaves the thread. A crisis
message is still answered by the bot at once, and forwarded too."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.channels.inbox import PendingTurn
from bot.followup import thread as followup
from bot.followup.texts import is_menu_word, reporter_text
from bot.nlu.safety_net import default_safety_net
from bot.storage.db import on_loop
from bot.storage.models import utcnow

Reply = dict[str, Any]
Converse = Callable[[str], Awaitable[list[Reply]]]


async def answer_in_thread(turn: PendingTurn, converse: Converse) -> list[Reply] | None:
    """The replies for a message written inside an open thread, or None outside one."""
    if not turn.text.strip():
        return None
    thread = await on_loop(followup.open_thread, turn.conversation_id, utcnow())
    if thread is None:
        return None
    if is_menu_word(turn.text):
        await on_loop(followup.close_window, turn.conversation_id)
        closed = reporter_text("window_closed", thread.language, thread.script)
        return [{"text": closed}] + await converse("/greet")
    await on_loop(followup.reporter_answer, thread.case_id, turn.text)
    forwarded = [{"text": reporter_text("answer_forwarded", thread.language, thread.script, code=thread.code)}]
    if default_safety_net().check(turn.text):
        return await converse(turn.text) + forwarded  # emergency numbers first
    return forwarded
