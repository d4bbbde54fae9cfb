"""`make bench-conversations`: personas (bench/personas/*.yml) talk to the real stack the
way people write, and the report conversation is measured.

Starts `rasa run` with the trained model, the action server and the fake Twilio API on a
fresh database. REST personas talk over the REST channel; SMS personas over the signed
Twilio webhook, reading what the bot sent from the fake Twilio API. The driver knows which
question the bot asks by its words (every reply of domain.yml, rendered for each language
and script), and answers as the persona would. Prints, against the issue's targets:
completion (code and PIN reached), turns to the code (median and p90; story-first people
apart), descriptions kept word for word on the case, incident types right, loops (the same
bot message three times running), cancels nobody asked for, crises answered with the
numbers; then every persona that missed something, with its transcript."""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rasa.shared.core.domain import Domain
from sqlalchemy import select

from bot.devtools.channel_client import post_sms, sms_sent
from bot.devtools.stack import Stack
from bot.directory.import_export import import_directory
from bot.paths import DATA_DIR, PROJECT_DIR
from bot.storage.db import engine_for, make_engine, session_scope
from bot.storage.migrate import upgrade
from bot.storage.models import Case
from bot.text import emergency_numbers
from bot.text.nlg import HotlineNLG
from bot.text.scripts import normalize_for_nlu

PERSONAS_DIR = PROJECT_DIR / "bench" / "personas"
MAX_TURNS = 40
CODE = re.compile(r"JS-[A-Z0-9]{4}-[A-Z0-9]{4}")
# Replies that ask something, and the persona's answer key for each.
QUESTIONS = {
    "utter_ask_incident_type": "incident_type",
    "utter_ask_discrimination_ground": "discrimination_ground",
    "utter_ask_affected": "affected",
    "utter_ask_reporter_role": "reporter_role",
    "utter_ask_school": "school",
    "utter_ask_incident_time": "incident_time",
    "utter_ask_description": "description",
    "utter_ask_danger_now": "danger_now",
    "utter_ask_contact_ok": "contact_ok",
    "utter_ask_legal_aid_ok": "legal_aid_ok",
    "utter_ask_confirm": "confirm",
    "utter_ask_confirm_short": "confirm",
    "utter_ask_change_field": "change_field",
    "utter_ask_resume_draft": "resume_draft",
    "utter_ask_discard_confirm": "discard_confirm",
    "utter_offer_report_after_crisis": "after_crisis",
    "utter_greet": "menu",
    "utter_help_menu": "menu",
    "utter_default": "menu",
    "utter_out_of_scope": "menu",
    "utter_ask_case_code": "case_code",
    "utter_ask_case_pin": "case_pin",
}
CANCELLED = "utter_report_cancelled"
PREFIX_CHARS = 45
TARGETS = {"completion": 1.0, "kept": 1.0, "type_right": 0.9, "median_story_turns": 7}


def _templates() -> dict[str, list[str]]:
    """The opening words of every reply, folded, for each language."""
    nlg = HotlineNLG(domain=Domain.load(str(PROJECT_DIR / "domain.yml")))
    marker = "\u2063"
    found: dict[str, list[str]] = {}
    for name in nlg.responses:
        for language in ("en", "bcs"):
            response = nlg.generate_from_slots(
                name,
                {"language": language, "script": "latin"},
                "rest",
                **{key: marker for key in ("summary", "code", "pin", "deadline", "update")},
            )
            text = normalize_for_nlu((response or {}).get("text") or "").split(marker)[0]
            if len(text) >= 8:
                found.setdefault(name, []).append(text[:PREFIX_CHARS])
    return found


@dataclass
class Transcript:
    persona: dict[str, Any]
    lines: list[str] = field(default_factory=list)
    bot_texts: list[str] = field(default_factory=list)
    responses: list[str] = field(default_factory=list)
    sent: int = 0
    messages: list[str] = field(default_factory=list)
    turns: list[list[str]] = field(default_factory=list)
    code: str | None = None
    turns_to_code: int | None = None
    crisis_answered: bool = False
    cancelled: bool = False


class Driver:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.templates = _templates()

    def recognise(self, text: str) -> list[tuple[int, str]]:
        """(position, response) of every known reply in a bot message."""
        folded = normalize_for_nlu(text)
        hits = []
        for name, prefixes in self.templates.items():
            for prefix in prefixes:
                at = folded.find(prefix)
                if at >= 0:
                    hits.append((at, name))
                    break
        return sorted(hits)

    def _turn(self, persona: dict[str, Any], sender: str, text: str) -> list[dict[str, Any]]:
        if persona.get("channel") == "sms":
            before = len(sms_sent(self.stack, sender))
            status, _ = post_sms(self.stack, sender, text)
            assert status == 200, status
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                sent = sms_sent(self.stack, sender)
                if len(sent) > before:
                    time.sleep(0.4)  # a turn's later segments
                    return [{"text": m.get("Body", "")} for m in sms_sent(self.stack, sender)[before:]]
                time.sleep(0.1)
            return []
        return self.stack.say(sender, text)

    def play(self, persona: dict[str, Any], sender: str) -> Transcript:
        t = Transcript(persona)
        asked_count: dict[str, int] = {}
        interjected: set[str] = set()
        queue = list(persona.get("opening") or [])
        last_buttons: list[dict[str, Any]] = []
        question: str | None = None
        while t.sent < MAX_TURNS:
            if not queue:
                if question is None:
                    break
                queue = self._answers_for(persona, question, asked_count, interjected)
            message = queue.pop(0)
            text = self._typed(message, last_buttons, persona)
            replies = self._turn(persona, sender, text)
            t.sent += 1
            t.messages.append(text)
            t.lines.append(f"  > {text}")
            t.turns.append([r.get("text") or "" for r in replies])
            question = None
            for reply in replies:
                body = reply.get("text") or ""
                t.lines.append("  < " + body.replace("\n", " / ")[:300])
                t.bot_texts.append(body)
                numbers = emergency_numbers.placeholders(None)
                if numbers["police"] in body and numbers["ambulance"] in body:
                    t.crisis_answered = True  # the emergency numbers reached this persona
                for _, name in self.recognise(body):
                    t.responses.append(name)
                    if name == CANCELLED:
                        t.cancelled = True
                    if name in QUESTIONS:
                        question = QUESTIONS[name]
                if reply.get("buttons"):
                    last_buttons = reply["buttons"]
                code = CODE.search(body)
                if code and t.code is None:
                    t.code, t.turns_to_code = code.group(0), t.sent
            if t.code:
                break
            if question is None and not queue:
                # Nothing asked (an aside, the channel's own help text): a person goes on
                # from the menu.
                question = "menu"
        return t

    @staticmethod
    def _answers_for(persona: dict[str, Any], question: str, asked: dict[str, int], interjected: set[str]) -> list[Any]:
        queue: list[Any] = []
        if question not in interjected:
            interjected.add(question)
            queue += list((persona.get("interject") or {}).get(question) or [])
        answer = (persona.get("answers") or {}).get(question)
        if answer is None:
            answer = {"button": 1} if question == "menu" else "ne znam"
        if isinstance(answer, list):
            index = min(asked.get(question, 0), len(answer) - 1)
            answer = answer[index]
        asked[question] = asked.get(question, 0) + 1
        return queue + [answer]

    @staticmethod
    def _typed(message: Any, buttons: list[dict[str, Any]], persona: dict[str, Any]) -> str:
        if isinstance(message, dict) and "button" in message:
            index = int(message["button"])
            if persona.get("channel") == "sms":
                return str(index)  # the SMS channel numbers the options
            if 1 <= index <= len(buttons):
                return buttons[index - 1]["payload"]
            return str(index)
        return str(message)


def _loops(turns: list[list[str]]) -> bool:
    """The same bot message in three turns running, or three times running in one."""
    flat = [text for turn in turns for text in turn]
    if any(flat[i] == flat[i + 1] == flat[i + 2] for i in range(len(flat) - 2)):
        return True
    return any(set(turns[i]) & set(turns[i + 1]) & set(turns[i + 2]) for i in range(len(turns) - 2))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def load_personas(directory: Path = PERSONAS_DIR) -> list[dict[str, Any]]:
    personas = []
    for path in sorted(directory.glob("*.yml")):
        personas += yaml.safe_load(path.read_text(encoding="utf-8"))["personas"]
    return personas


def _judge(t: Transcript, case: Case | None) -> dict[str, bool]:
    expect = t.persona.get("expect") or {}
    description = (case.description or "") if case else ""
    # What the persona told of the story and actually sent (a description question the
    # story made unnecessary was never asked) must be on the case word for word.
    told = [d for d in expect.get("description") or [] if any(d in m for m in t.messages)]
    return {
        "completed": t.code is not None,
        "kept": case is not None and bool(description) and all(d in description for d in told),
        "type_right": case is not None and case.incident_type == expect.get("incident_type"),
        "loop": _loops(t.turns),
        "unasked_cancel": t.cancelled,
        "crisis_answered": t.crisis_answered if expect.get("crisis") else True,
    }


def run(select_ids: Callable[[dict[str, Any]], bool] = lambda p: True) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="bench-conversations-"))
    url = f"sqlite:///{workdir / 'hotline.db'}"
    upgrade(url)
    with session_scope(make_engine(url)) as session:
        import_directory(session, DATA_DIR / "directory.yml")
    stack = Stack(url, workdir, with_fakes=True).start()
    personas = [p for p in load_personas() if select_ids(p)]
    results = []
    try:
        driver = Driver(stack)
        for number, persona in enumerate(personas):
            sender = f"+3876{number:07d}" if persona.get("channel") == "sms" else f"persona-{persona['id']}"
            transcript = driver.play(persona, sender)
            case = None
            if transcript.code:
                with session_scope(engine_for(url)) as session:
                    case = session.scalars(select(Case).where(Case.code == transcript.code)).one_or_none()
                    if case is not None:
                        session.expunge(case)
            results.append((transcript, _judge(transcript, case), case))
    finally:
        stack.stop()
    return _report(results)


def _share(results: list, key: str) -> float:
    return sum(judged[key] for _, judged, _ in results) / max(1, len(results))


def _report(results: list) -> int:
    n = len(results)
    turns = [t.turns_to_code for t, _, _ in results if t.turns_to_code]
    story = [t.turns_to_code for t, _, _ in results if t.turns_to_code and t.persona.get("style") == "story_first"]
    crisis = [(t, j) for t, j, _ in results if (t.persona.get("expect") or {}).get("crisis")]
    sms = [r for r in results if r[0].persona.get("channel") == "sms"]
    figures = {
        "completion": _share(results, "completed"),
        "kept": _share(results, "kept"),
        "type_right": _share(results, "type_right"),
        "loops": sum(j["loop"] for _, j, _ in results),
        "cancels": sum(j["unasked_cancel"] for _, j, _ in results),
        "median_story_turns": statistics.median(story) if story else float("nan"),
    }
    print(f"\npersonas: {n} ({len(sms)} over the signed SMS webhook, {n - len(sms)} over REST)")
    rows = [
        ("reports completed (code and PIN)", f"{figures['completion']:.3f}", figures["completion"] >= 1.0, "= 1.00"),
        ("loops (same bot message 3x running)", str(figures["loops"]), figures["loops"] == 0, "= 0"),
        ("cancels nobody asked for", str(figures["cancels"]), figures["cancels"] == 0, "= 0"),
        ("descriptions kept word for word", f"{figures['kept']:.3f}", figures["kept"] >= 1.0, "= 1.00"),
        ("incident type right", f"{figures['type_right']:.3f}", figures["type_right"] >= 0.9, ">= 0.90"),
        (
            "crises answered with the numbers",
            f"{sum(j['crisis_answered'] for _, j in crisis)}/{len(crisis)}",
            all(j["crisis_answered"] for _, j in crisis),
            "all",
        ),
        (
            "turns to the code, story first: median",
            f"{figures['median_story_turns']}",
            figures["median_story_turns"] <= 7,
            "<= 7",
        ),
    ]
    for label, value, ok, target in rows:
        print(f"[{'ok ' if ok else 'MISS'}] {label:42} {value:>8}  (target {target})")
    print(f"       turns to the code, story first: p90 {_percentile(story, 0.9)}")
    print(
        f"       turns to the code, everyone: median {statistics.median(turns) if turns else 'n/a'}, "
        f"p90 {_percentile(turns, 0.9)}"
    )
    for channel in ("rest", "sms"):
        part = [r for r in results if (r[0].persona.get("channel") or "rest") == channel]
        if part:
            print(
                f"       {channel}: completed {_share(part, 'completed'):.3f}, kept {_share(part, 'kept'):.3f}, "
                f"type right {_share(part, 'type_right'):.3f}"
            )
    missed = [
        (t, j, c)
        for t, j, c in results
        if not (
            j["completed"]
            and j["kept"]
            and j["type_right"]
            and not j["loop"]
            and not j["unasked_cancel"]
            and j["crisis_answered"]
        )
    ]
    for t, j, case in missed:
        problems = [k for k, v in j.items() if (not v if k not in ("loop", "unasked_cancel") else v)]
        got = f"type {case.incident_type}" if case else "no case"
        print(
            f"\n--- {t.persona['id']}: {', '.join(problems)} "
            f"(expected {t.persona.get('expect', {}).get('incident_type')}, {got})"
        )
        print("\n".join(t.lines[-40:]))
    return 0


if __name__ == "__main__":
    wanted = set(sys.argv[1:])
    sys.exit(run(lambda p: not wanted or p["id"] in wanted or any(p["id"].startswith(w) for w in wanted)))
