import time

from sqlalchemy import text

from bot.privacy.retention import purge_conversations


def test_purge_deletes_only_idle_conversations(engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255),"
                " type_name VARCHAR(255), timestamp FLOAT, data TEXT)"
            )
        )
        connection.execute(text("DELETE FROM events"))
        now = time.time()
        rows = [
            ("old", now - 40 * 86400),
            ("old", now - 31 * 86400),
            ("active", now - 40 * 86400),
            ("active", now - 60),
            ("new", now),
        ]
        for i, (sender, stamp) in enumerate(rows):
            connection.execute(
                text(
                    "INSERT INTO events (id, sender_id, type_name, timestamp, data) VALUES (:i, :s, 'user', :t, '{}')"
                ),
                {"i": i + 1, "s": sender, "t": stamp},
            )
    assert purge_conversations(engine, 30, now=now) == 1
    with engine.connect() as connection:
        left = {r[0] for r in connection.execute(text("SELECT DISTINCT sender_id FROM events"))}
        connection.execute(text("DROP TABLE events"))
        connection.commit()
    assert left == {"active", "new"}
