from bot.channels.telegram import keyboard, split_text


def test_long_replies_are_split_within_telegrams_limit() -> None:
    text = ("Paragraf jedan. " * 200) + "\n\n" + ("Drugi paragraf. " * 200)
    chunks = split_text(text, limit=4096)
    assert len(chunks) >= 2 and all(len(c) <= 4096 for c in chunks)
    assert "".join(chunks).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")


def test_buttons_become_an_inline_keyboard() -> None:
    markup = keyboard([{"title": "Prijavi", "payload": "/report_incident"}])
    assert markup.inline_keyboard[0][0].callback_data == "/report_incident"
    assert keyboard([]) is None
