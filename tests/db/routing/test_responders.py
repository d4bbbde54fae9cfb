"""Duty hours, choosing responders for a case, and finding them by phone or chat."""

from datetime import datetime, timezone

import pytest

from bot.directory.duty_hours import normalize_on_duty, on_duty_at
from bot.directory.phones import normalize_phone
from bot.routing.responders import by_phone, by_telegram_chat, is_on_duty, phone_of, resolve
from bot.storage.models import Municipality, Responder, School


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


# Europe/Sarajevo is UTC+1 in winter and UTC+2 in summer; 2025-01-15 is a Wednesday.
WED_10_LOCAL = utc(2025, 1, 15, 9, 0)
WED_22_LOCAL = utc(2025, 1, 15, 21, 0)
SAT_03_LOCAL = utc(2025, 1, 18, 2, 0)
SAT_10_LOCAL = utc(2025, 1, 18, 9, 0)


def _codes(responders: list[Responder]) -> list[str]:
    return [r.code for r in responders]


def _school(db, code: str) -> School:  # type: ignore[no-untyped-def]
    return db.query(School).filter_by(code=code).one()


def _municipality_id(db, code: str) -> int:  # type: ignore[no-untyped-def]
    return db.query(Municipality).filter_by(code=code).one().id


def _deactivate(db, *codes: str) -> None:  # type: ignore[no-untyped-def]
    for responder in db.query(Responder).filter(Responder.code.in_(codes)):
        responder.active = False
    db.flush()


# --- duty hours --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, canonical",
    [
        ("always", "always"),
        (None, "always"),
        ("Mon-Fri 7:30-15:30", "mon-fri 07:30-15:30"),
        (["mon-fri 15:30-07:30", "sat-sun 00:00-24:00"], "mon-fri 15:30-07:30; sat-sun 00:00-24:00"),
        ("sat 08:00 - 12:00; sun 10:00-11:00", "sat 08:00-12:00; sun 10:00-11:00"),
        ("fri-mon 10:00-12:00", "fri-mon 10:00-12:00"),
    ],
)
def test_duty_hours_are_normalized(typed: object, canonical: str) -> None:
    assert normalize_on_duty(typed) == canonical


@pytest.mark.parametrize(
    "typed, problem",
    [
        ("mon-fri 25:00-26:00", "'25:00' is not a time of day"),
        ("mon 24:00-08:00", "'24:00' is not a time of day"),
        ("weekdays 08:00-16:00", "unknown day 'weekdays'"),
        ("mon-fri", "is not like 'mon-fri 07:30-15:30'"),
        ("mon 08:00-08:00", "is an empty window"),
        ([], "no windows given"),
    ],
)
def test_malformed_duty_hours_say_why(typed: object, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        normalize_on_duty(typed)


@pytest.mark.parametrize(
    "on_duty, moment, expected",
    [
        ("always", SAT_03_LOCAL, True),
        ("mon-fri 07:30-15:30", WED_10_LOCAL, True),
        ("mon-fri 07:30-15:30", WED_22_LOCAL, False),
        ("mon-fri 07:30-15:30", SAT_10_LOCAL, False),
        # over midnight: Friday's window runs into Saturday morning, Sunday's does not exist
        ("mon-fri 15:30-07:30", utc(2025, 1, 18, 6, 0), True),  # Sat 07:00 local
        ("mon-fri 15:30-07:30", utc(2025, 1, 18, 7, 0), False),  # Sat 08:00 local
        ("mon-fri 15:30-07:30", utc(2025, 1, 20, 6, 0), False),  # Mon 07:00 local
        ("mon-fri 15:30-07:30", utc(2025, 1, 20, 15, 0), True),  # Mon 16:00 local
        ("sat-sun 00:00-24:00", utc(2025, 1, 19, 22, 59), True),  # Sun 23:59 local
        ("sat-sun 00:00-24:00", utc(2025, 1, 19, 23, 0), False),  # Mon 00:00 local
        ("fri-mon 10:00-12:00", utc(2025, 1, 19, 10, 0), True),  # Sun 11:00 local
        ("fri-mon 10:00-12:00", utc(2025, 1, 15, 10, 0), False),  # Wed 11:00 local
        # summer time: UTC+2
        ("mon-fri 07:30-15:30", utc(2025, 7, 16, 5, 30), True),
        ("mon-fri 07:30-15:30", utc(2025, 7, 16, 5, 29), False),
    ],
)
def test_duty_hours_are_local_time_in_sarajevo(on_duty: str, moment: datetime, expected: bool) -> None:
    assert on_duty_at(on_duty, moment) is expected
    assert is_on_duty(Responder(on_duty=on_duty), moment) is expected


def test_unreadable_stored_hours_never_hide_a_responder() -> None:
    assert is_on_duty(Responder(on_duty="whenever"), WED_10_LOCAL) is True


# --- resolve -----------------------------------------------------------------------------


def test_school_selectors_name_the_school_staff(db) -> None:
    school = _school(db, "livno-os-1")
    args = (school.id, school.municipality_id, WED_10_LOCAL)
    assert _codes(resolve(db, "school:counsellor", *args)) == ["livno-os-1-pedagogue"]
    assert _codes(resolve(db, "school:backup_counsellor", *args)) == ["livno-os-1-psychologist"]
    assert _codes(resolve(db, "school:principal", *args)) == ["livno-os-1-principal"]
    assert resolve(db, "school:counsellor", None, school.municipality_id, WED_10_LOCAL) == []
    _deactivate(db, "livno-os-1-pedagogue")
    assert resolve(db, "school:counsellor", *args) == []


def test_red_cross_duty_prefers_the_local_team_on_duty(db) -> None:
    tomislavgrad = _municipality_id(db, "tomislavgrad")
    assert _codes(resolve(db, "service:red_cross_duty", None, tomislavgrad, WED_10_LOCAL)) == [
        "red-cross-duty-tomislavgrad"
    ]
    # The local team is off duty at 22:00: every team on duty then (Livno always, Kupres nights).
    assert _codes(resolve(db, "service:red_cross_duty", None, tomislavgrad, WED_22_LOCAL)) == [
        "red-cross-duty-livno",
        "red-cross-duty-kupres",
    ]


def test_the_school_gives_the_municipality_when_it_is_not_known(db) -> None:
    school = _school(db, "grahovo-os-1")
    assert _codes(resolve(db, "service:red_cross_duty", school.id, None, SAT_10_LOCAL)) == [
        "red-cross-duty-bosansko-grahovo"
    ]
    assert _codes(resolve(db, "service:red_cross_duty", school.id, None, SAT_03_LOCAL)) == [
        "red-cross-duty-livno",
        "red-cross-duty-kupres",
    ]


def test_when_nobody_is_on_duty_a_critical_alert_still_reaches_someone(db) -> None:
    _deactivate(db, "red-cross-duty-livno", "red-cross-duty-kupres")
    tomislavgrad = _municipality_id(db, "tomislavgrad")
    assert _codes(resolve(db, "service:red_cross_duty", None, tomislavgrad, WED_22_LOCAL)) == [
        "red-cross-duty-tomislavgrad"
    ]
    everyone = _codes(resolve(db, "service:red_cross_duty", None, None, WED_22_LOCAL))
    assert everyone == [
        "red-cross-duty-tomislavgrad",
        "red-cross-duty-glamoc",
        "red-cross-duty-drvar",
        "red-cross-duty-bosansko-grahovo",
    ]
    _deactivate(db, *everyone)
    assert resolve(db, "service:red_cross_duty", None, tomislavgrad, WED_22_LOCAL) == []


def test_services_prefer_on_duty_then_municipality_then_canton_wide(db) -> None:
    livno, drvar = _municipality_id(db, "livno"), _municipality_id(db, "drvar")
    assert _codes(resolve(db, "service:legal_aid", None, livno, WED_10_LOCAL)) == ["legal-aid-mobile"]
    # Off duty on Saturday, but the only legal aid there is.
    assert _codes(resolve(db, "service:legal_aid", None, livno, SAT_10_LOCAL)) == ["legal-aid-mobile"]
    db.add(
        Responder(
            code="legal-aid-drvar",
            kind="service",
            role="legal_aid",
            name="Uzorak",
            municipality_id=drvar,
            on_duty="mon-sun 09:00-17:00",
        )
    )
    db.flush()
    assert _codes(resolve(db, "service:legal_aid", None, drvar, WED_10_LOCAL)) == ["legal-aid-drvar"]
    assert _codes(resolve(db, "service:legal_aid", None, livno, WED_10_LOCAL)) == ["legal-aid-mobile"]
    assert _codes(resolve(db, "service:legal_aid", None, livno, SAT_10_LOCAL)) == ["legal-aid-drvar"]
    assert _codes(resolve(db, "service:police", None, drvar, SAT_03_LOCAL)) == ["police-k10"]
    assert _codes(resolve(db, "service:social_welfare", None, drvar, SAT_03_LOCAL)) == ["social-welfare-k10"]
    assert _codes(resolve(db, "service:red_cross_psychosocial", None, None, WED_10_LOCAL)) == ["red-cross-psychosocial"]
    assert _codes(resolve(db, "canton:coordinator", None, drvar, SAT_03_LOCAL)) == ["k10-coordinator"]


def test_an_unknown_selector_is_a_programming_error(db) -> None:
    with pytest.raises(ValueError, match="unknown responder selector 'school:teacher'"):
        resolve(db, "school:teacher", None, None, WED_10_LOCAL)


# --- phones and chats --------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("+38763900011", "+38763900011"),
        ("+387 63 900-011", "+38763900011"),
        ("0038763900011", "+38763900011"),
        ("whatsapp:+38763900011", "+38763900011"),
        ("063 900 011", None),  # a local number: which country?
        ("+0123456789", None),
        ("call me", None),
    ],
)
def test_phone_numbers_are_normalized_to_e164(typed: str, expected: str | None) -> None:
    assert normalize_phone(typed) == expected


def test_a_responder_is_found_by_the_number_that_wrote(db) -> None:
    for spelling in ("+38763900011", "whatsapp:+38763900011", "0038763900011"):
        assert by_phone(db, spelling).code == "livno-os-1-pedagogue"
    assert by_phone(db, "+38763900999") is None
    assert by_phone(db, "not a number") is None
    _deactivate(db, "livno-os-1-pedagogue")
    assert by_phone(db, "+38763900011") is None


def test_a_responder_is_found_by_the_enrolled_chat(db) -> None:
    assert by_telegram_chat(db, 7000000201).code == "k10-coordinator"
    assert by_telegram_chat(db, "7000000201").code == "k10-coordinator"
    assert by_telegram_chat(db, 7000000999) is None
    _deactivate(db, "k10-coordinator")
    assert by_telegram_chat(db, 7000000201) is None


def test_only_sending_code_opens_the_phone(db) -> None:
    police = db.query(Responder).filter_by(code="police-k10").one()
    assert police.sealed_phone and "+387" not in police.sealed_phone
    assert phone_of(police) == "+38763900310"
    assert phone_of(Responder(code="no-phone")) is None
