import pytest

from bot.text.language_switch import requested_language


@pytest.mark.parametrize(
    "text, current, expected",
    [
        ("English please", ("bcs", "latin"), ("en", "latin")),
        ("može na bosanskom", ("en", "latin"), ("bcs", "latin")),
        ("piši ćirilicom", ("bcs", "latin"), ("bcs", "cyrillic")),
        ("латиница", ("bcs", "cyrillic"), ("bcs", "latin")),
        ("hrvatski molim", ("en", "latin"), ("bcs", "latin")),
        ("can you speak serbian", ("en", "latin"), ("bcs", "latin")),
        ("/switch_language", ("en", "latin"), ("bcs", "latin")),
        ("/switch_language", (None, None), ("en", "latin")),
    ],
)
def test_requested_language(text, current, expected) -> None:
    assert requested_language(text, *current) == expected
