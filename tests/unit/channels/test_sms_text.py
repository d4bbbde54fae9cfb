from bot.channels.sms_text import is_gsm7, prepare, size, split_for_sms


def test_encodings_and_segments() -> None:
    assert size("a" * 160) == size("a" * 160) and size("a" * 160).segments == 1
    assert size("a" * 161).segments == 2 and size("a" * 306).segments == 2 and size("a" * 307).segments == 3
    assert size("č").encoding == "UCS-2" and size("č" * 70).segments == 1 and size("č" * 71).segments == 2
    assert size("Здраво").encoding == "UCS-2"
    assert size("{}").units == 4  # GSM-7 extension characters cost two septets


def test_folding_keeps_latin_replies_in_gsm7() -> None:
    text = "Ako si sada u opasnosti, nazovi policiju – odmah. Šta se desilo?"
    assert not is_gsm7(text)
    folded = prepare(text, fold=True)
    assert is_gsm7(folded) and "Sta se desilo?" in folded and "-" in folded
    assert not is_gsm7(prepare(text, fold=False))


def test_replies_are_cut_at_sentence_boundaries() -> None:
    sentences = ["Prva recenica je ovdje." * 3, "Druga je duza od prve i ima vise rijeci." * 3, "Treca." * 2]
    text = " ".join(sentences)
    messages, dropped = split_for_sms(text, max_segments=1)
    assert messages and all(size(m).segments <= 1 for m in messages)
    assert dropped  # the rest did not fit in one segment
    whole, nothing = split_for_sms(text, max_segments=6)
    assert nothing == [] and " ".join(whole).replace("  ", " ") == text


def test_a_very_long_sentence_is_split_at_words() -> None:
    messages, dropped = split_for_sms("rijec " * 200, max_segments=2)
    assert all(size(m).segments <= 2 for m in messages)


def test_numbered_options_keep_their_lines() -> None:
    messages, dropped = split_for_sms("Je li neko u opasnosti?\n1 Da\n2 Ne", max_segments=6)
    assert messages == ["Je li neko u opasnosti?\n1 Da\n2 Ne"] and dropped == []
