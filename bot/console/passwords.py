"""Staff passwords: Argon2 hashes only, at least 12 characters, and not one of the passwords
people pick first (data/console/common_passwords.txt, compared case-insensitively and with
digits and punctuation at the end left out, so that "Sarajevo2026!" counts as "sarajevo")."""

from __future__ import annotations

import re
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.paths import PROJECT_DIR

MIN_LENGTH = 12
COMMON_PASSWORDS = PROJECT_DIR / "data" / "console" / "common_passwords.txt"

_hasher = PasswordHasher()
_TAIL = re.compile(r"[\d\W_]+$")


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _stems(password: str) -> set[str]:
    lowered = password.strip().lower()
    return {lowered, _TAIL.sub("", lowered)}


def problems(password: str, also_not: tuple[str, ...] = ()) -> list[str]:
    """Why a new password cannot be used, as keys of the console's texts (empty when it can).
    `also_not`: words that must not be the password, such as the responder's code or name."""
    found = []
    if len(password) < MIN_LENGTH:
        found.append("password_too_short")
    if len(set(password)) < 4:
        found.append("password_few_characters")
    stems = _stems(password)
    if "" in stems:
        found.append("password_no_letters")
    if stems & _common() or any(word and word.lower() in stems for word in also_not):
        found.append("password_common")
    return found


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@lru_cache(maxsize=1)
def _stand_in_hash() -> str:
    return _hasher.hash("no account has this password")


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether the password matches. Without a stored hash a stand-in is checked, so that a
    sign-in takes as long for an account that does not exist."""
    if not stored_hash:
        try:
            _hasher.verify(_stand_in_hash(), password)
        except VerificationError:
            pass
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
