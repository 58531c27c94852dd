"""An objection to direct marketing recorded by staff: no nurture, no asks, no score, at every
employer of the person, at once, through the same storage as the client's own choices."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from advocacy.domain.advocacy_asks import AskKind, Refusal
from advocacy.domain.audit import Action
from advocacy.domain.consent import LIFTABLE_BY_CLIENT
from advocacy.domain.errors import NotAllowed
from advocacy.models import AuditEntry, ConsentChange, ContactCreate, ContactScore, Suppression
from advocacy.repository.journey import get_person
from advocacy.repository.mail import suppressed_categories
from advocacy.services.journey.people import add_contact_to
from advocacy.services.nurture import planner
from advocacy.services.privacy import objection
from advocacy.services.scoring import recompute
from advocacy.services.voice import asks
from advocacy.settings import Settings
from tests.conftest import NOW
from tests.factories import (
    make_account,
    make_contact,
    make_user,
)
from tests.services.test_nurture_planner import build_firm


def _scored(session: Session, contact_id: int) -> bool:
    recompute.recompute_all(session, now=NOW, rules=recompute.ScoringRules())
    found = session.exec(select(ContactScore).where(ContactScore.contact_id == contact_id))
    return found.first() is not None


def test_after_the_objection_nurture_holds_back_asks_are_refused_and_no_score_is_kept(
    session: Session, settings: Settings
) -> None:
    firm = build_firm(session, 3)
    objecting, _, other = firm["contacts"]  # the first and last have a next line to hear of
    before = planner.preview_campaign(session, firm["campaign"].id, now=NOW, settings=settings)
    assert objecting.id in {send.contact_id for send in before.sends}
    assert (
        Refusal.SUPPRESSED
        not in asks.verdict_for(session, objecting.id, AskKind.TESTIMONIAL, now=NOW).reasons
    )
    assert _scored(session, objecting.id)

    staff = make_user(session, role="admin", password=None)
    done = objection.object_to_marketing_by_staff(session, objecting.id, by=staff, now=NOW)
    assert done.addresses == 1

    after = planner.preview_campaign(session, firm["campaign"].id, now=NOW, settings=settings)
    assert objecting.id not in {send.contact_id for send in after.sends}
    assert objecting.id not in after.enrolled
    assert other.id in {send.contact_id for send in after.sends}  # nobody else is touched
    for kind in (AskKind.TESTIMONIAL, AskKind.REFERRAL, AskKind.REFERENCE_CALL):
        verdict = asks.verdict_for(session, objecting.id, kind, now=NOW)
        assert Refusal.SUPPRESSED in verdict.reasons, kind
    assert not _scored(session, objecting.id)
    assert _scored(session, other.id)
    # The client's own withdrawal, relayed: only they can lift it, from their preference page.
    row = session.exec(select(Suppression).where(Suppression.email == objecting.email)).one()
    assert (row.category, row.reason) == ("all", "unsubscribe")
    assert row.reason in LIFTABLE_BY_CLIENT
    entries = session.exec(select(AuditEntry).where(AuditEntry.actor_id == staff.id)).all()
    assert {
        (e.action, e.subject_id, json.loads(e.details_json)["categories"]) for e in entries
    } == {
        (Action.CONSENT_CHANGED.value, objecting.id, "all"),
        (Action.CONSENT_CHANGED.value, objecting.id, "profiling"),
    }


def test_the_objection_covers_every_employer_of_the_person(session: Session) -> None:
    first = make_contact(
        session, make_account(session), full_name="Noor Haddad", email="noor@first.example"
    )
    second = add_contact_to(
        session,
        make_account(session),
        ContactCreate(full_name="Noor Haddad", email="noor@second.example"),
        now=NOW,
        person=get_person(session, first.person_id),
    )
    session.commit()
    staff = make_user(session, role="admin", password=None)
    done = objection.object_to_marketing_by_staff(session, second.id, by=staff, now=NOW)
    assert (done.contacts, done.addresses) == (2, 2)
    for contact in (first, second):
        session.refresh(contact)
        assert contact.profiling_objected_at is not None
        assert "all" in suppressed_categories(session, contact.email)
        verdict = asks.verdict_for(session, contact.id, AskKind.TESTIMONIAL, now=NOW)
        assert Refusal.SUPPRESSED in verdict.reasons
    changes = session.exec(select(ConsentChange).where(ConsentChange.category == "all")).all()
    assert sorted(c.email for c in changes) == ["noor@first.example", "noor@second.example"]
    assert all(c.via == "staff" and c.action == "unsubscribe" for c in changes)


def test_someone_outside_the_account_team_cannot_record_it(session: Session) -> None:
    contact = make_contact(session, make_account(session), email="kept@client.example")
    outsider = make_user(session, role="account_manager", password=None)
    with pytest.raises(NotAllowed):
        objection.object_to_marketing_by_staff(session, contact.id, by=outsider, now=NOW)
    session.rollback()
    assert suppressed_categories(session, "kept@client.example") == set()
