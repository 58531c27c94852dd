"""Recomputing advocacy scores: all at once in a fixed number of queries per chunk, a few contacts
when their evidence changes, and never anyone who objected to profiling."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from advocacy.domain.journey import Camp
from advocacy.models import ConsentChange, ContactScore, ScoreSnapshot, Survey
from advocacy.services.journey.accounts import set_former_camp
from advocacy.services.journey.people import record_departure
from advocacy.services.scoring import objection, recompute
from tests.conftest import NOW, count_queries, empty_all_tables
from tests.factories import (
    make_account,
    make_contact,
    make_engagement,
    make_service_line,
    make_touchpoint,
    make_user,
)

RULES = recompute.ScoringRules()


def _promoter(session: Session, account: Any, contact: Any, score: int = 10) -> None:
    session.add(
        Survey(
            key=f"nps:{contact.id}:{score}",
            account_id=account.id,
            contact_id=contact.id,
            kind="nps",
            trigger="on_demand",
            status="answered",
            score=score,
            created_at=NOW - timedelta(days=20),
            updated_at=NOW - timedelta(days=20),
            answered_at=NOW - timedelta(days=20),
        )
    )
    session.commit()


def _firm(session: Session, accounts: int) -> list[Any]:
    line = make_service_line(session)
    contacts = []
    for number in range(accounts):
        account = make_account(session)
        contact = make_contact(session, account, email=f"p{number}@client.example")
        make_contact(session, account, email=f"q{number}@client.example")
        make_engagement(
            session, account, status="won", service_line_ids=[line.id], contact_ids=[contact.id]
        )
        make_touchpoint(session, account, contact_id=contact.id, kind="meeting")
        _promoter(session, account, contact)
        contacts.append(contact)
    return contacts


def _scores(session: Session) -> dict[int, ContactScore]:
    session.expire_all()
    return {row.contact_id: row for row in session.exec(select(ContactScore))}


def test_the_full_recompute_scores_every_contact_and_keeps_one_snapshot_a_day(
    session: Session,
) -> None:
    promoter = _firm(session, 2)[0]
    assert recompute.recompute_all(session, now=NOW, rules=RULES) == 4
    recompute.recompute_all(session, now=NOW + timedelta(hours=2), rules=RULES)
    scores = _scores(session)
    assert len(scores) == 4
    best = max(scores.values(), key=lambda row: row.score)
    assert best.contact_id in {promoter.id, promoter.id + 2}
    assert "promoter" in {item["factor"] for item in json.loads(best.factors_json)["factors"]}
    snapshots = list(session.exec(select(ScoreSnapshot)))
    assert len(snapshots) == 4  # the same day twice: still one each
    recompute.recompute_all(session, now=NOW + timedelta(days=1), rules=RULES)
    assert len(list(session.exec(select(ScoreSnapshot)))) == 8


def test_the_full_recompute_sends_the_same_statements_whatever_the_size(engine: Engine) -> None:
    counts = []
    for accounts in (2, 9):
        empty_all_tables(engine)
        with Session(engine, expire_on_commit=False) as session:
            _firm(session, accounts)
            with count_queries(engine) as statements:
                recompute.recompute_all(session, now=NOW, rules=RULES)
            counts.append(len(statements))
    assert counts[0] == counts[1] <= 30


def test_chunks_are_committed_one_by_one_with_the_progress_reported(session: Session) -> None:
    _firm(session, 3)
    seen: list[tuple[int, int]] = []
    scored = recompute.recompute_all(
        session,
        now=NOW,
        rules=RULES,
        chunk=4,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert scored == 6
    assert seen == [(4, 6), (6, 6)]


def test_a_camp_turning_bad_rescores_the_account_s_people_in_the_same_transaction(
    session: Session,
) -> None:
    admin = make_user(session, role="admin")
    contact = _firm(session, 1)[0]
    recompute.recompute_all(session, now=NOW, rules=RULES)
    assert _scores(session)[contact.id].tier != "do_not_ask"
    set_former_camp(session, contact.account_id, Camp.BAD, reason="Angry", by=admin, now=NOW)
    assert _scores(session)[contact.id].tier == "do_not_ask"


def test_a_departure_rescores_the_contact_with_the_ask_of_a_mover(session: Session) -> None:
    admin = make_user(session, role="admin")
    contact = _firm(session, 1)[0]
    record_departure(
        session,
        contact.id,
        retired=True,
        on=NOW.date(),
        new_employer=None,
        by=admin,
        now=NOW,
    )
    assert _scores(session)[contact.id].reason in {"retired_alumnus", "departed_low"}


def test_an_objection_to_profiling_deletes_the_score_and_its_history_at_once(
    session: Session,
) -> None:
    admin = make_user(session, role="admin")
    contact = _firm(session, 1)[0]
    recompute.recompute_all(session, now=NOW - timedelta(days=1), rules=RULES)
    recompute.recompute_all(session, now=NOW, rules=RULES)
    objection.object_by_staff(session, contact.id, by=admin, now=NOW)
    assert contact.id not in _scores(session)
    history = session.exec(select(ScoreSnapshot).where(ScoreSnapshot.contact_id == contact.id))
    assert list(history) == []
    change = session.exec(select(ConsentChange).where(ConsentChange.category == "profiling")).one()
    assert (change.contact_id, change.via) == (contact.id, "staff")
    recompute.recompute_all(session, now=NOW + timedelta(days=1), rules=RULES)
    assert contact.id not in _scores(session)
    assert len(_scores(session)) == 1


def test_a_replay_in_the_past_reads_only_what_was_known_then(session: Session) -> None:
    contact = _firm(session, 1)[0]
    before = NOW - timedelta(days=30)  # before the survey, the meeting and the engagement
    recompute.recompute_contacts(session, [contact.id], now=before, rules=RULES)
    early = _scores(session)[contact.id]
    assert '"promoter"' not in early.factors_json
    recompute.recompute_contacts(session, [contact.id], now=NOW, rules=RULES)
    assert _scores(session)[contact.id].score > early.score
    days = {row.day for row in session.exec(select(ScoreSnapshot))}
    assert days == {before.date(), NOW.date()}
    assert date(2026, 10, 24) in days
