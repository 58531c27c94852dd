"""No surface asks someone the one advocacy rule refuses, and each says why: a client answers NPS 3
through the real survey, then the testimonial ask, the referral ask, the promoter's invitations,
reference matching and the library's reference-ready list all leave them and their colleague out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from advocacy.domain.advocacy_asks import MESSAGES, AskKind, Refusal
from advocacy.domain.cadence import CheckInOutcome
from advocacy.domain.errors import RuleError
from advocacy.domain.references import Cap, Exclusion
from advocacy.domain.touchpoints import Channel
from advocacy.models import CheckIn, ClientLink, JourneySignal, OutboxMessage
from advocacy.services.check_ins import work
from advocacy.services.check_ins.work import Completion
from advocacy.services.journey import signals
from advocacy.services.library import search
from advocacy.services.voice import references, referrals, testimonials
from advocacy.services.voice.asks import verdict_for
from advocacy.services.voice.references import ReferenceNeed
from advocacy.services.voice.survey_answers import answer_survey
from advocacy.settings import Settings
from tests.conftest import NOW
from tests.factories import make_account, make_mail_contact, make_survey, make_user
from tests.factories_referrals import make_reference_permission

SOON = NOW + timedelta(minutes=4)


@pytest.fixture
def firm(settings: Settings, session: Session) -> dict[str, Any]:
    """An active client where Dana answers NPS 3 through her survey link; Colin, her colleague,
    allowed reference calls earlier."""
    owner = make_user(session, email="owner@firm.example", name="Olive", role="admin")
    account = make_account(session, owner=owner, name="Unhappy SA")
    colin = make_mail_contact(session, account, full_name="Colin")
    make_reference_permission(session, colin)
    _survey, token = make_survey(session, settings, owner=owner, account=account, full_name="Dana")
    dana = _survey.contact_id
    make_reference_permission(session, session.get(type(colin), dana))
    answer_survey(session, token, 3, "The report came late.", settings=settings, now=NOW)
    return {"owner": owner, "account": account, "colin": colin.id, "dana": dana}


def asks_sent(session: Session, template: str) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage).where(OutboxMessage.template == template)))


def test_a_detractor_is_not_asked_for_a_testimonial_minutes_later_and_is_told_why(
    settings: Settings, session: Session, firm: dict[str, Any]
) -> None:
    with pytest.raises(RuleError) as refused:
        testimonials.ask_for_testimonial(
            session, settings, firm["account"].id, firm["dana"], by=firm["owner"], now=SOON
        )
    assert str(refused.value) == MESSAGES[Refusal.DETRACTOR_SIGNAL]
    assert asks_sent(session, "testimonial_ask") == []
    reasons = verdict_for(session, firm["dana"], AskKind.TESTIMONIAL, now=SOON).reasons
    assert {Refusal.DETRACTOR_SIGNAL, Refusal.DETRACTOR_SURVEY} <= set(reasons)


def test_a_detractors_colleague_is_not_asked_for_an_introduction_and_is_told_why(
    settings: Settings, session: Session, firm: dict[str, Any]
) -> None:
    with pytest.raises(RuleError, match="open detractor signal"):
        referrals.ask_for_introduction(
            session, settings, firm["account"].id, firm["colin"], by=firm["owner"], now=SOON
        )
    assert asks_sent(session, "referral_ask") == []
    assert session.exec(select(ClientLink).where(ClientLink.purpose == "referral")).all() == []


def test_a_promoter_at_an_account_with_an_open_detractor_signal_gets_no_invitation(
    settings: Settings, session: Session, firm: dict[str, Any]
) -> None:
    _survey, token = make_survey(
        session, settings, owner=firm["owner"], account=firm["account"], full_name="Pat"
    )
    answered = answer_survey(session, token, 10, "Great", settings=settings, now=SOON)
    assert (answered.testimonial_path, answered.referral_path) == ("", "")
    assert answered.refusal == MESSAGES[Refusal.DETRACTOR_SIGNAL]


def test_reference_matching_leaves_out_the_detractor_and_the_colleague_with_the_reasons(
    settings: Settings, session: Session, firm: dict[str, Any]
) -> None:
    colleague = make_user(session, email="cleo@firm.example", name="Cleo")
    request = references.create_reference_request(
        session, ReferenceNeed(prospect_name="Prospect"), by=colleague, now=SOON
    )
    found = references.candidates_for(session, settings, request.id, now=SOON)
    assert found.proposed == []
    reasons = {c.contact_id: c.excluded.reasons for c in found.excluded if c.excluded}
    assert reasons[firm["colin"]] == (Exclusion.DETRACTOR_SIGNAL, Exclusion.REPAIR_OPEN)
    assert Exclusion.DETRACTOR_SURVEY in reasons[firm["dana"]]
    with pytest.raises(RuleError, match="open detractor signal"):
        references.ask_for_reference(
            session, settings, request.id, firm["colin"], by=colleague, now=SOON
        )


def test_the_library_shows_the_colleague_unavailable_with_the_same_reason(
    session: Session, firm: dict[str, Any]
) -> None:
    ready = {r.contact_id: r for r in search.reference_ready(session, Cap(2, 91), now=SOON)}
    colin = ready[firm["colin"]]
    assert (colin.available, colin.verdict.reason) == (False, Refusal.DETRACTOR_SIGNAL)
    assert colin.verdict.message == MESSAGES[Refusal.DETRACTOR_SIGNAL]
    assert ready[firm["dana"]].available is False


def test_the_colleague_may_be_asked_once_the_signal_and_the_repair_are_dealt_with(
    settings: Settings, session: Session, firm: dict[str, Any]
) -> None:
    signal = session.exec(select(JourneySignal).where(JourneySignal.kind == "detractor")).one()
    signals.resolve_signal(session, signal.id or 0, by=firm["owner"], now=SOON)
    session.expire_all()
    colin = verdict_for(session, firm["colin"], AskKind.REFERRAL, now=SOON)
    dana = verdict_for(session, firm["dana"], AskKind.TESTIMONIAL, now=SOON)
    # The repair conversation the answer opened still stands until someone has it.
    assert colin.reasons == (Refusal.REPAIR_OPEN,)
    assert Refusal.DETRACTOR_SURVEY in dana.reasons
    repair = session.exec(select(CheckIn).where(CheckIn.kind == "repair")).one()
    work.complete_check_in(
        session,
        repair.id or 0,
        Completion(CheckInOutcome.SPOKE, Channel.PHONE, notes="Apologised; new deadline agreed."),
        by=firm["owner"],
        now=SOON,
    )
    session.expire_all()
    assert verdict_for(session, firm["colin"], AskKind.REFERRAL, now=SOON).allowed
    assert not verdict_for(session, firm["dana"], AskKind.TESTIMONIAL, now=SOON).allowed


def test_a_second_ask_within_the_rest_is_refused_with_the_reason(
    settings: Settings, session: Session
) -> None:
    owner = make_user(session, role="admin")
    account = make_account(session, owner=owner, camp="good")
    ann = make_mail_contact(session, account, full_name="Ann")
    testimonials.ask_for_testimonial(session, settings, account.id, ann.id, by=owner, now=NOW)
    with pytest.raises(RuleError) as refused:
        referrals.ask_for_introduction(
            session, settings, account.id, ann.id, by=owner, now=NOW + timedelta(days=3)
        )
    assert str(refused.value) == MESSAGES[Refusal.RECENTLY_ASKED]
    later = NOW + timedelta(days=30)
    referrals.ask_for_introduction(session, settings, account.id, ann.id, by=owner, now=later)
    assert len(asks_sent(session, "referral_ask")) == 1


def test_someone_who_withdrew_a_testimonial_is_not_asked_for_another(
    settings: Settings, session: Session
) -> None:
    owner = make_user(session, role="admin")
    account = make_account(session, owner=owner)
    ann = make_mail_contact(session, account, full_name="Ann")
    given = make_reference_permission(session, ann)
    testimonials.withdraw_on_behalf(
        session, given.id or 0, "Ann phoned: she changed her mind.", by=owner, now=NOW
    )
    with pytest.raises(RuleError) as refused:
        testimonials.ask_for_testimonial(
            session, settings, account.id, ann.id, by=owner, now=NOW + timedelta(days=20)
        )
    assert str(refused.value) == MESSAGES[Refusal.OBJECTED]
