"""Taking a report: the form's choices, what a reporter's own words say, and the decisions
of the report conversation.

- `choices`: the options each question offers (data/hotline/choices.yml) and their buttons;
- `patterns`: the phrase patterns of data/hotline/extraction.yml;
- `answers`: what a typed answer to one question means;
- `extraction`: everything a story says about the report (who, when, where, danger);
- `dialogue`: what the report conversation does with each message;
- `summary`: the summary a reporter reads before sending.
"""

from bot.intake.choices import (
    CHOOSE_INTENT,
    MAX_DESCRIPTION,
    MIN_DESCRIPTION,
    SKIP,
    Option,
    Question,
    buttons,
    interpret,
    payload_choice,
    question,
    report_from_slots,
)

__all__ = [
    "CHOOSE_INTENT",
    "MAX_DESCRIPTION",
    "MIN_DESCRIPTION",
    "SKIP",
    "Option",
    "Question",
    "buttons",
    "interpret",
    "payload_choice",
    "question",
    "report_from_slots",
]
