"""The safety net, tested with messages that are not in its word list: inflected forms,
typos, Cyrillic, no diacritics, and idioms that must not count."""

import pytest

from bot.nlu.safety_net import CrisisMatch, default_safety_net

NET = default_safety_net()


@pytest.mark.parametrize(
    "text",
    [
        "ne želim više da živim",
        "razmišljam o samubistvu",  # typo
        "moja drugarica se reže žiletom",
        "Хоћу да се убијем",
        "popiću sve tablete večeras",
        "I keep thinking about suicde",  # typo
        "my friend says she wants to end her life",
        "i cut myself again last night",
        "everyone would be better off without me",
        "samoubojstvo",
        "SAMOUBISTVO",
        "večeras ću da se povrijedim",
        "хоћу се озлиједити",
    ],
)
def test_self_harm_is_caught(text: str) -> None:
    match = default_safety_net().check(text)
    assert match is not None and match.kind == "self_harm", text


@pytest.mark.parametrize(
    "text",
    [
        "ima nož u torbi i čeka me",
        "he brought a gun to school",
        "Имају пиштољ",
        "prijete da će me ubiti",
        "zovite policiju brzo",
        "UPOMOĆ",
        "they are hitting him right now",
        "tuku ga upravo sada iza škole",
        "zaključali su me u svlačionicu",
        "ubiće me kad izađem iz škole",
        "tata prijeti da će me ubiti ako kažem",
        "he is bleeding and not breathing",
        # Violence to someone else, going on as the child writes.
        "zatvorili su mog drugara u WC i biju ga",
        "a group is kicking my brother outside the gym, please hurry",
        "biju jednog dječaka već pola sata",
        "бију једног малог, нико не смије помоћи",
        "prijete da će ubiti nastavnika",
        "jedan ima boks u džepu",
        "a boy with a bat is waiting at the gate",
    ],
)
def test_danger_is_caught(text: str) -> None:
    match = default_safety_net().check(text)
    assert match is not None and match.kind == "urgent_danger", text


@pytest.mark.parametrize(
    "text",
    [
        "this test is killing me",
        "mama će me ubiti ako zakasnim",
        "keva će me zadavit kad vidi sobu",
        "ова задаћа ме убија",
        "umirem od dosade na času",
        "dying of laughter lol",
        "noge me bole poslije treninga",
        "samouvjeren sam",
        "they laughed at my accent yesterday",
        "zadirkuju me zbog naočala",
        "how do I stay safe online",
        "nije hitno, ali tuku me na treningu",
        "they locked my daughter in the changing room last month",
        "he is always hitting me at break",
        "treniram boks dvaput sedmično",
        "povrijedio sam se na treningu",
    ],
)
def test_everyday_messages_are_not_crises(text: str) -> None:
    assert default_safety_net().check(text) is None, text


def test_self_harm_wins_over_danger_words() -> None:
    match = default_safety_net().check("I want to kill myself with a knife")
    assert match is not None and match.kind == "self_harm"


DAY = "Danas je bio običan dan u školi i poslije smo igrali fudbal u dvorištu do mraka. "


def test_a_long_message_is_judged_sentence_by_sentence() -> None:
    # "right now" in one part of a diary and "fight" in another make no crisis...
    diary = (
        "Right now I am sitting in the kitchen writing my diary. "
        + DAY * 3
        + "In the film the two brothers had a big fight about the farm."
    )
    assert NET.check(diary) is None
    # ...but a crisis in any one sentence still counts, wherever it is.
    hidden = DAY * 2 + "Ne želim više živjeti. " + DAY * 2
    assert NET.check(hidden) == CrisisMatch("self_harm", "ne zelim vise zivj")


def test_an_idiom_excuses_only_its_own_sentence() -> None:
    text = DAY * 2 + "Ovaj test me ubija haha. " + DAY + "On će me ubiti poslije škole."
    assert NET.check(text) is not None and NET.check(text).kind == "urgent_danger"


@pytest.mark.parametrize(
    "text",
    [
        "brat je spakovao pištolj na vodu i loptu",
        "we had a water gun fight in the yard",
        "mama se sekira zbog mojih ocjena",
        "ubila me ova matematika",
        "fizika me ubila",
        "ako izgubimo trener će nas ubiti haha",
        "i tried to beat him like 25 times today",
        "то ће ме убити али вриједи",
        "sestra je pojela sve bombone",
        "taj film je bomba",
        "u igrici me upucao i opet sam poginuo haha",
        "pucao je s 20 metara u stativu",
        "noge me ubijaju od treninga",
        "ova pjesma me ubija svaki put",
        "ubio me boss u zadnjoj fazi",
        "Gavrilo Princip je ubio Franju Ferdinanda",
        "meso se reže na kocke",
        "mislim da ću se onesvijestit kad vidim gradivo",
        "pjevam tiho da ne probudim brata",
        "i'm going to die of boredom",
        "oh baby you set my world on fire",
    ],
)
def test_toys_and_idioms_are_not_crises(text: str) -> None:
    assert NET.check(text) is None


def test_a_bare_weapon_is_a_mention_and_a_weapon_with_danger_is_not() -> None:
    assert NET.check("grandma hides the knife for the bread").mention
    assert NET.check("ima nož").mention
    assert not NET.check("he brought a knife to school").mention
    assert not NET.check("Marko je izvadio nož na odmoru").mention
    assert not NET.check("he has a knife and threatens us").mention
    # A danger said outright wins over a mention elsewhere in the message.
    long_text = "Baka reže hljeb nožem. " + DAY * 3 + "Prijete da će me ubiti danas."
    assert not NET.check(long_text).mention


@pytest.mark.parametrize(
    "text",
    [
        "dojava da je bomba u školi, svi bježe",
        "ubiće me poslije škole",
        "on će me ubiti",
        "ubit ću te",
        "samo hoću zaspat i ne probudit se",
        "ne bih da se probudim više",
        "izvadio je nož na odmoru",
        "in the game chat he said he will kill me at school tomorrow with a knife",
    ],
)
def test_the_idiom_exceptions_leave_real_dangers_alone(text: str) -> None:
    match = NET.check(text)
    assert match is not None and not match.mention
