"""Reference requests: the cap counts accepted and held calls; at the cap a contact is neither
proposed nor askable; detractors and bad-camp accounts are left out with the reason; the client
declines with a reason or accepts; a held call is logged as a touchpoint on their account."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from advocacy.domain.errors import RuleError
from advocacy.domain.references import Exclusion, Fit
from advocacy.models import (
    Account,
    Contact,
    JourneySignal,
    OutboxMessage,
    ReferenceCall,
    ReferenceRequest,
    Touchpoint,
)
from advocacy.services.voice import references
from advocacy.services.voice.references import ReferenceNeed
from advocacy.settings import Settings
from tests.conftest import NOW
from tests.factories import make_account, make_mail_contact, make_user
from tests.factories_referrals import (
    make_reference_call,
    make_reference_permission,
    make_reference_request,
    make_survey,
)


@pytest.fixture
def colleague(session: Session):  # type: ignore[no-untyped-def]
    return make_user(session, email="cleo@firm.example", name="Cleo")


def reference(session: Session, name: str, **account_fields: object):  # type: ignore[no-untyped-def]
    account = make_account(session, name=f"{name} SA", **account_fields)
    contact = make_mail_contact(session, account, full_name=name)
    make_reference_permission(session, contact)
    return contact


def proposed_ids(session: Session, settings: Settings, request_id: int) -> list[int]:
    return [
        c.contact_id
        for c in references.candidates_for(session, settings, request_id, now=NOW).proposed
    ]


def excluded(
    session: Session, settings: Settings, request_id: int
) -> dict[int, tuple[Exclusion, ...]]:
    found = references.candidates_for(session, settings, request_id, now=NOW).excluded
    return {c.contact_id: c.excluded.reasons for c in found if c.excluded}


def test_only_contacts_with_a_live_reference_permission_are_candidates(
    settings: Settings, session: Session, colleague
) -> None:
    willing = reference(session, "Willing")
    account = make_account(session)
    withdrawn = make_mail_contact(session, account)
    make_reference_permission(session, withdrawn, withdrawn_at=NOW - timedelta(days=1))
    lapsed = make_mail_contact(session, account)
    make_reference_permission(session, lapsed, expires_on=NOW.date() - timedelta(days=1))
    other_use = make_mail_contact(session, account)
    make_reference_permission(session, other_use, use="named_public")
    dead = make_mail_contact(session, account)
    make_reference_permission(session, dead, status="withdrawn")
    request = make_reference_request(session, colleague)
    assert proposed_ids(session, settings, request.id) == [willing.id]
    assert excluded(session, settings, request.id) == {}


def test_candidates_are_ranked_by_fit_with_their_reasons(
    settings: Settings, session: Session, colleague
) -> None:
    plain = reference(session, "Plain")
    banker = reference(session, "Banker", industry="Banking", size_band="51-200")
    make_survey(session, banker, score=10, answered_at=NOW - timedelta(days=20))
    request = make_reference_request(session, colleague, industry="Banking", size_band="51-200")
    found = references.candidates_for(session, settings, request.id, now=NOW).proposed
    assert [c.contact_id for c in found] == [banker.id, plain.id]
    assert found[0].proposal is not None
    assert found[0].proposal.fits == (Fit.INDUSTRY, Fit.SIZE_BAND, Fit.PROMOTER)
    assert found[0].name == "Banker" and found[0].account_name == "Banker SA"


def test_the_cap_counts_accepted_and_held_calls_only(
    settings: Settings, session: Session, colleague
) -> None:
    assert settings.references_max_calls_per_contact == 2
    busy = reference(session, "Busy")
    old = make_reference_request(session, colleague, prospect_name="Old")
    make_reference_call(session, old, busy, status="declined", asked_at=NOW - timedelta(days=3))
    make_reference_call(session, old, busy, status="asked", asked_at=NOW - timedelta(days=3))
    make_reference_call(session, old, busy, status="cancelled", asked_at=NOW - timedelta(days=3))
    before_period = NOW - timedelta(days=settings.references_cap_days + 1)
    make_reference_call(session, old, busy, status="held", asked_at=before_period)
    make_reference_call(session, old, busy, status="held", asked_at=NOW - timedelta(days=30))
    request = make_reference_request(session, colleague)
    assert proposed_ids(session, settings, request.id) == [busy.id]
    make_reference_call(session, old, busy, status="accepted", asked_at=NOW - timedelta(days=2))
    assert proposed_ids(session, settings, request.id) == []
    assert excluded(session, settings, request.id) == {busy.id: (Exclusion.OVER_CAP,)}


def test_someone_at_the_cap_cannot_be_asked_even_when_the_page_is_bypassed(
    settings: Settings, session: Session, colleague
) -> None:
    busy = reference(session, "Busy")
    old = make_reference_request(session, colleague, prospect_name="Old")
    for status in ("accepted", "held"):
        make_reference_call(session, old, busy, status=status, asked_at=NOW - timedelta(days=5))
    request = make_reference_request(session, colleague)
    with pytest.raises(RuleError, match="as many reference calls as the cap allows"):
        references.ask_for_reference(session, settings, request.id, busy.id, by=colleague, now=NOW)
    session.rollback()
    calls = session.exec(select(ReferenceCall).where(ReferenceCall.request_id == request.id))
    assert calls.all() == []


def test_asking_emails_a_reference_link_and_a_second_ask_is_refused(
    settings: Settings, session: Session, colleague
) -> None:
    willing = reference(session, "Willing")
    request = make_reference_request(session, colleague, deadline=NOW.date() + timedelta(days=7))
    call = references.ask_for_reference(
        session, settings, request.id, willing.id, by=colleague, now=NOW
    )
    assert (call.status, call.contact_id, call.created_by_id) == ("asked", willing.id, colleague.id)
    session.expire_all()
    [message] = session.exec(
        select(OutboxMessage).where(OutboxMessage.template == "reference_request")
    ).all()
    assert (message.category, message.to_email) == ("reference_request", willing.email)
    assert "/c/reference/" in message.text_body
    assert excluded(session, settings, request.id) == {willing.id: (Exclusion.ALREADY_ASKED,)}
    with pytest.raises(RuleError, match="already asked"):
        references.ask_for_reference(
            session, settings, request.id, willing.id, by=colleague, now=NOW
        )


def test_a_contact_without_permission_cannot_be_asked(
    settings: Settings, session: Session, colleague
) -> None:
    stranger = make_mail_contact(session, make_account(session))
    request = make_reference_request(session, colleague)
    with pytest.raises(RuleError, match="did not allow"):
        references.ask_for_reference(
            session, settings, request.id, stranger.id, by=colleague, now=NOW
        )


def test_detractors_are_excluded_by_survey_or_open_signal(
    settings: Settings, session: Session, colleague
) -> None:
    unhappy = reference(session, "Unhappy")
    make_survey(session, unhappy, score=4, answered_at=NOW - timedelta(days=10))
    csat = reference(session, "Csat")
    make_survey(session, csat, kind="csat", score=1, answered_at=NOW - timedelta(days=10))
    flagged = reference(session, "Flagged")
    session.add(
        JourneySignal(kind="detractor", account_id=flagged.account_id, message="", created_at=NOW)
    )
    resolved = reference(session, "Resolved")
    session.add(
        JourneySignal(
            kind="detractor",
            account_id=resolved.account_id,
            message="",
            created_at=NOW - timedelta(days=40),
            resolved_at=NOW - timedelta(days=20),
        )
    )
    session.commit()
    request = make_reference_request(session, colleague)
    assert proposed_ids(session, settings, request.id) == [resolved.id]
    assert excluded(session, settings, request.id) == {
        unhappy.id: (Exclusion.DETRACTOR_SURVEY,),
        csat.id: (Exclusion.DETRACTOR_SURVEY,),
        flagged.id: (Exclusion.DETRACTOR_SIGNAL,),
    }
    with pytest.raises(RuleError, match="low survey score"):
        references.ask_for_reference(
            session, settings, request.id, unhappy.id, by=colleague, now=NOW
        )


def test_bad_camp_do_not_ask_and_departed_contacts_are_excluded(
    settings: Settings, session: Session, colleague
) -> None:
    bad = reference(session, "Bad")
    do_not_ask = reference(session, "Quiet")
    gone = reference(session, "Gone")
    session.expire_all()
    bad_account = session.get(Account, bad.account_id)
    quiet_account = session.get(Account, do_not_ask.account_id)
    gone_contact = session.get(Contact, gone.id)
    assert bad_account and quiet_account and gone_contact
    bad_account.camp, bad_account.do_not_ask = "bad", True
    quiet_account.do_not_ask = True
    gone_contact.status = "left"
    session.add_all([bad_account, quiet_account, gone_contact])
    session.commit()
    request = make_reference_request(session, colleague)
    assert proposed_ids(session, settings, request.id) == []
    assert excluded(session, settings, request.id) == {
        bad.id: (Exclusion.BAD_CAMP,),
        do_not_ask.id: (Exclusion.DO_NOT_ASK,),
        gone.id: (Exclusion.INACTIVE,),
    }
    with pytest.raises(RuleError, match="bad camp"):
        references.ask_for_reference(session, settings, request.id, bad.id, by=colleague, now=NOW)


def test_the_client_declines_with_a_reason_and_the_link_is_used_up(
    settings: Settings, session: Session, colleague
) -> None:
    willing = reference(session, "Willing")
    request = make_reference_request(session, colleague)
    references.ask_for_reference(session, settings, request.id, willing.id, by=colleague, now=NOW)
    session.expire_all()
    body = session.exec(select(OutboxMessage.text_body)).one()
    token = body.split("/c/reference/", 1)[1].split()[0]
    invitation = references.invitation_for(session, token, now=NOW)
    assert invitation is not None and invitation.name == "Willing"
    call = references.answer_reference(session, token, accept=False, reason=" Too busy ", now=NOW)
    assert call is not None and (call.status, call.decline_reason) == ("declined", "Too busy")
    assert references.answer_reference(session, token, accept=True, now=NOW) is None
    # A decline does not count toward the cap: they may be proposed for another request.
    other = make_reference_request(session, colleague, prospect_name="Other")
    assert proposed_ids(session, settings, other.id) == [willing.id]


def test_an_accepted_call_once_held_is_logged_as_a_touchpoint_and_counts(
    settings: Settings, session: Session, colleague
) -> None:
    willing = reference(session, "Willing")
    request = make_reference_request(session, colleague, prospect_name="Acme Prospect")
    call = references.ask_for_reference(
        session, settings, request.id, willing.id, by=colleague, now=NOW
    )
    with pytest.raises(RuleError, match="accepted"):
        references.record_call_held(
            session, call.id, held_on=NOW.date(), outcome="", by=colleague, now=NOW
        )
    session.expire_all()
    body = session.exec(select(OutboxMessage.text_body)).one()
    token = body.split("/c/reference/", 1)[1].split()[0]
    references.answer_reference(session, token, accept=True, now=NOW)
    with pytest.raises(RuleError, match="future"):
        references.record_call_held(
            session,
            call.id,
            held_on=NOW.date() + timedelta(days=1),
            outcome="",
            by=colleague,
            now=NOW,
        )
    held_on = date(2026, 11, 20)
    done = references.record_call_held(
        session, call.id, held_on=held_on, outcome="They signed", by=colleague, now=NOW
    )
    assert (done.status, done.held_on, done.outcome) == ("held", held_on, "They signed")
    session.expire_all()
    assert session.get(ReferenceRequest, request.id).status == "fulfilled"  # type: ignore[union-attr]
    [touchpoint] = session.exec(select(Touchpoint)).all()
    assert (touchpoint.account_id, touchpoint.contact_id, touchpoint.kind) == (
        willing.account_id,
        willing.id,
        "call",
    )
    assert touchpoint.occurred_at.date() == held_on
    assert "Acme Prospect" in touchpoint.summary and "They signed" in touchpoint.summary


def test_a_request_with_bad_values_is_refused(
    settings: Settings, session: Session, colleague
) -> None:
    for need, why in [
        (ReferenceNeed(prospect_name="  "), "Name the prospect"),
        (ReferenceNeed(prospect_name="P", size_band="huge"), "size band"),
        (ReferenceNeed(prospect_name="P", language="de"), "language"),
        (ReferenceNeed(prospect_name="P", service_line_id=999), "service line"),
        (ReferenceNeed(prospect_name="P", deadline=date(2020, 1, 1)), "past"),
        (ReferenceNeed(prospect_name="P" * 201), "too long"),
    ]:
        with pytest.raises(RuleError, match=why):
            references.create_reference_request(session, need, by=colleague, now=NOW)
    assert session.exec(select(ReferenceRequest)).all() == []
