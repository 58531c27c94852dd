"""Every use case that changes what the firm's other systems care about records its webhook event
in its own transaction: referral received and won, reference request answered, survey answered
(with the detractor flag), contact moved or retired, account stage changed, testimonial consent
changed. A change that fails records nothing; with no endpoint listening nothing is written."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlmodel import Session, select

from advocacy.domain.journey import Stage
from advocacy.domain.referrals import IntroPreference, ReferralStatus
from advocacy.domain.testimonials import Use
from advocacy.domain.webhooks import SUBSCRIBABLE
from advocacy.models import OutboxMessage, WebhookDelivery, WebhookEndpoint
from advocacy.services.journey import accounts, people
from advocacy.services.voice import references, referrals, testimonial_consent
from advocacy.services.voice.referrals import Introduction
from advocacy.services.voice.survey_answers import answer_survey
from advocacy.services.voice.testimonial_consent import Choices
from advocacy.settings import Settings
from tests.conftest import NOW
from tests.factories import (
    make_account,
    make_contact,
    make_mail_contact,
    make_survey,
    make_testimonial,
    make_testimonial_link,
    make_user,
)
from tests.factories_referrals import make_reference_permission, make_reference_request


def listen(session: Session, scope: str = "internal") -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        url="https://hooks.example/advocacy",
        events=",".join(event.value for event in SUBSCRIBABLE),
        scope=scope,
        secret="whsec_" + "A" * 44,
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(endpoint)
    session.commit()
    return endpoint


def events(session: Session) -> list[tuple[str, dict[str, Any]]]:
    session.expire_all()
    rows = session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    return [(row.event_type, json.loads(row.payload)["data"]) for row in rows]


def test_a_referral_received_and_won(settings: Settings, session: Session) -> None:
    listen(session)
    owner = make_user(session)
    referrer = make_mail_contact(session, make_account(session, owner=owner))
    url = referrals.create_referral_link(session, settings, referrer, now=NOW)
    session.commit()
    intro = Introduction(
        name="Paul Prospect",
        company="Newco Ltd",
        email="paul@newco.example",
        note="Needs help with a merger",
        intro_preference=IntroPreference.CALL,
    )
    referral = referrals.introduce(session, settings, url.rsplit("/", 1)[1], intro, now=NOW)
    assert referral is not None
    for status in (ReferralStatus.CONTACTED, ReferralStatus.MEETING, ReferralStatus.WON):
        referrals.change_referral_status(session, referral.id or 0, status, by=owner, now=NOW)
    found = events(session)
    assert [kind for kind, _ in found] == ["referral.received", "referral.won"]
    received = found[0][1]
    assert received["prospect_company"] == "Newco Ltd"
    assert received["referrer_contact_id"] == referrer.id
    assert "note" not in received  # what the client wrote for the firm's eyes stays inside


def test_a_reference_request_answered(settings: Settings, session: Session) -> None:
    listen(session)
    colleague = make_user(session)
    willing = make_mail_contact(session, make_account(session), full_name="Willing")
    make_reference_permission(session, willing)
    request = make_reference_request(session, colleague)
    references.ask_for_reference(session, settings, request.id, willing.id, by=colleague, now=NOW)
    session.expire_all()
    body = session.exec(select(OutboxMessage.text_body)).one()
    token = body.split("/c/reference/", 1)[1].split()[0]
    references.answer_reference(session, token, accept=False, reason="Too busy", now=NOW)
    [(kind, data)] = events(session)
    assert kind == "reference_request.answered"
    assert data["accepted"] is False and data["contact_name"] == "Willing"
    assert "Too busy" not in json.dumps(data)


@pytest.mark.parametrize(("score", "detractor"), [(3, True), (9, False)])
def test_a_survey_answered_says_whether_it_is_a_detractor(
    settings: Settings, session: Session, score: int, detractor: bool
) -> None:
    listen(session)
    survey, token = make_survey(session, settings)
    answer_survey(session, token, score, "Private comment", settings=settings, now=NOW)
    found = [data for kind, data in events(session) if kind == "survey.answered"]
    assert len(found) == 1
    assert (found[0]["survey_id"], found[0]["score"]) == (survey.id, score)
    assert found[0]["detractor"] is detractor
    assert "Private comment" not in json.dumps(found[0])


@pytest.mark.parametrize("retired", [False, True])
def test_a_contact_moved_or_retired(session: Session, retired: bool) -> None:
    listen(session)
    owner = make_user(session)
    champion = make_contact(session, make_account(session, owner=owner, name="Acme"))
    people.record_departure(
        session,
        champion.id,
        retired=retired,
        on=date(2026, 11, 1),
        new_employer=None if retired else "Globex",
        by=owner,
        now=NOW,
    )
    kinds = [(kind, data) for kind, data in events(session) if kind.startswith("contact.")]
    assert len(kinds) == 1
    kind, data = kinds[0]
    assert kind == ("contact.retired" if retired else "contact.moved")
    assert data["contact_id"] == champion.id and data["account_name"] == "Acme"
    assert data["new_company"] == ("" if retired else "Globex")


def test_an_account_stage_changed_and_a_refused_move_records_nothing(session: Session) -> None:
    listen(session)
    owner = make_user(session)
    account = make_account(session, owner=owner)
    accounts.move_account_to_stage(
        session, account.id, Stage.ACTIVE, reason="signed", by=owner, now=NOW
    )
    assert events(session) == [
        (
            "account.stage_changed",
            {
                "old_stage": "prospect",
                "new_stage": "active",
                "account_id": account.id,
                "account_name": account.name,
            },
        )
    ]
    stranger = make_user(session)
    with pytest.raises(Exception):  # noqa: B017 - whatever refusal, nothing is written
        accounts.move_account_to_stage(
            session, account.id, Stage.BETWEEN, reason="x", by=stranger, now=NOW
        )
    session.rollback()
    assert len(events(session)) == 1


def test_a_consent_change_tells_a_publish_endpoint_what_may_be_shown_now(
    session: Session,
) -> None:
    listen(session, scope="publish")
    contact = make_mail_contact(session)
    testimonial = make_testimonial(
        session,
        contact,
        status="published",
        approved_at=NOW,
        published_at=NOW,
        uses={"named_public": None, "internal": None},
    )
    token = make_testimonial_link(session, contact, purpose="manage")
    wording = {use: f"shown: {use.value}" for use in Use}
    testimonial_consent.change_permissions(
        session, token, testimonial.id, Choices({Use.INTERNAL: None}, wording), now=NOW
    )
    [(kind, data)] = events(session)
    assert kind == "testimonial.consent_changed"
    assert data == {
        "testimonial_id": testimonial.id,
        "status": "published",
        "shown": False,
        "quote": "",
        "attribution": "",
        "logo": False,
    }


def test_with_no_endpoint_listening_nothing_is_written(session: Session) -> None:
    owner = make_user(session)
    account = make_account(session, owner=owner)
    accounts.move_account_to_stage(
        session, account.id, Stage.ACTIVE, reason="signed", by=owner, now=NOW
    )
    assert events(session) == []
