"""Who to alert: responders by selector, by the phone or Telegram chat that wrote, and the
one place that opens a responder's sealed phone number (for sending only)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot.directory.duty_hours import on_duty_at
from bot.directory.entries import COUNSELLOR_ROLES
from bot.directory.phones import normalize_phone, phone_key
from bot.privacy.sealing import unseal
from bot.storage.models import Responder, School

# selector -> (roles, is_backup: None when either) of the case's school
_SCHOOL_SELECTORS: dict[str, tuple[tuple[str, ...], bool | None]] = {
    "school:counsellor": (COUNSELLOR_ROLES, False),
    "school:backup_counsellor": (COUNSELLOR_ROLES, True),
    "school:principal": (("principal",), None),
}
# The same staff at every school of the case's town, for a case that names a town but no
# school ("a knife at the school in Livno"): each school there must look. A case that
# names its school is that school's alone, so these then resolve to nobody.
_TOWN_SELECTORS: dict[str, str] = {
    "town:counsellor": "school:counsellor",
    "town:backup_counsellor": "school:backup_counsellor",
    "town:principal": "school:principal",
}
# selector -> (kind, role) of responders outside schools, chosen by place and duty hours
_AREA_SELECTORS: dict[str, tuple[str, str]] = {
    "canton:coordinator": ("staff", "coordinator"),
    "service:red_cross_duty": ("service", "red_cross_duty"),
    "service:red_cross_psychosocial": ("service", "red_cross_psychosocial"),
    "service:legal_aid": ("service", "legal_aid"),
    "service:social_welfare": ("service", "social_welfare"),
    "service:police": ("service", "police"),
}
SELECTORS = (*_SCHOOL_SELECTORS, *_TOWN_SELECTORS, *_AREA_SELECTORS)


def is_on_duty(responder: Responder, now_utc: datetime) -> bool:
    try:
        return on_duty_at(responder.on_duty, now_utc)
    except ValueError:
        return True  # hours that cannot be read must not hide someone from an alert


def _nearest(candidates: Sequence[Responder], municipality_id: int | None, now: datetime) -> list[Responder]:
    """On duty before off duty; within each, the case's municipality, then canton-wide,
    then anywhere: a critical alert must reach someone."""
    on_duty = [r for r in candidates if is_on_duty(r, now)]
    for pool in (on_duty, list(candidates)):
        local = [r for r in pool if municipality_id is not None and r.municipality_id == municipality_id]
        canton_wide = [r for r in pool if r.municipality_id is None]
        for tier in (local, canton_wide, pool):
            if tier:
                return tier
    return []


def _school_staff(active: Select, selector: str) -> Select:
    roles, backup = _SCHOOL_SELECTORS[selector]
    query = active.where(Responder.role.in_(roles))
    return query if backup is None else query.where(Responder.is_backup.is_(backup))


def resolve(
    session: Session, selector: str, school_id: int | None, municipality_id: int | None, now: datetime
) -> list[Responder]:
    """The active responders a selector names for a case at this school and municipality
    (either may be None), at `now` (UTC). ValueError for an unknown selector."""
    active = select(Responder).where(Responder.active.is_(True)).order_by(Responder.id)
    if selector in _SCHOOL_SELECTORS:
        if school_id is None:
            return []
        return list(session.scalars(_school_staff(active, selector).where(Responder.school_id == school_id)))
    if selector in _TOWN_SELECTORS:
        if school_id is not None or municipality_id is None:
            return []
        schools = select(School.id).where(School.municipality_id == municipality_id)
        return list(
            session.scalars(_school_staff(active, _TOWN_SELECTORS[selector]).where(Responder.school_id.in_(schools)))
        )
    if selector in _AREA_SELECTORS:
        kind, role = _AREA_SELECTORS[selector]
        if municipality_id is None and school_id is not None:
            school = session.get(School, school_id)
            municipality_id = school.municipality_id if school else None
        candidates = session.scalars(
            active.where(Responder.kind == kind, Responder.role == role, Responder.school_id.is_(None))
        ).all()
        return _nearest(candidates, municipality_id, now)
    raise ValueError(f"unknown responder selector '{selector}' (known: {', '.join(SELECTORS)})")


def by_phone(session: Session, phone: str) -> Responder | None:
    """The active responder whose stored number wrote (any spelling Twilio or a person
    uses: "+387 63 ...", "whatsapp:+387...")."""
    normalized = normalize_phone(phone)
    if normalized is None:
        return None
    return session.scalars(
        select(Responder)
        .where(Responder.phone_key == phone_key(normalized), Responder.active.is_(True))
        .order_by(Responder.id)
    ).first()


def by_telegram_chat(session: Session, chat_id: str | int) -> Responder | None:
    """The active responder enrolled with this Telegram chat (the first, should one person
    hold two records)."""
    return session.scalars(
        select(Responder)
        .where(Responder.telegram_chat_id == str(chat_id).strip(), Responder.active.is_(True))
        .order_by(Responder.id)
    ).first()


def phone_of(responder: Responder) -> str | None:
    """The responder's phone number in clear. Only code that sends a message calls this."""
    return unseal(responder.sealed_phone) if responder.sealed_phone else None
