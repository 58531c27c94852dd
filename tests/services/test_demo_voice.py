"""The demo's client voice, acted out through the product's services: the small demo fills
marketing's library and the public surfaces, every permission has its consent record, answers
close the loop (promoters invited, detractors repaired), referrals are attributed, a reference
call was held, nothing happens after `now`, and a second load adds nothing.

The demo is loaded once for the module (it drives a few hundred service calls); every test here
only reads it, except the last, which loads it again to show that nothing is added.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from advocacy.app import create_app
from advocacy.demo import loader
from advocacy.domain.disclosure import Audience
from advocacy.domain.journey import Camp
from advocacy.domain.library import LibraryQuery
from advocacy.domain.surveys import Sentiment, SurveyKind, sentiment
from advocacy.domain.testimonials import USE_WORDING, Use
from advocacy.models import (
    Account,
    Contact,
    JourneySignal,
    OutboxMessage,
    PermissionChange,
    ReferenceCall,
    ReferenceRequest,
    Referral,
    Survey,
    Touchpoint,
)
from advocacy.models import Testimonial as Quote  # pytest would collect Test* names
from advocacy.models import TestimonialPermission as Permission
from advocacy.repository.showcase import TestimonialSearch as Search
from advocacy.services.library import search, showcase
from advocacy.services.voice import testimonials
from tests.conftest import NOW, empty_all_tables, settings_overrides

TODAY = NOW.date()
PUBLIC = {Use.NAMED_PUBLIC, Use.ANONYMISED_PUBLIC}
VOICE = (
    Survey,
    Quote,
    Permission,
    PermissionChange,
    Referral,
    ReferenceRequest,
    ReferenceCall,
    OutboxMessage,
    JourneySignal,
    Touchpoint,
    Account,
)


@dataclass
class Voiced:
    app: Flask
    session: Session
    report: loader.DemoReport


@pytest.fixture(scope="module")
def voiced(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Voiced]:
    """The small demo, loaded once for the whole module, inside the app (it renders e-mails)."""
    instance: Path = tmp_path_factory.mktemp("voice") / "instance"
    app = create_app(settings_overrides(database_url, instance))
    engine: Engine = app.extensions["advocacy.engine"]
    with app.app_context(), Session(engine, expire_on_commit=False) as session:
        report = loader.load_demo(session, size="small", now=NOW)
        yield Voiced(app, session, report)
    empty_all_tables(engine)
    engine.dispose()


def _all(session: Session, model: type) -> list:
    return list(session.exec(select(model).order_by(col(model.id))))


def test_the_small_demo_has_a_client_voice_on_every_page(voiced: Voiced) -> None:
    created = voiced.report.created
    assert created["surveys"] >= 30 and created["survey answers"] >= 25
    assert 15 <= created["testimonials"] <= 25
    assert created["publications of a testimonial"] >= 10
    assert created["withdrawals of a testimonial"] >= 1
    assert created["referrals"] >= 3 and created["reference calls"] >= 1
    assert created["e-mails"] > created["surveys"]


def test_marketing_finds_published_quotes_in_the_library(voiced: Voiced) -> None:
    session = voiced.session
    everything = search.search_library(session, LibraryQuery(), today=TODAY)
    published = [f for f in everything.found if f.testimonial.status == "published"]
    assert len(published) >= 10
    word = published[0].quote.split()[2].strip(".,:;!?")
    found = search.search_library(session, LibraryQuery(text=word), today=TODAY)
    assert published[0].testimonial.id in {f.testimonial.id for f in found.found}
    assert any(f.testimonial.outcomes for f in published)
    assert search.case_study_candidates(session, today=TODAY)


def test_the_public_api_shows_exactly_the_published_quotes_a_client_allowed_in_public(
    voiced: Voiced,
) -> None:
    session = voiced.session
    shown, more = showcase.show_testimonials(
        session, Audience.API_PUBLIC, Search(), today=TODAY, limit=100
    )
    expected = {
        t.id
        for t in _all(session, Quote)
        if t.status == "published" and PUBLIC & testimonials.uses_today(session, t, now=NOW)
    }
    assert not more and len(expected) >= 8
    assert {item.testimonial.id for item in shown} == expected
    assert all(item.testimonial.status == "published" for item in shown)
    # Anonymised quotes name nobody outside the firm.
    for item in shown:
        if Use.NAMED_PUBLIC not in testimonials.uses_today(session, item.testimonial, now=NOW):
            assert item.testimonial.display_name not in item.attribution


def test_every_permission_a_client_gave_has_its_consent_record(voiced: Voiced) -> None:
    session = voiced.session
    changes = _all(session, PermissionChange)
    for permission in _all(session, Permission):
        granted = [
            c
            for c in changes
            if (c.testimonial_id, c.use, c.action)
            == (permission.testimonial_id, permission.use, "grant")
        ]
        assert granted, permission
        assert any(c.at == permission.granted_at and c.via == "link" and c.link_id for c in granted)
        assert all(c.wording for c in granted)
        if permission.withdrawn_at is not None:
            assert any(
                c.testimonial_id == permission.testimonial_id
                and c.use == permission.use
                and c.action in {"withdraw", "expiry"}
                and c.at == permission.withdrawn_at
                for c in changes
            )


def test_a_client_who_withdrew_is_gone_from_every_outside_surface(voiced: Voiced) -> None:
    session = voiced.session
    withdrawn = [t for t in _all(session, Quote) if t.status == "withdrawn"]
    assert withdrawn
    shown, _more = showcase.show_testimonials(
        session, Audience.WALL, Search(), today=TODAY, limit=100
    )
    visible = {item.testimonial.id for item in shown}
    for testimonial in withdrawn:
        assert testimonial.id not in visible and testimonial.withdrawn_at is not None
        taken_back = session.exec(
            select(PermissionChange).where(
                PermissionChange.testimonial_id == testimonial.id,
                PermissionChange.action == "withdraw",
            )
        ).all()
        assert taken_back and all(c.via == "link" for c in taken_back)


def test_a_french_speaking_client_reads_and_keeps_the_french_wording(voiced: Voiced) -> None:
    session = voiced.session
    french = session.exec(
        select(PermissionChange)
        .join(Contact, col(Contact.id) == PermissionChange.contact_id)
        .where(Contact.language == "fr", PermissionChange.action == "grant")
    ).all()
    assert french
    assert all(change.wording != USE_WORDING[Use(change.use)] for change in french)


def test_surveys_are_answered_and_every_answer_is_on_the_journey_map(voiced: Voiced) -> None:
    session = voiced.session
    answered = [s for s in _all(session, Survey) if s.status == "answered"]
    feelings = [sentiment(SurveyKind(s.kind), s.score or 0) for s in answered]
    assert feelings.count(Sentiment.PROMOTER) >= 15
    assert Sentiment.PASSIVE in feelings and Sentiment.DETRACTOR in feelings
    for survey in answered:
        touchpoint = session.get(Touchpoint, survey.touchpoint_id)
        assert touchpoint is not None and touchpoint.kind == "survey"
        assert touchpoint.contact_id == survey.contact_id
    assert any(s.status == "sent" for s in _all(session, Survey))  # some have not answered yet


def test_a_detractor_opens_a_repair_task_for_the_account_owner(voiced: Voiced) -> None:
    session = voiced.session
    unhappy = [
        s
        for s in _all(session, Survey)
        if s.status == "answered"
        and sentiment(SurveyKind(s.kind), s.score or 0) is Sentiment.DETRACTOR
    ]
    assert len(unhappy) >= 2
    for survey in unhappy:
        account = session.get(Account, survey.account_id)
        assert account is not None
        signal = session.exec(
            select(JourneySignal).where(
                JourneySignal.kind == "detractor",
                JourneySignal.account_id == survey.account_id,
                JourneySignal.contact_id == survey.contact_id,
            )
        ).one()
        assert signal.owner_id == account.owner_id and signal.resolved_at is None
        alert = session.exec(
            select(OutboxMessage).where(
                OutboxMessage.template == "survey_detractor", OutboxMessage.source_id == survey.id
            )
        ).one()
        assert alert.user_id == account.owner_id


def test_testimonials_come_only_from_accounts_that_may_be_asked(voiced: Voiced) -> None:
    session = voiced.session
    for testimonial in _all(session, Quote):
        account = session.get(Account, testimonial.account_id)
        assert account is not None and account.camp != Camp.BAD and not account.do_not_ask
        assert account.external_id and account.external_id.startswith("demo-")


def test_referrals_are_attributed_to_the_client_who_made_them(voiced: Voiced) -> None:
    session = voiced.session
    found = _all(session, Referral)
    assert len(found) >= 3
    assert {r.status for r in found} - {"received"}
    for referral in found:
        referrer = session.get(Contact, referral.referrer_contact_id)
        prospect = session.get(Account, referral.prospect_account_id)
        assert referrer is not None and referrer.account_id == referral.referrer_account_id
        assert prospect is not None and prospect.source == "referral" and referral.link_id
        assert session.exec(
            select(JourneySignal).where(
                JourneySignal.kind == "referral",
                JourneySignal.account_id == prospect.id,
                JourneySignal.related_account_id == referral.referrer_account_id,
            )
        ).first()
        assert session.exec(
            select(Touchpoint).where(
                Touchpoint.kind == "referral",
                Touchpoint.account_id == referral.referrer_account_id,
                Touchpoint.contact_id == referral.referrer_contact_id,
            )
        ).first()


def test_a_reference_call_was_held_with_a_client_who_allowed_it(voiced: Voiced) -> None:
    session = voiced.session
    held = [c for c in _all(session, ReferenceCall) if c.status == "held"]
    assert held
    for call in held:
        request = session.get(ReferenceRequest, call.request_id)
        assert request is not None and request.status == "fulfilled"
        allowed = session.exec(
            select(Permission).where(
                Permission.testimonial_id == call.testimonial_id,
                Permission.use == Use.REFERENCE_CALLS.value,
            )
        ).one()
        assert allowed.withdrawn_at is None and call.held_on and call.held_on <= TODAY


def test_nothing_in_the_client_voice_happens_after_now(voiced: Voiced) -> None:
    session = voiced.session
    for column in (
        Survey.answered_at,
        Survey.sent_at,
        Quote.updated_at,
        PermissionChange.at,
        Referral.updated_at,
        OutboxMessage.queued_at,
        OutboxMessage.sent_at,
        Touchpoint.occurred_at,
    ):
        latest = session.exec(select(func.max(column))).one()
        assert latest is not None and latest <= NOW, column
    earliest = session.exec(select(func.min(Survey.sent_at))).one()
    assert earliest is not None and (NOW - earliest).days >= 180  # spread over the past months


def test_every_e_mail_of_the_demo_passed_the_product_s_own_checks(voiced: Voiced) -> None:
    messages = _all(voiced.session, OutboxMessage)
    assert messages and {m.status for m in messages} <= {"sent", "queued"}
    assert all(m.to_email.endswith(".example") for m in messages)
    assert sum(m.status == "sent" for m in messages) > len(messages) * 0.9


def test_loading_the_demo_again_adds_no_client_voice(voiced: Voiced) -> None:
    session = voiced.session

    def counts() -> list[int]:
        return [session.exec(select(func.count()).select_from(model)).one() for model in VOICE]

    before = counts()
    again = loader.load_demo(session, size="small", now=NOW)
    assert again.created == {} and again.skipped["surveys"] >= voiced.report.created["surveys"]
    assert counts() == before
