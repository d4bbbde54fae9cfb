"""The directory's names the queue shows: read once, and read again at once when a row
names a school or person they do not know yet (never a row without its name)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.console.directory_names import directory_names
from bot.storage.models import Responder
from tests.helpers.cases import responder, school_id


def test_names_of_schools_places_and_people(session: Session) -> None:
    livno = school_id(session, "livno-os-1")
    coordinator, admin = responder(session, "k10-coordinator"), responder(session, "k10-admin")
    names = directory_names(session, [(livno, None, coordinator.id), (None, None, admin.id)])
    assert names.school(livno) and names.place(None, livno)  # the school's town
    assert names.person(coordinator.id) == coordinator.name
    assert names.people[coordinator.id].may_own
    assert not names.people[admin.id].may_own
    assert names.school(None) is None and names.person(None) is None


def test_someone_new_is_named_at_once(session: Session) -> None:
    before = directory_names(session, [(None, None, responder(session, "k10-coordinator").id)])
    newcomer = Responder(code="livno-os-1-new", kind="staff", role="pedagogue", name="Nova Pedagoginja")
    session.add(newcomer)
    session.flush()
    assert directory_names(session) is before  # kept while nothing new is asked for
    after = directory_names(session, [(None, None, newcomer.id)])
    assert after.person(newcomer.id) == "Nova Pedagoginja"
