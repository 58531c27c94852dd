"""The administrator's and marketing's home reads: coverage gaps and overdue check-ins per owner,
the mail of the last week, and the quotes marketing must watch (new, running out, withdrawn)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from advocacy import models
from advocacy.domain.people import BuyingRole, GapKind
from advocacy.models import MailEvent, SchedulerHeartbeat, Suppression, User
from advocacy.repository.read_models.my_week import coverage_gaps_of
from advocacy.services.operations.firm_overview import firm_overview
from advocacy.services.voice.quote_watch import quote_watch
from tests.conftest import NOW
from tests.factories import make_account, make_contact, make_sent_message, make_testimonial
from tests.factories_checkins import make_check_in

TODAY = NOW.date()


def _user(session: Session, email: str, name: str, role: str = "account_manager") -> User:
    user = User(email=email, name=name, role=role, created_at=NOW)
    session.add(user)
    session.commit()
    return user


def test_gaps_are_counted_per_owner_with_the_worst_accounts_first(session: Session) -> None:
    ann = _user(session, "ann@firm.example", "Ann")
    bob = _user(session, "bob@firm.example", "Bob")
    # Ann: one account with a single contact and no decision maker (two gaps), one covered.
    lone = make_account(session, owner=ann, name="Lone Ltd")
    make_contact(session, lone, full_name="Only One")
    covered = make_account(session, owner=ann, name="Covered Ltd")
    make_contact(session, covered, full_name="Dee Cider", roles=["decision_maker"])
    make_contact(session, covered, full_name="Second Person")
    # Bob: two contacts, no decision maker (one gap); and an account nobody owns.
    thin = make_account(session, owner=bob, name="Thin SA")
    make_contact(session, thin, full_name="First")
    make_contact(session, thin, full_name="Second")
    orphan = make_account(session, name="Orphan BV")
    make_contact(session, orphan, full_name="Alone")
    make_account(session, owner=bob, name="Empty Ltd")  # no contact yet: nothing to judge

    found = firm_overview(session, now=NOW, today=TODAY, stale_after_s=300)

    by_owner = {row.owner_name: row for row in found.coverage}
    assert set(by_owner) == {"Ann", "Bob", ""}
    assert [a.account_name for a in by_owner["Ann"].worst] == ["Lone Ltd"]
    assert {g.kind for g in by_owner["Ann"].worst[0].gaps} == {
        GapKind.NO_DECISION_MAKER,
        GapKind.SINGLE_THREADED,
    }
    assert [a.account_name for a in by_owner["Bob"].worst] == ["Thin SA"]
    assert [a.account_name for a in by_owner[""].worst] == ["Orphan BV"]
    assert found.accounts_with_gaps == 3
    # The same rule as each owner's My week, which reads contact by contact.
    for owner in (ann, bob):
        mine = {(g.account_id, tuple(g.gaps)) for g in coverage_gaps_of(session, owner.id or 0)}
        theirs = by_owner[owner.name].worst
        assert mine == {(a.account_id, tuple(a.gaps)) for a in theirs}


def test_a_gatekeeper_who_left_is_a_gap_until_someone_active_holds_the_role(
    session: Session,
) -> None:
    ann = _user(session, "ann@firm.example", "Ann")
    account = make_account(session, owner=ann, name="Gated SA")
    make_contact(session, account, full_name="Dee", roles=["decision_maker"])
    left = make_contact(session, account, full_name="Pat", roles=["procurement"])
    left.status = "left"  # as a departure leaves it
    session.add(left)
    session.commit()
    make_contact(session, account, full_name="Sam")
    (row,) = firm_overview(session, now=NOW, today=TODAY, stale_after_s=300).coverage
    assert [(g.kind, g.role) for g in row.worst[0].gaps] == [
        (GapKind.GATEKEEPER_MISSING, BuyingRole.PROCUREMENT)
    ]
    make_contact(session, account, full_name="Quinn", roles=["procurement"])
    assert firm_overview(session, now=NOW, today=TODAY, stale_after_s=300).coverage == []


def test_overdue_check_ins_are_counted_per_owner_oldest_first(session: Session) -> None:
    ann = _user(session, "ann@firm.example", "Ann")
    bob = _user(session, "bob@firm.example", "Bob")
    make_check_in(session, ann, due_on=TODAY - timedelta(days=3))
    make_check_in(session, ann, due_on=TODAY - timedelta(days=5))
    make_check_in(session, bob, due_on=TODAY - timedelta(days=20))
    make_check_in(session, bob, due_on=TODAY)  # due today: not overdue yet
    make_check_in(session, ann, due_on=TODAY + timedelta(days=2))

    found = firm_overview(session, now=NOW, today=TODAY, stale_after_s=300)

    assert [(r.owner_name, r.count, r.oldest_due_on) for r in found.overdue] == [
        ("Bob", 1, TODAY - timedelta(days=20)),
        ("Ann", 2, TODAY - timedelta(days=5)),
    ]
    assert found.overdue_total == 3


def test_mail_health_counts_the_last_seven_days_and_the_last_heartbeat(session: Session) -> None:
    recent = make_sent_message(session, sent_at=NOW - timedelta(days=1))
    make_sent_message(session, sent_at=NOW - timedelta(days=9))  # before the window
    make_sent_message(session, status="queued")
    make_sent_message(session, status="failed")
    for number, (event, days) in enumerate((("bounce", 2), ("dropped", 3), ("bounce", 10))):
        session.add(
            MailEvent(
                provider_event_id=f"event-{number}",
                message_id=recent.id,
                event=event,
                occurred_at=NOW - timedelta(days=days),
                payload_json="{}",
                received_at=NOW,
            )
        )
    session.add(
        Suppression(email="a@client.example", category="all", reason="bounce", created_at=NOW)
    )
    session.add(
        Suppression(
            email="b@client.example",
            category="all",
            reason="manual",
            created_at=NOW - timedelta(days=30),
        )
    )
    session.commit()

    silent = firm_overview(session, now=NOW, today=TODAY, stale_after_s=300).mail
    assert silent is not None
    figures = silent.figures
    assert (figures.queued, figures.sent, figures.failed) == (1, 1, 1)
    assert (figures.bounced, figures.dropped, figures.suppressions_added) == (1, 1, 1)
    assert figures.last_beat_at is None and silent.beat_stale

    beat = NOW - timedelta(seconds=30)
    session.add(SchedulerHeartbeat(name="jobs-1", started_at=beat, beat_at=beat))
    session.commit()
    alive = firm_overview(session, now=NOW, today=TODAY, stale_after_s=300).mail
    assert alive is not None and alive.figures.last_beat_at == beat and not alive.beat_stale


def test_marketing_watches_new_expiring_and_withdrawn_quotes(session: Session) -> None:
    account = make_account(session, name="Quoted SA")
    contact = make_contact(session, account, full_name="Quinn")
    fresh = make_testimonial(
        session, contact, status="published", published_at=NOW - timedelta(days=3), body="Fresh"
    )
    make_testimonial(
        session, contact, status="approved", approved_at=NOW - timedelta(days=45), body="Old"
    )
    make_testimonial(session, contact, status="submitted", body="Waiting")
    soon = make_testimonial(
        session,
        contact,
        status="approved",
        approved_at=NOW - timedelta(days=100),
        uses={"named_public": TODAY + timedelta(days=20), "internal": None},
        body="Soon",
    )
    make_testimonial(
        session,
        contact,
        status="approved",
        approved_at=NOW - timedelta(days=100),
        uses={"named_public": TODAY + timedelta(days=90)},
        body="Later",
    )
    pulled = make_testimonial(
        session,
        contact,
        status="published",
        published_at=NOW - timedelta(days=200),
        uses={"logo": None, "internal": None},
        body="Pulled",
    )
    logo = session.exec(
        select(models.TestimonialPermission).where(
            models.TestimonialPermission.testimonial_id == pulled.id,
            models.TestimonialPermission.use == "logo",
        )
    ).one()
    logo.withdrawn_at = NOW - timedelta(days=2)
    session.commit()

    found = quote_watch(session, now=NOW, today=TODAY)

    assert [q.testimonial_id for q in found.new] == [fresh.id]
    assert [(q.testimonial_id, q.uses) for q in found.expiring] == [(soon.id, ("named_public",))]
    assert [(q.testimonial_id, q.uses) for q in found.withdrawn] == [(pulled.id, ("logo",))]
    assert found.new[0].account_name == "Quoted SA"
