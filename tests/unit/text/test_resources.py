from pathlib import Path

import pytest

from bot.text.resources import SHORT_LIMIT, ResourceError, best_topic, find_topic, load_library

REQUIRED_TOPICS = {
    "bullying",
    "cyberbullying",
    "discrimination",
    "conflict_resolution",
    "bystander",
    "emotions_anger",
    "supporting_your_child",
    "responding_to_disclosure",
    "childrens_rights",
    "displaced_children_rights",
    "after_a_fight",
    "where_to_get_help",
}


def test_library_has_every_topic_in_both_languages() -> None:
    topics = {t.id: t for t in load_library()}
    assert set(topics) >= REQUIRED_TOPICS and len(topics) >= 12
    for topic in topics.values():
        for language in ("en", "bcs"):
            short, long = topic.text("short", language), topic.text("long", language)
            assert 0 < len(short) <= SHORT_LIMIT, (topic.id, language)
            assert len(long) > len(short)
            assert "{" not in short + long, (topic.id, language)  # every placeholder filled


def test_numbers_come_from_the_contacts_file() -> None:
    text = find_topic("where_to_get_help").text("long", "en")
    assert "122" in text or "080 05 03 05" in text


@pytest.mark.parametrize(
    "question, expected",
    [
        ("how do I stay safe online?", "cyberbullying"),
        ("kako da se smirim kad sam ljut", "emotions_anger"),
        ("my child is being bullied, what should I do as a parent", "supporting_your_child"),
        ("koja su prava djece", "childrens_rights"),
    ],
)
def test_free_questions_find_their_topic(question: str, expected: str) -> None:
    topic = best_topic(question)
    assert topic is not None and topic.id == expected


def test_a_vague_question_finds_no_topic() -> None:
    assert best_topic("hmm") is None


def test_a_broken_topic_file_names_itself(tmp_path: Path) -> None:
    (tmp_path / "broken.yml").write_text("id: broken\ntitle: {en: x}\n", encoding="utf-8")
    with pytest.raises(ResourceError, match="broken.yml"):
        load_library(tmp_path)
