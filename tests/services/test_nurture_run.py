"""The nurture run on a real database: it does what the preview said, is idempotent, stops when
the campaign pauses, never resends a step after an edit, writes in a fixed number of statements
whatever the segment's size, and carries out tasks for the account manager."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from advocacy.domain.campaigns import StepKind
from advocacy.models import (
    Enrolment,
    JourneySignal,
    OutboxMessage,
    StepInput,
    StepRecord,
)
from advocacy.services.nurture import campaigns, planner
from advocacy.services.nurture.run import run_campaigns
from advocacy.settings import Settings
from tests.conftest import NOW, count_queries, empty_all_tables
from tests.services.test_nurture_planner import build_firm


def rows(session: Session, model: Any, *where: Any) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def activate(session: Session, firm: dict[str, Any]) -> int:
    campaign_id = firm["campaign"].id
    campaigns.activate(session, campaign_id, by=firm["marketer"], now=NOW)
    return campaign_id


def test_the_run_does_what_the_preview_said(session: Session, settings: Settings) -> None:
    firm = build_firm(session, 4)
    campaign_id = activate(session, firm)
    preview = planner.preview_campaign(session, campaign_id, now=NOW, settings=settings)
    session.rollback()
    summary = run_campaigns(session, now=NOW, settings=settings)
    assert (summary.enrolled, summary.done, summary.held) == (
        len(preview.enrolled),
        len(preview.sends),
        len(preview.held_back),
    )
    messages = session.exec(select(OutboxMessage)).all()
    assert {(m.contact_id, m.service_line_id, m.template) for m in messages} == {
        (s.contact_id, s.service_line_id, "nurture_next_line") for s in preview.sends
    }
    assert all(m.category == "nurture" for m in messages)
    records = session.exec(select(StepRecord).where(StepRecord.outcome == "done")).all()
    assert {r.outbox_message_id for r in records} == {m.id for m in messages}
    assert all('"reasons"' in r.reason_json for r in records)
    assert rows(session, StepRecord, StepRecord.outcome == "held") == len(preview.held_back)


def test_a_second_run_at_the_same_moment_adds_nothing(session: Session, settings: Settings) -> None:
    firm = build_firm(session, 3)
    activate(session, firm)
    run_campaigns(session, now=NOW, settings=settings)
    counts = [rows(session, m) for m in (Enrolment, StepRecord, OutboxMessage)]
    again = run_campaigns(session, now=NOW, settings=settings)
    assert (again.enrolled, again.done) == (0, 0)
    assert [rows(session, m) for m in (Enrolment, StepRecord, OutboxMessage)] == counts


def test_a_paused_campaign_sends_nothing_at_the_next_run(
    session: Session, settings: Settings
) -> None:
    firm = build_firm(session, 2)
    campaign_id = activate(session, firm)
    campaigns.pause(session, campaign_id, by=firm["marketer"], now=NOW)
    summary = run_campaigns(session, now=NOW, settings=settings)
    assert (summary.campaigns, rows(session, OutboxMessage), rows(session, Enrolment)) == (0, 0, 0)


def test_editing_a_running_campaign_never_resends_a_step(
    session: Session, settings: Settings
) -> None:
    firm = build_firm(session, 2)
    campaign_id = firm["campaign"].id

    def steps(task: str) -> list[StepInput]:
        return [
            StepInput(kind=StepKind.NEXT_LINE_EMAIL),
            StepInput(kind="wait", wait_days=7),
            StepInput(kind="task", task_text=task),
        ]

    campaigns.set_steps(session, campaign_id, steps("Call"), by=firm["marketer"], now=NOW)
    activate(session, firm)
    run_campaigns(session, now=NOW, settings=settings)
    first = rows(session, OutboxMessage)
    assert first == 1  # one of the two still had a line to learn
    # The e-mail step was carried out: its settings may change, the task after it too.
    campaigns.set_steps(
        session, campaign_id, steps("Call about the article"), by=firm["marketer"], now=NOW
    )
    summary = run_campaigns(session, now=NOW + timedelta(days=8), settings=settings)
    assert rows(session, OutboxMessage) == first
    assert summary.done == 1  # the task, for the contact who got the e-mail
    (signal,) = session.exec(select(JourneySignal).where(JourneySignal.kind == "nurture_task"))
    assert signal.message.endswith("Call about the article")


def test_the_run_writes_the_same_statements_whatever_the_segment_size(
    engine: Engine, app: Any
) -> None:
    counts = []
    with app.app_context():
        settings = app.config["ADVOCACY"]
        for accounts in (2, 8):
            empty_all_tables(engine)
            with Session(engine, expire_on_commit=False) as session:
                firm = build_firm(session, accounts)
                activate(session, firm)
                with count_queries(engine) as statements:
                    summary = run_campaigns(session, now=NOW, settings=settings)
                assert summary.enrolled == accounts
                counts.append(len(statements))
    assert counts[0] == counts[1]


def test_results_read_the_same_statements_whatever_the_campaign_size(
    engine: Engine, app: Any
) -> None:
    from advocacy.services.nurture.results import campaign_results

    counts = []
    with app.app_context():
        settings = app.config["ADVOCACY"]
        for accounts in (2, 8):
            empty_all_tables(engine)
            with Session(engine, expire_on_commit=False) as session:
                firm = build_firm(session, accounts)
                activate(session, firm)
                run_campaigns(session, now=NOW, settings=settings)
                with count_queries(engine) as statements:
                    results = campaign_results(
                        session, firm["campaign"].id, user=firm["marketer"], now=NOW,
                        settings=settings,
                    )  # fmt: skip
                assert results.counts.enrolled == accounts
                counts.append(len(statements))
    assert counts[0] == counts[1] <= 15


def _enrolments(session: Session, campaign_id: int) -> dict[int, tuple[str, str | None]]:
    session.expire_all()
    return {
        e.contact_id: (e.status, e.stop_reason)
        for e in session.exec(select(Enrolment).where(Enrolment.campaign_id == campaign_id))
    }


def test_a_last_wait_step_keeps_the_enrolment_until_it_has_elapsed(
    session: Session, settings: Settings
) -> None:
    firm = build_firm(session, 2)  # the e-mail, then a 14-day wait to end with
    campaign_id = activate(session, firm)
    emailed = firm["contacts"][0].id  # the one with a line left to learn
    run_campaigns(session, now=NOW, settings=settings)
    assert _enrolments(session, campaign_id)[emailed] == ("active", None)
    run_campaigns(session, now=NOW + timedelta(days=13), settings=settings)
    assert _enrolments(session, campaign_id)[emailed] == ("active", None)
    summary = run_campaigns(session, now=NOW + timedelta(days=14, hours=1), settings=settings)
    assert _enrolments(session, campaign_id)[emailed] == ("completed", "completed")
    assert (summary.stopped, rows(session, OutboxMessage)) == (1, 1)


def test_finishing_a_campaign_stops_its_enrolments(session: Session, settings: Settings) -> None:
    firm = build_firm(session, 2)
    campaign_id = activate(session, firm)
    run_campaigns(session, now=NOW, settings=settings)
    assert {status for status, _ in _enrolments(session, campaign_id).values()} == {"active"}
    later = NOW + timedelta(days=3)
    campaigns.finish(session, campaign_id, by=firm["marketer"], now=later)
    ended = session.exec(select(Enrolment).where(Enrolment.campaign_id == campaign_id)).all()
    assert {(e.status, e.stop_reason, e.next_position) for e in ended} == {
        ("stopped", "campaign_finished", None)
    }
    assert {e.stopped_at.replace(tzinfo=None) for e in ended if e.stopped_at} == {
        later.replace(tzinfo=None)
    }
    assert len(ended) == 2
