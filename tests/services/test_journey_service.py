"""Journey use cases on a real database: stages, history, engagements, camps, silence."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from advocacy.domain.errors import NotAllowed, RuleError
from advocacy.domain.journey import Camp, EngagementStatus, IllegalMove, Stage
from advocacy.models import (
    AccountCreate,
    AccountUpdate,
    EngagementCreate,
    EngagementUpdate,
    JourneySignal,
    StageChange,
)
from advocacy.services.journey import accounts, engagements
from tests.factories import make_account, make_service_line, make_user


def _history(session: Session, account_id: int) -> list[tuple[str | None, str, str | None]]:
    rows = session.exec(
        select(StageChange).where(StageChange.account_id == account_id).order_by(StageChange.id)
    )
    return [(row.from_stage, row.to_stage, row.rule) for row in rows]


def test_a_new_account_starts_as_a_prospect_with_its_first_history_row(
    session: Session, now: datetime
) -> None:
    owner = make_user(session)
    account = accounts.create_account(
        session, AccountCreate(name=" Acme ", owner_id=owner.id), by=owner, now=now
    )
    assert (account.name, account.stage, account.stage_since) == ("Acme", "prospect", now)
    assert _history(session, account.id) == [(None, "prospect", None)]


def test_the_owner_must_be_an_active_account_manager(session: Session, now: datetime) -> None:
    admin = make_user(session, role="admin")
    marketer = make_user(session, role="marketing")
    with pytest.raises(RuleError, match="owner"):
        accounts.create_account(
            session, AccountCreate(name="Acme", owner_id=marketer.id), by=admin, now=now
        )


def test_a_manual_move_is_recorded_with_who_and_why(session: Session, now: datetime) -> None:
    owner = make_user(session)
    account = make_account(session, owner=owner)
    accounts.move_account_to_stage(
        session, account.id, Stage.ACTIVE, reason="signed", by=owner, now=now
    )
    change = session.exec(select(StageChange).order_by(StageChange.id.desc())).first()
    assert (change.from_stage, change.to_stage, change.reason, change.by_user_id) == (
        "prospect",
        "active",
        "signed",
        owner.id,
    )


def test_an_illegal_move_changes_nothing(session: Session, now: datetime) -> None:
    owner = make_user(session)
    account = make_account(session, owner=owner)
    with pytest.raises(IllegalMove):
        accounts.move_account_to_stage(
            session, account.id, Stage.FORMER, reason="gone", by=owner, now=now
        )
    session.rollback()
    assert _history(session, account.id) == [(None, "prospect", None)]


def test_only_the_owner_team_or_an_admin_may_change_an_account(
    session: Session, now: datetime
) -> None:
    owner = make_user(session)
    colleague = make_user(session)
    marketer = make_user(session, role="marketing")
    admin = make_user(session, role="admin")
    account = make_account(session, owner=owner)
    for outsider in (colleague, marketer):
        with pytest.raises(NotAllowed):
            accounts.update_account(
                session, account.id, AccountUpdate(notes="x"), by=outsider, now=now
            )
    accounts.update_account(session, account.id, AccountUpdate(notes="ok"), by=admin, now=now)
    assert account.notes == "ok"


def test_winning_an_engagement_makes_the_account_active_and_completing_it_between(
    session: Session, now: datetime
) -> None:
    owner = make_user(session)
    account = make_account(session, owner=owner)
    line = make_service_line(session, "Audit")
    won = engagements.record_engagement(
        session,
        account.id,
        EngagementCreate(title="Audit 2026", status="won", service_line_ids=[line.id]),
        by=owner,
        now=now,
    )
    assert account.stage == "active"
    engagements.update_engagement(
        session,
        won.id,
        EngagementUpdate(status="completed", end_date=date(2026, 11, 1)),
        by=owner,
        now=now + timedelta(days=1),
    )
    assert account.stage == "between"
    assert _history(session, account.id)[1:] == [
        ("prospect", "active", "engagement.live"),
        ("active", "between", "engagement.last_completed"),
    ]


def test_a_lost_or_deferred_proposal_keeps_a_prospect_a_prospect(
    session: Session, now: datetime
) -> None:
    owner = make_user(session)
    account = make_account(session, owner=owner)
    engagements.record_engagement(
        session, account.id, EngagementCreate(title="RFP", status="lost"), by=owner, now=now
    )
    engagements.record_engagement(
        session,
        account.id,
        EngagementCreate(title="Later", status="deferred", revisit_on=date(2027, 6, 1)),
        by=owner,
        now=now,
    )
    assert account.stage == "prospect"


def test_a_deferred_engagement_needs_a_revisit_date() -> None:
    with pytest.raises(ValidationError, match="revisit"):
        EngagementCreate(title="Not now", status=EngagementStatus.DEFERRED)


def test_an_engagement_cannot_involve_another_accounts_contact_or_an_unknown_line(
    session: Session, now: datetime
) -> None:
    from tests.factories import make_contact

    owner = make_user(session)
    account = make_account(session, owner=owner)
    stranger = make_contact(session, make_account(session, owner=owner))
    with pytest.raises(RuleError, match="contacts of this account"):
        engagements.record_engagement(
            session,
            account.id,
            EngagementCreate(title="X", contact_ids=[stranger.id]),
            by=owner,
            now=now,
        )
    session.rollback()
    with pytest.raises(RuleError, match="service line"):
        engagements.record_engagement(
            session,
            account.id,
            EngagementCreate(title="X", service_line_ids=[99999]),
            by=owner,
            now=now,
        )


def test_a_bad_camp_marks_the_account_do_not_ask(session: Session, now: datetime) -> None:
    owner = make_user(session)
    account = make_account(session, owner=owner)
    accounts.set_former_camp(
        session, account.id, Camp.BAD, reason="missed deadlines", by=owner, now=now
    )
    assert account.do_not_ask
    with pytest.raises(RuleError):
        accounts.set_do_not_ask(session, account.id, False, by=owner, now=now)


def test_silence_between_engagements_is_proposed_once_then_applied_by_rule(
    session: Session, now: datetime
) -> None:
    owner = make_user(session)
    account = make_account(session, owner=owner)
    accounts.move_account_to_stage(
        session, account.id, Stage.ACTIVE, reason="x", by=owner, now=now - timedelta(days=1000)
    )
    accounts.move_account_to_stage(
        session, account.id, Stage.BETWEEN, reason="x", by=owner, now=now - timedelta(days=900)
    )
    silence = timedelta(days=730)
    assert accounts.flag_silent_accounts(session, now=now, silence=silence) == [account.id]
    assert accounts.flag_silent_accounts(session, now=now, silence=silence) == []
    signals = session.exec(
        select(JourneySignal).where(JourneySignal.kind == "propose_former")
    ).all()
    assert len(signals) == 1
    assert accounts.flag_silent_accounts(session, now=now, silence=silence, apply=True) == [
        account.id
    ]
    assert account.stage == "former"
    assert _history(session, account.id)[-1] == ("between", "former", "journey.silence")
    session.refresh(signals[0])
    assert signals[0].resolved_at is None  # moved to former: the proposal is done by the move


def test_a_team_member_may_edit_but_not_hand_the_account_over(
    session: Session, now: datetime
) -> None:
    from advocacy.models import AccountTeamMember

    owner = make_user(session)
    teammate = make_user(session)
    account = make_account(session, owner=owner)
    session.add(AccountTeamMember(account_id=account.id, user_id=teammate.id))
    session.commit()
    accounts.update_account(session, account.id, AccountUpdate(notes="met"), by=teammate, now=now)
    with pytest.raises(NotAllowed, match="hand it over"):
        accounts.update_account(
            session, account.id, AccountUpdate(owner_id=teammate.id), by=teammate, now=now
        )


def test_a_refused_engagement_update_leaves_the_row_untouched(
    session: Session, now: datetime
) -> None:
    owner = make_user(session)
    account = make_account(session, owner=owner)
    engagement = engagements.record_engagement(
        session,
        account.id,
        EngagementCreate(title="Audit", start_date=date(2026, 1, 1)),
        by=owner,
        now=now,
    )
    with pytest.raises(ValidationError, match="end date"):
        engagements.update_engagement(
            session,
            engagement.id,
            EngagementUpdate(title="Renamed", end_date=date(2025, 1, 1)),
            by=owner,
            now=now,
        )
    assert engagement.title == "Audit" and engagement.end_date is None
