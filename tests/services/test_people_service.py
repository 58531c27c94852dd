"""People who move: departures, moves to a known or new company, retirements, roles."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import Session, select

from advocacy.domain.people import PeopleError
from advocacy.models import Account, Contact, ContactCreate, ContactUpdate, JourneySignal
from advocacy.repository.journey import roles_of
from advocacy.services.journey import people
from tests.factories import make_account, make_contact, make_user


def _signals(session: Session) -> dict[str, JourneySignal]:
    return {s.kind: s for s in session.exec(select(JourneySignal))}


def test_a_contact_is_added_with_a_person_and_roles(session: Session, now: datetime) -> None:
    owner = make_user(session)
    account = make_account(session, owner=owner)
    contact = people.add_contact(
        session,
        account.id,
        ContactCreate(
            full_name="Ana Lopez", email="ANA@acme.example", roles=["decision_maker", "sponsor"]
        ),
        by=owner,
        now=now,
    )
    assert contact.email == "ana@acme.example" and contact.person_id
    assert roles_of(session, [contact.id])[contact.id] == {"decision_maker", "sponsor"}


def test_editing_roles_replaces_them(session: Session, now: datetime) -> None:
    owner = make_user(session)
    contact = make_contact(session, make_account(session, owner=owner), roles=["user"])
    people.update_contact(session, contact.id, ContactUpdate(roles=["finance"]), by=owner, now=now)
    assert roles_of(session, [contact.id])[contact.id] == {"finance"}


def test_a_champion_who_moves_to_a_new_company_creates_a_prospect_and_two_signals(
    session: Session, now: datetime
) -> None:
    owner = make_user(session)
    old = make_account(session, owner=owner, name="Acme")
    champion = make_contact(session, old, full_name="Ana Lopez", roles=["sponsor"])
    result = people.record_departure(
        session,
        champion.id,
        retired=False,
        on=date(2026, 11, 1),
        new_employer="Globex",
        new_title="COO",
        by=owner,
        now=now,
    )
    assert result.new_account_created
    assert result.new_account.name == "Globex" and result.new_account.stage == "prospect"
    assert result.new_account.owner_id == owner.id and result.new_account.source == "moved_contact"
    assert result.new_contact.person_id == champion.person_id and result.new_contact.title == "COO"
    assert champion.status == "left" and champion.moved_to_contact_id == result.new_contact.id
    signals = _signals(session)
    assert signals["champion_moved"].account_id == result.new_account.id
    assert signals["champion_moved"].owner_id == owner.id
    assert "Globex" in signals["champion_moved"].message
    assert signals["restaff"].account_id == old.id


def test_a_move_to_a_known_company_reuses_its_account(session: Session, now: datetime) -> None:
    owner = make_user(session)
    old = make_account(session, owner=owner, name="Acme")
    known = make_account(session, owner=owner, name="Globex")
    contact = make_contact(session, old)
    result = people.record_departure(
        session,
        contact.id,
        retired=False,
        on=date(2026, 11, 1),
        new_employer=" globex ",
        by=owner,
        now=now,
    )
    assert not result.new_account_created and result.new_account.id == known.id
    assert len(session.exec(select(Account)).all()) == 2


def test_a_retired_person_stays_as_alumni(session: Session, now: datetime) -> None:
    owner = make_user(session)
    contact = make_contact(session, make_account(session, owner=owner))
    result = people.record_departure(
        session,
        contact.id,
        retired=True,
        on=date(2026, 10, 1),
        new_employer=None,
        by=owner,
        now=now,
    )
    assert result.contact.status == "retired" and result.new_contact is None
    assert session.exec(select(Contact)).all() == [contact]


def test_a_refused_departure_changes_nothing(session: Session, now: datetime) -> None:
    owner = make_user(session)
    contact = make_contact(session, make_account(session, owner=owner))
    with pytest.raises(PeopleError):
        people.record_departure(
            session,
            contact.id,
            retired=False,
            on=date(2030, 1, 1),
            new_employer="Globex",
            by=owner,
            now=now,
        )
    session.rollback()
    assert session.get(Contact, contact.id).status == "active"
    assert _signals(session) == {}
