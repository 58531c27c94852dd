"""The calibration report: scores replayed at past moments read only what was known then, the
report pools the periods whose window is over, and an objection keeps a contact out of every
replay (on the demo firm the top decile gave clearly more than the average: test_demo_firm.py)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from advocacy.models import ContactScore, Referral, ScoreSnapshot
from advocacy.services.scoring import history, objection, recompute
from tests.conftest import NOW
from tests.factories import make_account, make_mail_contact, make_user

RULES = recompute.ScoringRules()


def test_a_replay_snapshots_the_past_day_and_leaves_the_current_scores_alone(
    session: Session,
) -> None:
    account = make_account(session)
    anna = make_mail_contact(session, account)
    recompute.recompute_all(session, now=NOW, rules=RULES)
    before = session.exec(select(ContactScore)).one().computed_at
    # A referral she made after the replayed moment is not evidence then.
    session.add(
        Referral(
            referrer_contact_id=anna.id,
            referrer_account_id=account.id,
            name="Paul",
            company="Newco",
            created_at=NOW - timedelta(days=10),
            updated_at=NOW - timedelta(days=10),
        )
    )
    session.commit()
    past = NOW - timedelta(days=91)
    assert history.replay_history(session, [past], rules=RULES) == 1
    session.expire_all()
    assert session.exec(select(ContactScore)).one().computed_at == before
    days = {row.day: row for row in session.exec(select(ScoreSnapshot))}
    assert set(days) == {past.date(), NOW.date()}
    recompute.recompute_all(session, now=NOW, rules=RULES)
    session.expire_all()
    now_score = session.exec(select(ContactScore)).one().score
    assert days[past.date()].score < now_score  # the referral counts only from when it was made


def test_the_report_says_too_little_data_for_a_handful_of_contacts(session: Session) -> None:
    account = make_account(session)
    make_mail_contact(session, account)
    history.replay_history(session, [NOW - timedelta(days=400)], rules=RULES)
    report = history.calibration_report(session, today=NOW.date(), months=6, every_days=91)
    assert report.starts == [(NOW - timedelta(days=400)).date()]
    assert not report.result.enough and report.result.observations == 1


def test_a_replay_never_scores_someone_who_objected_even_before_the_objection(
    session: Session,
) -> None:
    account = make_account(session)
    anna = make_mail_contact(session, account)
    objection.object_by_staff(session, anna.id, by=make_user(session, role="admin"), now=NOW)
    assert history.replay_history(session, [NOW - timedelta(days=200)], rules=RULES) == 0
    assert session.exec(select(ScoreSnapshot)).all() == []
