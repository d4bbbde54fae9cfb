"""TOTP two-factor for every console account (RFC 6238, 30-second steps, as any
authenticator app does). The secret is stored sealed; a code is accepted once, within one
step either side of now, so that a code seen over someone's shoulder cannot be replayed."""

from __future__ import annotations

from datetime import datetime

import pyotp
import segno

ISSUER = "Javi se"
STEP_SECONDS = 30


def new_secret() -> str:
    return pyotp.random_base32(32)  # 160 bits, as RFC 4226 recommends


def enrolment_uri(secret: str, account_label: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account_label, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG: drawn here, no network, no image host."""
    return segno.make(uri, error="m").svg_inline(scale=5)


def code_for(secret: str, at: datetime) -> str:
    """The code an authenticator shows at `at` (for tests and the demo)."""
    return pyotp.TOTP(secret).at(at)


def accepted_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step a typed code belongs to, if it is valid now and newer than the last one
    used; None otherwise."""
    typed = "".join(code.split())
    if not (typed.isdigit() and len(typed) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in (current - 1, current, current + 1):
        if (last_step is None or step > last_step) and totp.at(step * STEP_SECONDS) == typed:
            return step
    return None
