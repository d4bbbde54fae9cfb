"""Case codes and PINs.

A case code (JS-7F3Q-9K2M) uses an alphabet without look-alike characters (no 0/O, 1/I/L),
and typed codes are forgiving: lower case, missing dashes, spaces and Cyrillic look-alike
letters are accepted. The PIN is six digits and only its Argon2 hash is stored.
"""

from __future__ import annotations

import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_PREFIX = "JS"
_CODE_RE = re.compile(rf"^{CODE_PREFIX}-[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}$")
_PIN_RE = re.compile(r"^\d{6}$")

# Cyrillic letters that look like Latin ones, for a code typed on a Cyrillic keyboard.
_LOOKALIKES = str.maketrans("АВЕКМНОРСТХУЈЅ", "ABEKMHOPCTXYJS")

_hasher = PasswordHasher()


def new_case_code() -> str:
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{CODE_PREFIX}-{body[:4]}-{body[4:]}"


def normalize_case_code(typed: str) -> str | None:
    """The canonical code for what a reporter typed, or None if it cannot be one."""
    compact = re.sub(r"[\s\-_.]", "", typed.upper().translate(_LOOKALIKES))
    if compact.startswith(CODE_PREFIX):
        compact = compact[len(CODE_PREFIX) :]
    if len(compact) != 8:
        return None
    code = f"{CODE_PREFIX}-{compact[:4]}-{compact[4:]}"
    return code if _CODE_RE.match(code) else None


def new_pin() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def normalize_pin(typed: str) -> str | None:
    digits = re.sub(r"\s", "", typed)
    return digits if _PIN_RE.match(digits) else None


def hash_pin(pin: str) -> str:
    return _hasher.hash(pin)


def verify_pin(pin_hash: str, pin: str) -> bool:
    try:
        return _hasher.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


_CODE_IN_TEXT = re.compile(
    rf"(?<![A-Z0-9])(?:{CODE_PREFIX}[\s\-_.]*)?([{CODE_ALPHABET}]{{4}})[\s\-_.]?([{CODE_ALPHABET}]{{4}})(?![A-Z0-9])"
)
_PIN_IN_TEXT = re.compile(r"(?<![\w-])(\d{3})[\s]?(\d{3})(?![\w-])")


def find_code_and_pin(typed: str) -> tuple[str | None, str | None]:
    """A case code and a PIN pasted in one message, with words around them, in any case,
    with or without dashes: "checking my report JS-5DXB-FN5M pin 969119"."""
    upper = typed.upper().translate(_LOOKALIKES)
    code = None
    rest = upper
    for match in _CODE_IN_TEXT.finditer(upper):
        candidate = f"{CODE_PREFIX}-{match.group(1)}-{match.group(2)}"
        has_prefix = match.group(0).startswith(CODE_PREFIX)
        if _CODE_RE.match(candidate) and (has_prefix or not match.group(0).isdigit()):
            if not has_prefix and match.group(1).isalpha() and match.group(2).isalpha():
                continue  # two ordinary words ("MOJA PRIJAVA") are not a code without "JS"
            code = candidate
            rest = upper[: match.start()] + " " + upper[match.end() :]
            break
    pin_match = _PIN_IN_TEXT.search(rest)
    pin = pin_match.group(1) + pin_match.group(2) if pin_match else None
    return code, pin


def names_a_case(typed: str) -> bool:
    """A message that is a check-in: a code written with its "JS", or a code and a PIN.
    A username such as "hater88x" in a story is neither."""
    code, pin = find_code_and_pin(typed)
    if code is None:
        return False
    return (
        pin is not None
        or re.search(rf"(?<![A-Z0-9]){CODE_PREFIX}[\s\-_.]*[{CODE_ALPHABET}]", typed.upper().translate(_LOOKALIKES))
        is not None
    )
