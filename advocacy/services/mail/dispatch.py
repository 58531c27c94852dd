"""Dispatching the outbox: claim a batch under a lease, check again, send, record each outcome.

Short transactions per batch, none held while the network is used:
1. claim (a conditional UPDATE ... RETURNING: safe with any number of dispatchers), then re-check
   suppression, consent and pressure at send time and settle `unknown` messages the provider has
   reported on;
2. send, in parallel threads, outside any transaction (while the previous batch is recorded and
   the next one claimed);
3. record every outcome in one executemany UPDATE that only touches rows this worker still holds.

Before a request leaves, its start is committed (`send_started_at`, with the next few: see
request_starts). A dispatcher killed before 3 leaves its rows `sending`; when the lease runs
out, those whose request had started become `unknown` (they may have gone out) and are resent
only after
`mail_unknown_resend_after_minutes` without any provider event for them, while those never put
on the wire go straight back to the queue. Messages are never resent on a guess, which is what
makes a kill -9 cost a wait, not a duplicate; the events that settle `unknown` messages come
through the signed event webhook (`processed` switched on), matched by MESSAGE_ID_ARG.
"""

from __future__ import annotations

import json
import random
import secrets
import socket
import threading
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.engine import Engine
from sqlmodel import Session

from advocacy.adapters.mail_delivery import MailSender, build_sender
from advocacy.domain import pressure
from advocacy.domain.mail import CLIENT_FACING, Category
from advocacy.domain.outbox import (
    HELD_BACK,
    AnswerKind,
    Decision,
    OutgoingMail,
    ProviderAnswer,
    Recipient,
    Refusal,
    RetryPolicy,
    Status,
    can_move,
    decide,
    postponed,
    refusal_for,
    settle_unknown,
)
from advocacy.domain.people import ContactStatus
from advocacy.repository import outbox
from advocacy.repository.outbox import Claimed
from advocacy.services.mail.queue import budget_of, window_of
from advocacy.services.mail.request_starts import START_AHEAD_PER_THREAD, RequestStarts
from advocacy.settings import Settings

DEFAULT_MAX_BATCHES = 50


@dataclass
class DispatchReport:
    """What one run did, by outcome (for the job log and the tests)."""

    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, what: str, n: int = 1) -> None:
        self.counts[what] += n

    def __getitem__(self, what: str) -> int:
        return self.counts.get(what, 0)


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=settings.mail_max_attempts,
        unknown_wait=timedelta(minutes=settings.mail_unknown_resend_after_minutes),
    )


def new_worker_id() -> str:
    """Unique per run: a lease names the run that holds it, not just the host."""
    return f"{socket.gethostname()[:60]}:{secrets.token_hex(6)}"


def run_dispatch(engine: Engine, settings: Settings, *, now: datetime) -> DispatchReport:
    """The job: dispatch what is due with the configured backend."""
    sender = build_sender(settings)
    try:
        return dispatch_due(engine, settings, sender, now=now, worker_id=new_worker_id())
    finally:
        sender.close()


@dataclass
class _Batch:
    """A claimed batch: decisions made before sending, and the sends under way."""

    decisions: dict[int, Decision]
    mails: list[OutgoingMail]
    attempts: dict[int, int]
    answers: Iterator[ProviderAnswer] | None = None


def dispatch_due(
    engine: Engine,
    settings: Settings,
    sender: MailSender,
    *,
    now: datetime,
    worker_id: str,
    rng: random.Random | None = None,
    max_batches: int = DEFAULT_MAX_BATCHES,
) -> DispatchReport:
    """Send due outbox messages, batch after batch, until none is due or `max_batches` ran.

    Pipelined so the network is never idle while the database works: the next batch is claimed
    and checked while the current one is on the network, and it starts sending as soon as the
    current one's answers are in, while those are recorded. At most two batches are held at once,
    so a crash loses the bookkeeping of at most those two (their leases run out, they become
    `unknown`, nothing is resent on a guess).
    """
    policy = retry_policy(settings)
    rng = rng or random.Random()  # noqa: S311 - jitter, not a secret
    report = DispatchReport()
    with Session(engine) as session:
        expired = outbox.expire_leases(session, now=now, wait=policy.unknown_wait)
        session.commit()
        paused_until = outbox.provider_paused_until(session, now=now)
    report.add("lease_expired", expired)
    if paused_until is not None:
        # The provider refused or failed a request moments ago (429, 503, 5xx): sending other
        # messages into it would only put more of them in doubt or use up their attempts.
        report.add("paused")
        return report
    pool = ThreadPoolExecutor(sender.threads) if sender.threads > 1 else None
    halt = threading.Event()
    in_flight: _Batch | None = None
    claimed = 0
    record = partial(_record, engine, report, now=now, worker_id=worker_id)
    try:
        while True:
            following = None
            if claimed < max_batches and not halt.is_set():
                following = _claim_and_check(engine, settings, now, worker_id, policy)
                claimed += following is not None
            halted_until = None
            if in_flight is not None:
                halted_until = _settle(in_flight, now=now, policy=policy, rng=rng)
            if following is not None and halted_until is not None:
                # The provider asked us to stop: hand the batch back unsent.
                for mail in following.mails:
                    following.decisions[mail.message_id] = postponed(halted_until, HELD_BACK)
                following.mails = []
            elif following is not None:
                starts = RequestStarts(
                    engine,
                    [mail.message_id for mail in following.mails],
                    worker_id=worker_id,
                    now=now,
                    ahead=START_AHEAD_PER_THREAD * sender.threads,
                )
                following.answers = _start_sending(sender, pool, following.mails, halt, starts)
            if in_flight is not None:
                record(in_flight)
            if following is None or halted_until is not None:
                if following is not None:
                    record(following)
                break
            in_flight = following
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    return report


def _claim_and_check(
    engine: Engine, settings: Settings, now: datetime, worker_id: str, policy: RetryPolicy
) -> _Batch | None:
    with Session(engine) as session:
        rows = outbox.claim_due(
            session,
            worker_id=worker_id,
            now=now,
            lease_until=now + timedelta(seconds=settings.mail_lease_seconds),
            limit=settings.mail_batch_size,
        )
        session.commit()
        if not rows:
            return None
        decisions, mails = _check_at_send_time(session, settings, rows, now, policy)
    return _Batch(decisions, mails, {row.id: row.attempts for row in rows})


def _settle(
    batch: _Batch, *, now: datetime, policy: RetryPolicy, rng: random.Random
) -> datetime | None:
    """Wait for the batch's answers and decide; return until when the provider asked us to stop."""
    answers = dict(zip((m.message_id for m in batch.mails), batch.answers or (), strict=True))
    return _decide_sent(batch.decisions, batch.attempts, answers, now=now, policy=policy, rng=rng)


def _record(
    engine: Engine, report: DispatchReport, batch: _Batch, *, now: datetime, worker_id: str
) -> None:
    """Record every decision of a settled batch in one transaction."""
    for decision in batch.decisions.values():
        assert can_move(Status.SENDING, decision.status), decision
    with Session(engine) as session:
        outbox.record_decisions(session, batch.decisions, worker_id=worker_id, now=now)
        session.commit()
    report.add("claimed", len(batch.decisions))
    for decision in batch.decisions.values():
        report.add(decision.status.value)


def _check_at_send_time(
    session: Session,
    settings: Settings,
    rows: list[Claimed],
    now: datetime,
    policy: RetryPolicy,
) -> tuple[dict[int, Decision], list[OutgoingMail]]:
    """Decisions for messages that must not go now, and the messages that may."""
    ids = [row.id for row in rows]
    reported = outbox.with_provider_events(session, ids)
    suppressions = outbox.suppressions_for(session, [row.to_email for row in rows])
    contacts = outbox.contacts(session, [row.contact_id for row in rows])
    client_rows = [row for row in rows if row.category in CLIENT_FACING]
    budget, window = budget_of(settings), window_of(settings)
    by_contact, by_account = outbox.pressure_touches(
        session,
        contact_ids=[row.contact_id for row in client_rows if row.contact_id is not None],
        account_ids=[row.account_id for row in client_rows if row.account_id is not None],
        since=now - budget.period,
        now=now,
        # In flight elsewhere (another batch, another dispatcher) or maybe delivered: counts.
        pending=(Status.SENDING, Status.UNKNOWN),
        exclude_ids=ids,
    )
    decisions: dict[int, Decision] = {}
    to_send: list[OutgoingMail] = []
    for row in rows:
        settled = settle_unknown(
            has_provider_event=row.id in reported, attempts=row.attempts, policy=policy, now=now
        )
        if settled is not None:
            decisions[row.id] = settled
            continue
        contact = contacts.get(row.contact_id) if row.contact_id is not None else None
        category = Category(row.category)
        refusal = refusal_for(
            category,
            Recipient(
                email=row.to_email,
                suppressed_categories=suppressions.get(row.to_email.lower(), frozenset()),
                has_contact=contact is not None,
                contact_active=contact is None or contact.status == ContactStatus.ACTIVE.value,
                consent_basis=contact.consent_basis if contact else "",
            ),
        )
        if refusal is not None:
            status = Status.SUPPRESSED if refusal is Refusal.SUPPRESSED else Status.CANCELLED
            decisions[row.id] = Decision(status, now, error=refusal.value, counts_attempt=False)
            continue
        if category in CLIENT_FACING and contact is not None:
            verdict = pressure.assess(
                now,
                timezone=contact.timezone or settings.default_timezone,
                window=window,
                budget=budget,
                contact_touches=by_contact[contact.id or 0],
                account_touches=by_account[row.account_id or contact.account_id],
            )
            if verdict.kind is pressure.VerdictKind.WAIT and verdict.at is not None:
                decisions[row.id] = postponed(verdict.at, verdict.reason)
                continue
            if verdict.kind is not pressure.VerdictKind.SEND_NOW:
                decisions[row.id] = Decision(
                    Status.CANCELLED, now, error=verdict.reason, counts_attempt=False
                )
                continue
            # Later messages of this batch see this one in the budget.
            by_contact[contact.id or 0].append(now)
            by_account[row.account_id or contact.account_id].append(now)
        to_send.append(
            OutgoingMail(
                message_id=row.id,
                category=row.category,
                to_email=row.to_email,
                to_name=row.to_name,
                subject=row.subject,
                html_body=row.html_body,
                text_body=row.text_body,
                headers=json.loads(row.headers_json or "{}"),
            )
        )
    return decisions, to_send


# Answers after which no further request of the batch starts: the provider refused everything
# for a while (429, 401/403, 503), or a server error suggests an outage under way.
_HALTS = frozenset({AnswerKind.RATE_LIMITED, AnswerKind.ACCOUNT_REFUSED, AnswerKind.UNAVAILABLE})


def _start_sending(
    sender: MailSender,
    pool: ThreadPoolExecutor | None,
    mails: list[OutgoingMail],
    halt: threading.Event,
    starts: RequestStarts,
) -> Iterator[ProviderAnswer]:
    """Send each message once, in parallel; after a refusal of everything, start no more."""

    def one(index: int) -> ProviderAnswer:
        if halt.is_set() or not starts.may_send(index):
            return ProviderAnswer(AnswerKind.NOT_ATTEMPTED)
        answer = sender.send(mails[index])
        if answer.kind in _HALTS or (
            answer.kind is AnswerKind.UNCERTAIN and answer.status_code is not None
        ):
            halt.set()
        return answer

    if pool is None:
        return map(one, range(len(mails)))
    # A few workers take the next message in turn, rather than one pool task per message: a
    # task costs a Future and its Condition, more CPU than building the message's request.
    answers: list[ProviderAnswer | None] = [None] * len(mails)
    turns = iter(range(len(mails)))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                index = next(turns, None)
            if index is None:
                return
            answers[index] = one(index)

    workers = [pool.submit(work) for _ in range(min(sender.threads, len(mails)))]

    def collect() -> Iterator[ProviderAnswer]:
        for worker in workers:
            worker.result()  # re-raises what a send raised, as pool.map did
        for answer in answers:
            assert answer is not None
            yield answer

    return collect()


def _decide_sent(
    decisions: dict[int, Decision],
    attempts: dict[int, int],
    answers: dict[int, ProviderAnswer],
    *,
    now: datetime,
    policy: RetryPolicy,
    rng: random.Random,
) -> datetime | None:
    """Turn answers into decisions; return until when the provider asked us to stop, if it did."""
    for message_id, answer in answers.items():
        decisions[message_id] = decide(
            answer, attempts_before=attempts[message_id], now=now, policy=policy, rng=rng
        )
    halts = [d.halt_batch_until for d in decisions.values() if d.halt_batch_until is not None]
    if not halts:
        return None
    until = max(halts)
    for message_id, answer in answers.items():
        if answer.kind is AnswerKind.NOT_ATTEMPTED:
            decisions[message_id] = postponed(until, HELD_BACK)
    return until
