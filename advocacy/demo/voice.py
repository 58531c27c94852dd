"""The demo firm's client voice: surveys and their answers, testimonials with per-use consent,
referrals and reference calls, written by driving the product's own services.

The bulk firm (advocacy.demo.loader) has accounts, people and their history, but a client's
voice only exists through the product's rules: consent records, camp evidence, repair signals,
pressure budgets and caps. So it is acted out, not inserted: account managers send surveys,
clients answer through their links, write testimonials, introduce people and take reference
calls, and marketing tags, approves and publishes, each at its own moment of the past months
(see voice_stories). Deterministic for a seed and the same `now`; added once.

The amount is fixed, for the small and the large firm alike: per-row services with e-mails take
milliseconds each, and a few dozen stories fill every page without slowing the first start.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, time, timedelta
from itertools import cycle
from typing import TYPE_CHECKING

from sqlmodel import Session, col, func, select

from advocacy.adapters.email_templates import current_settings
from advocacy.demo import voice_text
from advocacy.demo.firm import DEMO_PREFIX
from advocacy.demo.voice_play import Client, Fate, Play, Story, SurveyPlan, Writing
from advocacy.demo.voice_stories import (
    asked_testimonial_story,
    interview_story,
    reference_story,
    referral_ask_story,
    survey_story,
)
from advocacy.demo.voice_text import PUBLIC_USES
from advocacy.domain.identity import Role
from advocacy.domain.journey import Camp, Stage, may_ask_for_advocacy
from advocacy.domain.outbox import DUE, Status
from advocacy.domain.people import ContactStatus
from advocacy.domain.pressure import zone
from advocacy.domain.referrals import ReferralStatus
from advocacy.domain.surveys import SurveyKind
from advocacy.models import Account, Contact, OutboxMessage, Survey, User
from advocacy.services.voice import testimonials
from advocacy.settings import Settings

if TYPE_CHECKING:
    from advocacy.demo.loader import DemoReport

# How many of each, whatever the size of the firm (see the module's docstring).
PROMOTERS, PASSIVES, DETRACTORS, UNANSWERED = 22, 5, 3, 3
WRITERS = 15  # promoters who write a testimonial from the survey's thank-you page
ASKED_TESTIMONIALS = 4  # clients an account manager asks by e-mail
ACCOUNT_POOL = 40  # happy accounts drawn for the stories; up to three people at each
FIRST_DAY, LAST_DAY = 270, 20  # answered surveys are spread over these days before `now`
REFERRAL_STEPS: tuple[tuple[ReferralStatus, ...], ...] = (
    (ReferralStatus.CONTACTED, ReferralStatus.MEETING),
    (ReferralStatus.CONTACTED,),
    (ReferralStatus.CONTACTED, ReferralStatus.LOST),
)
REFERENCE_DAYS = (50, 12)  # reference requests, days before `now`
PENDING = frozenset({*DUE, Status.SENDING, Status.UNKNOWN})  # waiting or maybe sent


def add_client_voice(
    session: Session,
    report: DemoReport,
    *,
    seed: int,
    now: datetime,
    settings: Settings | None = None,
) -> None:
    """Act out the demo firm's client voice once (needs the app: e-mails are rendered)."""
    already = session.exec(
        select(func.count())
        .select_from(Survey)
        .join(Account, col(Account.id) == Survey.account_id)
        .where(col(Account.external_id).startswith(DEMO_PREFIX))
    ).one()
    if already:
        report.count("surveys", created=False, n=already)
        return
    settings = settings or current_settings()
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    happy, detractors = _clients(session, rng)
    if not happy:
        return
    play = Play(session, settings, now, marketer=marketer(session), dispatch=outbox_idle(session))
    mails = _outbox_size(session)
    play.run(_stories(play, rng, happy, detractors))
    testimonials.expire_due(session, now=now)  # the daily job: consents whose last day passed
    play.clock = now
    play.deliver()
    for kind, n in sorted(play.counts.items()):
        report.count(kind, created=True, n=n)
    report.count("e-mails", created=True, n=_outbox_size(session) - mails)


def _outbox_size(session: Session) -> int:
    return session.exec(select(func.count()).select_from(OutboxMessage)).one()


def outbox_idle(session: Session) -> bool:
    """Nothing waits in the outbox: whatever the demo dispatches is its own mail."""
    waiting = session.exec(
        select(func.count())
        .select_from(OutboxMessage)
        .where(col(OutboxMessage.status).in_([status.value for status in PENDING]))
    ).one()
    return waiting == 0


def marketer(session: Session) -> User | None:
    """Who approves and publishes: marketing's first active user, else an administrator."""
    for role in (Role.MARKETING, Role.ADMIN):
        user = session.exec(
            select(User).where(User.role == role.value, col(User.active)).order_by(col(User.id))
        ).first()
        if user is not None:
            return user
    return None


def _happy(account: Account) -> bool:
    if not may_ask_for_advocacy(Camp(account.camp), do_not_ask=account.do_not_ask):
        return False
    return account.stage in (Stage.ACTIVE, Stage.BETWEEN) or account.camp == Camp.GOOD


def _clients(session: Session, rng: random.Random) -> tuple[list[Client], list[Client]]:
    """People to play the happy clients (one account at a time, best known first) and the
    unhappy ones (an active client, one between engagements and, if any, a bad-camp one)."""
    accounts = list(
        session.exec(
            select(Account)
            .where(col(Account.external_id).startswith(DEMO_PREFIX))
            .order_by(col(Account.id))
        )
    )
    happy = [a for a in accounts if _happy(a)]
    pool = rng.sample(happy, min(len(happy), ACCOUNT_POOL))
    unhappy = [
        next((a for a in pool if a.stage == stage), None) for stage in (Stage.ACTIVE, Stage.BETWEEN)
    ]
    unhappy.append(next((a for a in accounts if a.camp == Camp.BAD), None))
    unknown = [
        a
        for a in accounts
        if a.stage == Stage.FORMER and a.camp == Camp.UNKNOWN and not a.do_not_ask
    ]
    # One former client of unknown camp: their answer becomes the camp's evidence.
    evidence = [rng.choice(unknown)] if unknown else []
    pool = [a for a in pool if a not in unhappy]
    contacts = _reachable_contacts(session, [*pool, *evidence, *(a for a in unhappy if a)])
    owners = _owners(session, accounts)

    def client(account: Account | None, n: int) -> Client | None:
        people = contacts.get(account.id or 0, []) if account else []
        owner = owners.get(account.owner_id or 0) if account else None
        if account is None or owner is None or len(people) <= n:
            return None
        return Client(account, people[n], owner)

    happy_clients = [client(a, 0) for a in evidence]
    happy_clients += [client(a, n) for n in range(3) for a in pool]
    return (
        [c for c in happy_clients if c is not None],
        [c for c in (client(a, 0) for a in unhappy) if c is not None],
    )


def _reachable_contacts(session: Session, accounts: Sequence[Account]) -> dict[int, list[Contact]]:
    """Active contacts with an address and a consent basis, most influential first."""
    found: dict[int, list[Contact]] = defaultdict(list)
    for contact in session.exec(
        select(Contact)
        .where(
            col(Contact.account_id).in_([a.id for a in accounts]),
            Contact.status == ContactStatus.ACTIVE.value,
            col(Contact.email).is_not(None),
            Contact.consent_basis != "",
        )
        .order_by(col(Contact.influence).desc(), col(Contact.id))
    ):
        found[contact.account_id].append(contact)
    return found


def _owners(session: Session, accounts: Sequence[Account]) -> dict[int, User]:
    """Account owners who may act on their accounts (active managers or administrators)."""
    ids = {a.owner_id for a in accounts if a.owner_id is not None}
    users = session.exec(select(User).where(col(User.id).in_(ids), col(User.active)))
    return {u.id or 0: u for u in users if u.role in (Role.ACCOUNT_MANAGER, Role.ADMIN)}


def _moment(play: Play, client: Client, days_ago: float, rng: random.Random) -> datetime:
    """A working-day moment `days_ago` before now, in the client's time zone (weekends: Friday)."""
    tz = zone(client.contact.timezone or play.settings.default_timezone)
    day = (play.now - timedelta(days=days_ago)).astimezone(tz).date()
    day -= timedelta(days=max(0, day.isoweekday() - 5))
    local = datetime.combine(day, time(8), tzinfo=tz) + timedelta(minutes=rng.randrange(30, 540))
    return local.astimezone(UTC)


class _Writer:
    """Quotes in the client's language and uses to tick, dealt in turn so that all show up."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        decks = {language: list(quotes) for language, quotes in voice_text.QUOTES.items()}
        for deck in decks.values():
            rng.shuffle(deck)
        self.quotes = {language: cycle(deck) for language, deck in decks.items()}
        profiles = list(voice_text.USE_PROFILES)
        rng.shuffle(profiles)
        self.profiles = cycle(profiles)

    def writing(self, client: Client, fate: Fate, pause: timedelta) -> Writing:
        rng = self.rng
        uses = next(self.profiles)
        if fate is Fate.NARROWED:
            uses = voice_text.USE_PROFILES[0]  # named, with the logo: something to take back
        elif fate is Fate.WITHDRAWN:
            while not PUBLIC_USES & {use for use, _days in uses}:
                uses = next(self.profiles)
        language = client.contact.language if client.contact.language in self.quotes else "en"
        return Writing(
            quote=next(self.quotes[language]),
            uses=uses,
            rating=5 if rng.random() < 0.7 else 4,
            fate=fate,
            pause=pause,
            review_after=timedelta(hours=rng.uniform(20, 96)),
            publish_after=timedelta(hours=rng.uniform(2, 72)),
            change_after=timedelta(days=rng.uniform(15, 45)),
        )


def _answer(kind: str, n: int, rng: random.Random) -> tuple[SurveyKind, int]:
    if kind == "promoter":
        return SurveyKind.NPS, rng.choice((9, 10, 10))
    if kind == "passive":
        return (
            (SurveyKind.CSAT, rng.choice((3, 4))) if n < 2 else (SurveyKind.NPS, rng.choice((7, 8)))
        )
    return (SurveyKind.CSAT, 2) if n == 0 else (SurveyKind.NPS, rng.randint(2, 6))


def _comment(kind: str, client: Client, rng: random.Random) -> str:
    by_language = voice_text.COMMENTS.get(client.contact.language, voice_text.COMMENTS["en"])
    return rng.choice(by_language[kind])


def _stories(
    play: Play, rng: random.Random, happy: list[Client], detractors: list[Client]
) -> list[Story]:
    """Every story of the demo, planned with `rng` alone (same seed and `now`, same stories)."""
    people = iter(happy)
    cast = [("promoter", c) for c in _take(people, PROMOTERS)]
    cast += [("passive", c) for c in _take(people, PASSIVES)]
    cast += [("detractor", c) for c in detractors[:DETRACTORS]]
    rng.shuffle(cast)
    span = FIRST_DAY - LAST_DAY
    days = [FIRST_DAY - span * (i + rng.random()) / len(cast) for i in range(len(cast))]
    promoters = [i for i, (kind, _c) in enumerate(cast) if kind == "promoter"]
    fates = _fates(sorted(rng.sample(promoters, min(WRITERS, len(promoters)))))
    # Promoters who wrote nothing, answered long enough ago to have been asked for more since.
    free = [i for i in promoters if i not in fates and days[i] > 60]
    thank_you_referrer = free.pop(0) if free else None
    askers = rng.sample(free, min(len(free), len(REFERRAL_STEPS)))

    writer = _Writer(rng)
    stories: list[Story] = []
    counters: dict[str, int] = defaultdict(int)
    for index, (kind, client) in enumerate(cast):
        score_kind, score = _answer(kind, counters[kind], rng)
        counters[kind] += 1
        pause = timedelta(minutes=rng.uniform(3, 12))  # from the thank-you page to the form
        plan = SurveyPlan(
            client,
            score_kind,
            score,
            _comment(kind, client, rng),
            _moment(play, client, days[index], rng),
            answer_after=timedelta(hours=rng.uniform(1, 60)),
            writing=writer.writing(client, fates[index], pause) if index in fates else None,
            introduction=voice_text.INTRODUCTIONS[0] if index == thank_you_referrer else None,
        )
        stories.append(survey_story(play, plan))
    for n, index in enumerate(askers):
        client = cast[index][1]
        at = _moment(play, client, days[index] - rng.uniform(21, 40), rng)
        who = voice_text.INTRODUCTIONS[1 + n % (len(voice_text.INTRODUCTIONS) - 1)]
        stories.append(referral_ask_story(play, client, at, who, REFERRAL_STEPS[n]))
    return stories + _other_stories(play, rng, people, writer, colleagues=happy)


def _fates(writers: list[int]) -> dict[int, Fate]:
    """Most testimonials are published; the oldest are taken back or narrowed later, and one
    client changes their mind before marketing even reads it."""
    fates = dict.fromkeys(writers, Fate.PUBLISHED)
    for index, fate in zip(writers, (Fate.WITHDRAWN, Fate.NARROWED), strict=False):
        fates[index] = fate
    if len(writers) > 4:
        fates[writers[len(writers) // 2]] = Fate.WITHDRAWN_EARLY
    return fates


def _other_stories(
    play: Play,
    rng: random.Random,
    people: Iterator[Client],
    writer: _Writer,
    *,
    colleagues: list[Client],
) -> list[Story]:
    """Surveys not answered yet, testimonials asked for by e-mail or taken down in an interview,
    and reference requests from colleagues."""
    stories: list[Story] = []
    for client in _take(people, UNANSWERED):
        at = _moment(play, client, rng.uniform(2, 14), rng)
        unanswered = SurveyPlan(client, SurveyKind.NPS, None, "", at, answer_after=timedelta())
        stories.append(survey_story(play, unanswered))
    for client in _take(people, ASKED_TESTIMONIALS):
        writing = writer.writing(client, Fate.PUBLISHED, timedelta(days=rng.uniform(1, 5)))
        at = _moment(play, client, rng.uniform(3, 24), rng)
        stories.append(asked_testimonial_story(play, client, at, writing))
    for client in _take(people, 1):
        writing = writer.writing(client, Fate.PUBLISHED, timedelta(days=rng.uniform(1, 3)))
        at = _moment(play, client, rng.uniform(70, 110), rng)
        stories.append(interview_story(play, client, at, writing))
    managers = sorted({c.owner.id or 0: c.owner for c in colleagues}.items())
    for prospect, days_ago in zip(voice_text.REFERENCE_PROSPECTS, REFERENCE_DAYS, strict=True):
        colleague = rng.choice(managers)[1]
        at = play.now - timedelta(days=days_ago, hours=rng.uniform(0, 8))
        stories.append(reference_story(play, prospect, at, colleague))
    return stories


def _take(people: Iterator[Client], n: int) -> list[Client]:
    """The next `n` people (fewer when the firm has fewer), each playing one part only."""
    return [client for _n, client in zip(range(n), people, strict=False)]
