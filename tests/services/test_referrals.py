"""Referrals: an introduction creates a prospect attributed to the referrer, a signal and a notice
for the owner; the pipeline moves forward; a won engagement wins the referral and keeps the
attribution; the thank-you is logged (and optionally e-mailed, as a transactional message)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from advocacy.domain.errors import NotAllowed, RuleError
from advocacy.domain.referrals import IntroPreference, ReferralStatus
from advocacy.models import (
    Account,
    ClientLink,
    EngagementUpdate,
    JourneySignal,
    OutboxMessage,
    Referral,
    Touchpoint,
)
from advocacy.repository.referrals import referral_page, referrals_for_prospect
from advocacy.services.journey.engagements import update_engagement
from advocacy.services.voice import referrals
from advocacy.services.voice.referrals import Introduction
from advocacy.settings import Settings
from tests.conftest import NOW
from tests.factories import make_account, make_engagement, make_mail_contact, make_user


@pytest.fixture
def owner(session: Session):  # type: ignore[no-untyped-def]
    return make_user(session, email="owen@firm.example", name="Owen")


@pytest.fixture
def referrer(session: Session, owner):  # type: ignore[no-untyped-def]
    account = make_account(session, name="Happy Client SA", owner=owner)
    return make_mail_contact(session, account, full_name="Rita Referrer")


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def link_for(session: Session, settings: Settings, contact) -> str:  # type: ignore[no-untyped-def]
    url = referrals.create_referral_link(session, settings, contact, now=NOW)
    session.commit()
    return token_of(url)


INTRO = Introduction(
    name="Paul Prospect",
    company="Newco Ltd",
    email="Paul@Newco.example",
    note="Needs help with a merger",
    intro_preference=IntroPreference.CALL,
)


def messages(session: Session, template: str) -> list[OutboxMessage]:
    session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.template == template)
    return list(session.exec(query.order_by(OutboxMessage.id)))


def test_an_introduction_creates_a_prospect_attributed_to_the_referrer(
    settings: Settings, session: Session, owner, referrer
) -> None:
    token = link_for(session, settings, referrer)
    referral = referrals.introduce(session, settings, token, INTRO, now=NOW)
    assert referral is not None
    session.expire_all()
    prospect = session.get(Account, referral.prospect_account_id)
    assert prospect is not None
    assert (prospect.name, prospect.stage, prospect.source) == ("Newco Ltd", "prospect", "referral")
    assert prospect.owner_id == owner.id
    assert (referral.referrer_contact_id, referral.referrer_account_id) == (
        referrer.id,
        referrer.account_id,
    )
    assert (referral.status, referral.owner_id, referral.intro_preference) == (
        "received",
        owner.id,
        "call",
    )
    assert referral.email == "paul@newco.example"
    [attribution] = referrals_for_prospect(session, prospect.id)
    assert (attribution.referrer_name, attribution.referrer_account_name) == (
        "Rita Referrer",
        "Happy Client SA",
    )
    [signal] = session.exec(select(JourneySignal).where(JourneySignal.kind == "referral")).all()
    assert (signal.owner_id, signal.account_id, signal.related_account_id) == (
        owner.id,
        prospect.id,
        referrer.account_id,
    )
    assert "New referral from Rita Referrer" in signal.message
    [notice] = messages(session, "staff_notice")
    assert (notice.to_email, notice.category) == ("owen@firm.example", "transactional")
    assert f"/referrals/{referral.id}" in notice.text_body
    [touchpoint] = session.exec(
        select(Touchpoint).where(Touchpoint.account_id == referrer.account_id)
    ).all()
    assert (touchpoint.kind, touchpoint.initiative, touchpoint.contact_id) == (
        "referral",
        "client",
        referrer.id,
    )
    link = session.exec(select(ClientLink).where(ClientLink.purpose == "referral")).one()
    assert link.used_at is not None


def test_a_known_company_gets_the_contact_and_keeps_its_stage(
    settings: Settings, session: Session, owner, referrer
) -> None:
    known = make_account(session, name="Newco Ltd")
    make_engagement(session, known, status="active")
    token = link_for(session, settings, referrer)
    referral = referrals.introduce(
        session, settings, token, Introduction(name="Paul", company="  newco ltd "), now=NOW
    )
    assert referral is not None
    session.expire_all()
    assert referral.prospect_account_id == known.id
    account = session.get(Account, known.id)
    assert account is not None and (account.stage, account.source) == ("active", "manual")
    assert len(session.exec(select(Account)).all()) == 2


def test_a_used_or_expired_or_foreign_link_introduces_nobody(
    settings: Settings, session: Session, referrer
) -> None:
    token = link_for(session, settings, referrer)
    assert referrals.introduce(session, settings, token, INTRO, now=NOW) is not None
    assert referrals.introduce(session, settings, token, INTRO, now=NOW) is None
    fresh = link_for(session, settings, referrer)
    late = NOW + timedelta(days=settings.client_link_days_referral, seconds=1)
    assert referrals.introduce(session, settings, fresh, INTRO, now=late) is None
    assert referrals.introduce(session, settings, "not-a-token", INTRO, now=NOW) is None
    assert len(session.exec(select(Referral)).all()) == 1


def test_a_bad_email_is_refused_and_nothing_is_written(
    settings: Settings, session: Session, referrer
) -> None:
    token = link_for(session, settings, referrer)
    with pytest.raises(RuleError):
        referrals.introduce(
            session, settings, token, Introduction(name="P", company="X", email="nope"), now=NOW
        )
    session.rollback()
    assert session.exec(select(Referral)).all() == []
    assert referrals.referrer_for(session, token, now=NOW) is not None


def test_the_pipeline_moves_forward_and_a_lost_referral_says_why(
    settings: Settings, session: Session, owner, referrer
) -> None:
    referral = referrals.introduce(
        session, settings, link_for(session, settings, referrer), INTRO, now=NOW
    )
    assert referral is not None and referral.id is not None
    referrals.change_referral_status(
        session, referral.id, ReferralStatus.CONTACTED, by=owner, now=NOW
    )
    referrals.change_referral_status(
        session, referral.id, ReferralStatus.MEETING, by=owner, now=NOW
    )
    with pytest.raises(RuleError, match="earlier step"):
        referrals.change_referral_status(
            session, referral.id, ReferralStatus.CONTACTED, by=owner, now=NOW
        )
    with pytest.raises(RuleError, match="Say why"):
        referrals.change_referral_status(
            session, referral.id, ReferralStatus.LOST, by=owner, now=NOW
        )
    done = referrals.change_referral_status(
        session, referral.id, ReferralStatus.LOST, lost_reason="chose a rival", by=owner, now=NOW
    )
    assert (done.status, done.lost_reason) == ("lost", "chose a rival")


def test_only_the_owner_or_an_admin_works_on_a_referral(
    settings: Settings, session: Session, owner, referrer
) -> None:
    referral = referrals.introduce(
        session, settings, link_for(session, settings, referrer), INTRO, now=NOW
    )
    assert referral is not None and referral.id is not None
    colleague = make_user(session, email="cleo@firm.example")
    admin = make_user(session, role="admin")
    with pytest.raises(NotAllowed):
        referrals.change_referral_status(
            session, referral.id, ReferralStatus.CONTACTED, by=colleague, now=NOW
        )
    referrals.reassign_referral(session, referral.id, colleague.id, by=admin, now=NOW)
    moved = referrals.change_referral_status(
        session, referral.id, ReferralStatus.CONTACTED, by=colleague, now=NOW
    )
    assert (moved.owner_id, moved.status) == (colleague.id, "contacted")
    marketer = make_user(session, role="marketing")
    with pytest.raises(RuleError, match="owner must be"):
        referrals.reassign_referral(session, referral.id, marketer.id, by=admin, now=NOW)


def test_a_won_engagement_of_the_prospect_wins_the_referral_and_keeps_the_attribution(
    settings: Settings, session: Session, owner, referrer
) -> None:
    referral = referrals.introduce(
        session, settings, link_for(session, settings, referrer), INTRO, now=NOW
    )
    assert referral is not None and referral.prospect_account_id is not None
    prospect = session.get(Account, referral.prospect_account_id)
    engagement = make_engagement(session, prospect, title="Merger support")
    session.expire_all()
    assert session.get(Referral, referral.id).status == "received"  # type: ignore[union-attr]
    update_engagement(session, engagement.id, EngagementUpdate(status="won"), by=owner, now=NOW)
    session.expire_all()
    assert session.get(Referral, referral.id).status == "won"  # type: ignore[union-attr]
    page = referral_page(session, referral.id or 0)
    assert [e.title for e in page.engagements] == ["Merger support"]
    assert page.row.referrer_account_name == "Happy Client SA"
    assert page.row.prospect_account_name == "Newco Ltd"


def test_a_not_now_engagement_is_not_listed_as_won_from_the_referral(
    settings: Settings, session: Session, owner, referrer
) -> None:
    referral = referrals.introduce(
        session, settings, link_for(session, settings, referrer), INTRO, now=NOW
    )
    assert referral is not None and referral.prospect_account_id is not None
    prospect = session.get(Account, referral.prospect_account_id)
    later = make_engagement(session, prospect, title="Audit next year")
    lost = make_engagement(session, prospect, title="Tax review")
    update_engagement(
        session,
        later.id,
        EngagementUpdate(status="deferred", revisit_on=date(2027, 1, 15)),
        by=owner,
        now=NOW,
    )
    update_engagement(session, lost.id, EngagementUpdate(status="lost"), by=owner, now=NOW)
    session.expire_all()
    assert referral_page(session, referral.id or 0).engagements == []
    assert session.get(Referral, referral.id).status == "received"  # type: ignore[union-attr]
    won = make_engagement(session, prospect, title="Merger support")
    update_engagement(session, won.id, EngagementUpdate(status="won"), by=owner, now=NOW)
    session.expire_all()
    page = referral_page(session, referral.id or 0)
    assert [e.title for e in page.engagements] == ["Merger support"]


def test_an_engagement_of_an_account_without_referral_changes_no_referral(
    settings: Settings, session: Session, referrer
) -> None:
    referral = referrals.introduce(
        session, settings, link_for(session, settings, referrer), INTRO, now=NOW
    )
    make_engagement(session, make_account(session), status="won")
    session.expire_all()
    assert session.get(Referral, referral.id).status == "received"  # type: ignore[union-attr]


def test_the_thank_you_is_logged_and_optionally_emailed_as_transactional(
    settings: Settings, session: Session, owner, referrer
) -> None:
    referral = referrals.introduce(
        session, settings, link_for(session, settings, referrer), INTRO, now=NOW
    )
    assert referral is not None and referral.id is not None
    assert (
        referrals.log_thank_you(
            session, settings, referral.id, note="Called Rita", send_email=False, by=owner, now=NOW
        )
        is None
    )
    session.expire_all()
    logged = session.get(Referral, referral.id)
    assert logged is not None and (logged.thanked_at, logged.thank_you_note) == (NOW, "Called Rita")
    assert messages(session, "referral_thanks") == []
    later = NOW + timedelta(days=2)
    result = referrals.log_thank_you(
        session, settings, referral.id, note="Lunch soon?", send_email=True, by=owner, now=later
    )
    assert result is not None and result.queued
    [thanks] = messages(session, "referral_thanks")
    assert (thanks.category, thanks.to_email) == ("transactional", referrer.email)
    assert "Paul Prospect" in thanks.text_body and "Lunch soon?" in thanks.text_body
    with pytest.raises(RuleError, match="too long"):
        referrals.log_thank_you(
            session, settings, referral.id, note="x" * 501, send_email=False, by=owner, now=later
        )


def test_asking_for_an_introduction_emails_a_referral_link_as_an_advocacy_ask(
    settings: Settings, session: Session, owner, referrer
) -> None:
    result = referrals.ask_for_introduction(
        session, settings, referrer.account_id, referrer.id, by=owner, now=NOW
    )
    assert result.queued
    [ask] = messages(session, "referral_ask")
    assert (ask.category, ask.to_email) == ("advocacy_ask", referrer.email)
    token = ask.text_body.split("/c/referral/new/", 1)[1].split()[0]
    found = referrals.referrer_for(session, token, now=NOW)
    assert found is not None and found.contact.id == referrer.id


@pytest.mark.parametrize("mark", ["bad_camp", "do_not_ask"])
def test_a_bad_camp_or_do_not_ask_account_is_never_asked_for_an_introduction(
    settings: Settings, session: Session, owner, referrer, mark: str
) -> None:
    account = session.get(Account, referrer.account_id)
    assert account is not None
    if mark == "bad_camp":
        account.camp = "bad"
    account.do_not_ask = mark == "do_not_ask"
    session.add(account)
    session.commit()
    with pytest.raises(RuleError, match="never asked"):
        referrals.ask_for_introduction(
            session, settings, referrer.account_id, referrer.id, by=owner, now=NOW
        )
    assert messages(session, "referral_ask") == []
    assert session.exec(select(ClientLink).where(ClientLink.purpose == "referral")).all() == []
