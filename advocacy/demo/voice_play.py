"""The stage the demo's client voice is played on: a clock, the stories' order, the mail.

A story is a generator that yields the moment of its next step and does that step when resumed.
`Play.run` resumes every story in the order of those moments, so each service sees the firm as
it stood then (pressure budget, caps, camps), as the real product would have. A step that would
fall after `now` has not happened yet: its story stops there. After each step the outbox is
dispatched at that moment through the local outbox (nothing leaves the machine), as the jobs
process would have done, so the mail log reads like a history.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from advocacy.adapters.mail_delivery import LocalOutbox
from advocacy.demo.voice_text import Introduction, Quote
from advocacy.domain.outbox import Status
from advocacy.domain.pressure import VerdictKind, next_send_time
from advocacy.domain.surveys import SurveyKind
from advocacy.domain.testimonials import Use
from advocacy.models import Account, Contact, OutboxMessage, User
from advocacy.services.mail.dispatch import dispatch_due, new_worker_id
from advocacy.services.mail.queue import contact_pressure, window_of
from advocacy.settings import Settings

Story = Generator[datetime, None, None]
Waiting = Generator[datetime, None, bool]  # a step that may wait, then says whether it may go on


class Fate(StrEnum):
    """What becomes of a testimonial after the client wrote it."""

    PUBLISHED = "published"  # approved, then published when a public use allows it
    NARROWED = "narrowed"  # published, then the client takes back their name and logo
    WITHDRAWN = "withdrawn"  # published, then the client withdraws it
    WITHDRAWN_EARLY = "withdrawn_early"  # the client changes their mind before any review


@dataclass(frozen=True)
class Writing:
    """A testimonial a client will write: the text, the uses ticked and what happens after."""

    quote: Quote
    uses: tuple[tuple[Use, int | None], ...]
    rating: int
    fate: Fate
    pause: timedelta  # from the invitation to the submitted form
    review_after: timedelta
    publish_after: timedelta
    change_after: timedelta


@dataclass(frozen=True)
class Client:
    account: Account
    contact: Contact
    owner: User


@dataclass(frozen=True)
class SurveyPlan:
    client: Client
    kind: SurveyKind
    score: int | None  # None: the client never answers
    comment: str
    at: datetime
    answer_after: timedelta
    writing: Writing | None = None  # on the thank-you page
    introduction: Introduction | None = None  # on the thank-you page


@dataclass
class Play:
    """The moment the stories have reached, and what they share."""

    session: Session
    settings: Settings
    now: datetime
    marketer: User | None
    dispatch: bool  # False when the outbox held mail before the demo: that is not ours to send
    clock: datetime = field(init=False)
    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.clock = self.now - timedelta(days=3650)  # before any story's first step

    def tally(self, kind: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def run(self, stories: Iterable[Story]) -> None:
        """Play every story to its end or to `now`, whichever comes first."""
        waiting: list[tuple[datetime, int, Story]] = []
        for order, story in enumerate(stories):
            self._resume(waiting, order, story)
        while waiting:
            self.clock, order, story = heapq.heappop(waiting)
            self._resume(waiting, order, story)
            self.deliver()

    def _resume(self, waiting: list[tuple[datetime, int, Story]], order: int, story: Story) -> None:
        at = next(story, None)
        if at is None:
            return
        if at > self.now:
            story.close()  # not happened yet
            return
        heapq.heappush(waiting, (max(at, self.clock), order, story))

    def deliver(self) -> None:
        """What the dispatcher would have sent by now, through the local outbox."""
        self.session.commit()  # end this session's read so the dispatcher's writes go through
        if not self.dispatch:
            return  # the real dispatcher sends it, with the rest of the outbox
        due = self.session.exec(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status == Status.QUEUED.value,
                col(OutboxMessage.next_attempt_at) <= self.clock,
            )
            .limit(1)
        ).first()
        if due is None:
            return
        engine = self.session.get_bind()
        assert isinstance(engine, Engine)
        dispatch_due(
            engine, self.settings, LocalOutbox(), now=self.clock, worker_id=new_worker_id()
        )

    def reachable(self, contact: Contact, at: datetime) -> Waiting:
        """Wait for the contact's send window and pressure budget, as a planner would."""
        for _attempt in range(4):
            timezone = contact.timezone or self.settings.default_timezone
            when = next_send_time(max(at, self.clock), timezone, window_of(self.settings))
            if when is None:
                return False
            yield when
            verdict = contact_pressure(self.session, self.settings, contact, now=self.clock)
            if verdict.kind is VerdictKind.SEND_NOW:
                return True
            if verdict.at is None:
                return False
            at = verdict.at
        return False

    def token_in_mail(self, source: tuple[str, int | None], path: str) -> str:
        """The link's token in the newest e-mail about `source`: what the client clicks."""
        pattern = re.compile(re.escape(path) + r"([A-Za-z0-9_-]+)")
        bodies = self.session.exec(
            select(OutboxMessage.text_body)
            .where(OutboxMessage.source_type == source[0], OutboxMessage.source_id == source[1])
            .order_by(col(OutboxMessage.id).desc())
        )
        for body in bodies:
            if found := pattern.search(body):
                return found.group(1)
        raise LookupError(f"no {path} link in the e-mails about {source}")

    def later(self, pause: timedelta, timezone: str = "") -> datetime:
        """`pause` from now, in the working hours of `timezone` (the firm's by default): people
        answer, review and decide during the day."""
        at = self.clock + pause
        zone_name = timezone or self.settings.default_timezone
        return next_send_time(at, zone_name, window_of(self.settings)) or at
