"""No message text in the logs: what a child writes may name them or others.

Rasa warns about some messages by quoting them whole ("Failed to parse arguments in line
'/reply JS-… hvala'" for a message that starts with "/"). Those warnings are turned off
in the processes that read messages; our own code logs ids, counts and error types,
never a text. Debug logging (`--debug`, LOG_LEVEL=DEBUG) does show texts: an operator
must turn it on on purpose, and only to find a fault (README)."""

from __future__ import annotations

import warnings

# Rasa warnings whose message quotes what the user wrote.
QUOTING_WARNINGS = (
    r"Failed to parse arguments in line",
    r"Failed to parse intent end-to-end example",
    r"Parsing of message",
)


def keep_texts_out_of_logs() -> None:
    for pattern in QUOTING_WARNINGS:
        warnings.filterwarnings("ignore", message=pattern)
