"""The worker rides out a database outage (PostgreSQL through a TCP proxy the test cuts):
it waits, a send that finished while the database was away is recorded when it is back
and never sent again, and an alert that goes out late says so on its case."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine, make_url

from bot.devtools.tcp_proxy import TcpProxy
from bot.outbox import store as outbox
from bot.outbox.senders import Senders
from bot.outbox.worker import Worker
from bot.storage import availability
from bot.storage.db import engine_for, session_scope
from bot.storage.models import CaseEvent, OutboxMessage, utcnow
from tests.db.outbox.test_worker import (  # noqa: F401 - fixtures
    STAFF_TOKEN,
    FakeApi,
    report,
    rows,
    telegram_api,
    twilio_api,
)


@pytest.fixture
def proxy(postgres_url: str) -> Iterator[TcpProxy]:
    parsed = make_url(postgres_url)
    running = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
    yield running
    running.close()
    availability.mark_up()


@pytest.fixture
def hotline(
    engine: Engine,
    proxy: TcpProxy,
    telegram_api: FakeApi,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Engine]:
    if engine.dialect.name != "postgresql":
        pytest.skip("the outage is made with a proxy in front of PostgreSQL")
    proxied = engine.url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", proxied)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", telegram_api.url)
    monkeypatch.setenv("TELEGRAM_STAFF_BOT_TOKEN", STAFF_TOKEN)
    yield engine
    engine_for(proxied).dispose()


class CutAfterSending(Senders):
    """The database goes away while a message is on its way."""

    def __init__(self, proxy: TcpProxy) -> None:
        super().__init__()
        self.proxy, self.cuts = proxy, 1

    async def send(self, message: outbox.Claimed) -> None:
        await super().send(message)
        if self.cuts:
            self.cuts -= 1
            self.proxy.cut()


async def test_a_send_finished_during_an_outage_is_recorded_after_it_and_not_repeated(
    hotline, proxy, telegram_api
) -> None:
    code = report(hotline)
    worker = Worker(CutAfterSending(proxy))
    try:
        assert await worker.tick() == 1  # sent; its result could not be recorded
        assert not availability.state().reachable
        with pytest.raises(Exception) as raised:
            await worker.tick()  # still away
        assert availability.is_unavailable(raised.value)
        proxy.restore()
        await worker.tick()
        assert [r.status for r in rows(hotline, code)] == ["sent"]
        await worker.tick(utcnow() + outbox.STALE_SENDING + timedelta(seconds=1))
        assert len(await telegram_api.recorded("sendMessage")) == 1
    finally:
        await worker.senders.close()


async def test_an_alert_sent_long_after_it_was_due_is_recorded_as_late(hotline, telegram_api) -> None:
    code = report(hotline)
    with session_scope(hotline) as session:
        session.execute(update(OutboxMessage).values(created_at=utcnow() - timedelta(minutes=3)))
    worker = Worker()
    try:
        assert await worker.tick() == 1
    finally:
        await worker.senders.close()
    with session_scope(hotline) as session:
        late = session.scalars(select(CaseEvent.body).where(CaseEvent.kind == "alert_late")).all()
    assert len(late) == 1 and "livno-os-1-pedagogue via staff_telegram: sent 1" in late[0]
    assert [r.status for r in rows(hotline, code)] == ["sent"]
