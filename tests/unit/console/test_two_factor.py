import re
from datetime import datetime, timedelta, timezone

from bot.console.two_factor import accepted_step, code_for, enrolment_uri, new_secret, qr_svg

NOW = datetime(2026, 12, 3, 10, 0, 0, tzinfo=timezone.utc)


def test_a_current_code_is_accepted_once() -> None:
    secret = new_secret()
    step = accepted_step(secret, code_for(secret, NOW), NOW, None)
    assert step is not None
    assert accepted_step(secret, code_for(secret, NOW), NOW, step) is None  # replayed


def test_a_code_from_the_neighbouring_step_is_accepted_an_old_one_is_not() -> None:
    secret = new_secret()
    assert accepted_step(secret, code_for(secret, NOW - timedelta(seconds=30)), NOW, None) is not None
    assert accepted_step(secret, code_for(secret, NOW - timedelta(minutes=5)), NOW, None) is None
    assert accepted_step(secret, "12 34", NOW, None) is None


def test_the_enrolment_qr_code_is_drawn_here_as_svg() -> None:
    svg = qr_svg(enrolment_uri(new_secret(), "livno-os-1-pedagogue"))
    # Nothing in the whole drawing points elsewhere: no link, image, script or style.
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert not re.search(r"https?:|href|<image|<script|<style|\sstyle=|\son\w+=", svg.replace("http://www.w3.org", ""))
