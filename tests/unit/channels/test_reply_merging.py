from bot.channels.reply_merging import combinable, combine, pack

QUESTION = {"recipient_id": "c", "text": "Where?", "buttons": [{"title": "Livno", "payload": "/x"}]}


def test_text_replies_and_a_final_question_become_one_message():
    replies = [{"recipient_id": "c", "text": "Thank you."}, QUESTION]
    assert pack(replies, fits=lambda _: True) == [
        {"recipient_id": "c", "text": "Thank you.\n\nWhere?", "buttons": QUESTION["buttons"]}
    ]


def test_replies_stay_apart_when_the_combined_message_does_not_fit():
    replies = [{"text": "a"}, {"text": "b"}]
    assert pack(replies, fits=lambda combined: len(combined["text"]) < 3) == replies


def test_buttons_before_the_last_reply_or_other_content_prevent_combining():
    assert not combinable([QUESTION, {"text": "more"}])
    assert not combinable([{"text": "look"}, {"image": "https://x/y.png"}])
    assert not combinable([{"text": "one reply"}])


def test_empty_texts_are_left_out():
    assert combine([{"text": "  "}, {"text": "Hello"}]) == {"text": "Hello"}
