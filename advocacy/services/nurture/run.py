"""The nurture run: plan every active campaign, then write what the plan says, chunk by chunk.

Each chunk of contacts is one transaction: new enrolments, stops, the outbox messages (through
the bulk queue, same rules as `queue_email`), the step records and the enrolments moved on. A
process killed mid-run loses only its open chunk; the next run plans those contacts again from
what was committed, and the same idempotency keys (contact + campaign + step + occurrence) and
the unique step records make sure nothing is sent twice and no step is lost.

Survey asks go through the survey pipeline, which commits on its own: they are sent before the
chunk's transaction, keyed by campaign, step and occurrence, so a repeat finds them done.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlmodel import Session

from advocacy.domain.campaigns import (
    AskStepKind,
    HeldBack,
    HoldReason,
    PlannedSend,
    StepKind,
)
from advocacy.domain.errors import RuleError
from advocacy.domain.mail import Category
from advocacy.domain.outbox import Refusal
from advocacy.models import Contact, Enrolment, JourneySignal
from advocacy.models.fields import saved_id
from advocacy.repository import journey, nurture_facts, nurture_writes
from advocacy.services.mail.queue import QueueResult
from advocacy.services.mail.queue_bulk import Draft, queue_emails
from advocacy.services.nurture.planner import (
    CONTENT_TEMPLATE,
    NEXT_LINE_TEMPLATE,
    CampaignRun,
    active_campaigns,
    email_context,
    new_planner,
    plan_one,
)
from advocacy.services.voice import referrals, surveys, testimonial_mail
from advocacy.settings import Settings

TASK_SIGNAL: Final = "nurture_task"
SOURCE: Final = "nurture_campaign"
# What a refusal at queue time means for the step: it waits, like a hold the planner made.
QUEUE_REFUSALS: Final = {
    Refusal.NO_ADDRESS: HoldReason.NO_ADDRESS,
    Refusal.SUPPRESSED: HoldReason.SUPPRESSED,
    Refusal.NO_CONSENT: HoldReason.NO_CONSENT,
    Refusal.NO_CONTACT: HoldReason.NO_ADDRESS,
    Refusal.CONTACT_INACTIVE: HoldReason.NO_CONSENT,
    Refusal.OVER_BUDGET: HoldReason.OVER_BUDGET,
}
Progress = Callable[[int, int], None]


@dataclass
class RunSummary:
    """What one run did, over every active campaign."""

    campaigns: int = 0
    enrolled: int = 0
    done: int = 0  # steps carried out (e-mails queued, asks made, tasks created)
    held: int = 0
    stopped: int = 0
    by_campaign: dict[int, dict[str, int]] = field(default_factory=dict)


def occurrence_key(position: int, occurrence: int) -> str:
    """The idempotency occurrence of one step of one enrolment."""
    return f"{position}:{occurrence}"


def run_campaigns(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    progress: Progress | None = None,
    dry_run: bool = False,
) -> RunSummary:
    """Plan and carry out every active campaign; commits once per chunk (`dry_run`: nothing)."""
    summary = RunSummary()
    planner = new_planner(session, settings, now=now)
    for campaign in active_campaigns(session):
        run = plan_one(session, planner, campaign, settings)
        report = run.report
        summary.campaigns += 1
        summary.enrolled += len(report.enrolled)
        summary.stopped += len(report.stopped)
        summary.by_campaign[saved_id(campaign)] = {
            "enrolled": len(report.enrolled),
            "planned": len(report.sends),
            "held": len(report.held_back),
            "stopped": len(report.stopped),
        }
        if dry_run:
            summary.done += len(report.sends)
            summary.held += len(report.held_back)
            continue
        _write(session, run, settings, now=now, summary=summary, progress=progress)
    if dry_run:
        session.rollback()
    return summary


def _by_contact(items: Iterable[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for item in items:
        grouped[item.contact_id].append(item)
    return grouped


def _write(
    session: Session,
    run: CampaignRun,
    settings: Settings,
    *,
    now: datetime,
    summary: RunSummary,
    progress: Progress | None,
) -> None:
    report = run.report
    enrolments = _by_contact(report.enrolments)
    sends = _by_contact(report.sends)
    held = _by_contact(report.held_back)
    stopped = _by_contact(report.stopped)
    contacts = sorted(set(enrolments) | set(sends) | set(held) | set(stopped))
    chunk_size = settings.nurture_run_chunk
    line_names = nurture_facts.line_names(session) if report.sends else {}
    for start in range(0, len(contacts), chunk_size):
        chunk = contacts[start : start + chunk_size]
        chunk_sends = [s for cid in chunk for s in sends.get(cid, ())]
        _send_surveys(session, settings, run, chunk_sends, now=now)
        nurture_writes.insert_enrolments(
            session,
            report.campaign_id,
            [e for cid in chunk for e in enrolments.get(cid, ())],
            now=now,
        )
        rows = nurture_writes.active_enrolments(session, report.campaign_id, chunk)
        nurture_writes.stop(rows, [s for cid in chunk for s in stopped.get(cid, ())], now=now)
        # Another run (a second process) may have carried these steps out since this one
        # planned: what is no longer due is left alone, so no task or ask is made twice.
        chunk_sends = [s for s in chunk_sends if _still_due(rows, s.contact_id, s.step_position)]
        done, more_held = _carry_out(session, settings, run, chunk_sends, line_names, now=now)
        chunk_held = [
            h
            for cid in chunk
            for h in held.get(cid, ())
            if _still_due(rows, h.contact_id, h.step_position)
        ] + more_held
        nurture_writes.record(session, report.campaign_id, rows, done, chunk_held, now=now)
        session.commit()
        summary.done += len(done)
        summary.held += len(chunk_held)
        if progress is not None:
            progress(min(start + chunk_size, len(contacts)), len(contacts))


def _still_due(rows: dict[int, Enrolment], contact_id: int, position: int) -> bool:
    row = rows.get(contact_id)
    return row is not None and row.next_position is not None and row.next_position <= position


def _send_surveys(
    session: Session,
    settings: Settings,
    run: CampaignRun,
    sends: list[PlannedSend],
    *,
    now: datetime,
) -> None:
    for send in sends:
        if send.kind is StepKind.ASK and send.ask_kind is AskStepKind.SURVEY:
            surveys.send_campaign_survey(
                session,
                settings,
                account_id=send.account_id,
                contact_id=send.contact_id,
                occurrence=f"{SOURCE}:{run.report.campaign_id}:"
                + occurrence_key(send.step_position, send.occurrence),
                now=now,
            )


def _carry_out(
    session: Session,
    settings: Settings,
    run: CampaignRun,
    sends: list[PlannedSend],
    line_names: dict[int, str],
    *,
    now: datetime,
) -> tuple[list[tuple[PlannedSend, int | None]], list[HeldBack]]:
    """Queue the e-mails, make the asks, create the tasks; what was done and what was refused."""
    done: list[tuple[PlannedSend, int | None]] = []
    held: list[HeldBack] = []
    emails = [s for s in sends if s.kind in {StepKind.EMAIL, StepKind.NEXT_LINE_EMAIL}]
    results = queue_emails(
        session, [_draft(run, s, line_names) for s in emails], now=now, settings=settings
    )
    for send, result in zip(emails, results, strict=True):
        _done_or_held(send, result, done, held)
    for send in sends:
        if send.kind is StepKind.TASK:
            _task(session, run, send, now=now)
            done.append((send, None))
        elif send.kind is StepKind.ASK:
            if send.ask_kind is AskStepKind.SURVEY:
                done.append((send, None))  # sent before the chunk, by the survey pipeline
                continue
            try:
                result = _ask(session, settings, send, now=now)
            except RuleError as refusal:
                held.append(_held(send, HoldReason.MAY_NOT_ASK, str(refusal)))
                continue
            _done_or_held(send, result, done, held)
    return done, held


def _held(send: PlannedSend, reason: HoldReason, detail: str = "") -> HeldBack:
    return HeldBack(
        send.contact_id,
        send.account_id,
        send.step_position,
        reason,
        detail[:300],
        occurrence=send.occurrence,
        kind=send.kind,
    )


def _done_or_held(
    send: PlannedSend,
    result: QueueResult,
    done: list[tuple[PlannedSend, int | None]],
    held: list[HeldBack],
) -> None:
    if result.refusal is None:
        done.append((send, result.message_id))
    else:
        reason = QUEUE_REFUSALS.get(result.refusal, HoldReason.NO_CONSENT)
        held.append(_held(send, reason, result.detail or result.refusal.value))


def _draft(run: CampaignRun, send: PlannedSend, line_names: dict[int, str]) -> Draft:
    reach = run.facts.reach[send.contact_id]
    item = run.items[send.content_item_id or 0]
    line_name = line_names.get(send.service_line_id or 0, "")
    template = NEXT_LINE_TEMPLATE if send.kind is StepKind.NEXT_LINE_EMAIL else CONTENT_TEMPLATE
    return Draft(
        category=Category.NURTURE,
        template=template,
        to=reach.email,
        contact_id=send.contact_id,
        account_id=send.account_id,
        source=(SOURCE, run.report.campaign_id),
        occurrence=occurrence_key(send.step_position, send.occurrence),
        context=email_context(item, line_name),
        to_name=reach.full_name,
        language=reach.language or None,
        service_line_id=send.service_line_id,
    )


def _ask(session: Session, settings: Settings, send: PlannedSend, *, now: datetime) -> QueueResult:
    """Testimonial and referral asks through the client-voice flows (a few statements each)."""
    contact = session.get(Contact, send.contact_id)
    if contact is None:
        raise RuleError("unknown contact")
    if send.ask_kind is AskStepKind.TESTIMONIAL:
        account = journey.get_account(session, send.account_id)
        return testimonial_mail.queue_ask(session, settings, account, contact, now=now)
    return referrals.queue_referral_ask(
        session, settings, contact, sender_name="", user_id=None, now=now
    )


def _task(session: Session, run: CampaignRun, send: PlannedSend, *, now: datetime) -> None:
    """A task for the account manager: a journey signal on their list, naming the campaign."""
    audience = run.facts.audience[send.contact_id]
    session.add(
        JourneySignal(
            kind=TASK_SIGNAL,
            account_id=send.account_id,
            contact_id=send.contact_id,
            owner_id=audience.owner_id,
            message=f"{run.campaign.name}: {send.task_text}"[:500],
            created_at=now,
        )
    )
