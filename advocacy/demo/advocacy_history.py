"""The demo firm's past advocacy, so the calibration report has something to judge.

Every quarter of the last two years, the score is replayed at that moment over the demo's history
(services.scoring.history: it reads only what was recorded by then) and its snapshots are kept.
Then, in the six months that follow, some contacts introduce someone to the firm through a
referral link, by the product's own use case (the prospect, the signal and the touchpoint follow):
the likelier the higher their score was that day, with plenty of chance mixed in — advocacy
follows the evidence the score reads, as it does in a real firm, but not to the letter. Those
referrals are evidence for the next quarter's replay, as past advocacy is. Run once: a second
load finds the first quarter's snapshots and adds nothing.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from advocacy.adapters.mail_delivery import LocalOutbox
from advocacy.demo import voice
from advocacy.domain.referrals import ReferralStatus
from advocacy.domain.score_asks import Tier
from advocacy.models import Contact, ScoreSnapshot, User
from advocacy.repository import stored_scores
from advocacy.services.mail.dispatch import dispatch_due, new_worker_id
from advocacy.services.scoring import history
from advocacy.services.scoring.recompute import ScoringRules
from advocacy.services.voice import referrals
from advocacy.settings import Settings

if TYPE_CHECKING:
    from advocacy.demo.loader import DemoReport

QUARTER: Final = 91
QUARTERS: Final = 8  # two years of snapshots
WINDOW_DAYS: Final = 180
BASE_CHANCE: Final = 0.005  # a contact with a score of 0 still introduces someone now and then
SCORE_CHANCE: Final = 0.6  # added at a score of 100, growing with the cube of the score
COMPANIES: Final = ("Halden", "Brightwater", "Kestrel", "Norvik", "Seabright", "Tamsin", "Ulvik")
FIRST_NAMES: Final = ("Alex", "Camille", "Noor", "Sam", "Elena", "Jonas", "Priya", "Lucas")
LAST_NAMES: Final = ("Martin", "Okafor", "Berg", "Rossi", "Dubois", "Nakamura", "Silva", "Kaur")
NOTE: Final = "Looking for an adviser they can trust; I told them about you."


def chance(score: int) -> float:
    """How likely a contact with this score introduces someone in the next six months."""
    return BASE_CHANCE + SCORE_CHANCE * (score / 100) ** 3


def _introduce(
    session: Session, settings: Settings, contact_id: int, at: datetime, rng: random.Random
) -> None:
    """The contact introduces someone through a referral link, as a client does."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        return
    url = referrals.create_referral_link(session, settings, contact, now=at)
    first, last, company = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), rng.choice(COMPANIES)
    intro = referrals.Introduction(
        name=f"{first} {last}",
        company=f"{company} {rng.choice(('AG', 'SA', 'Ltd'))}",
        email=f"{first}.{last}@{company}.example".lower(),
        note=NOTE,
    )
    referral = referrals.introduce(session, settings, url.rsplit("/", 1)[1], intro, now=at)
    owner = session.get(User, referral.owner_id) if referral and referral.owner_id else None
    if referral is not None and owner is not None:
        referrals.change_referral_status(
            session, referral.id or 0, ReferralStatus.CONTACTED, lost_reason="", by=owner,
            now=at + timedelta(days=4),
        )  # fmt: skip


def add_advocacy_history(
    session: Session, report: DemoReport, *, seed: int, now: datetime, settings: Settings
) -> None:
    """Replay two years of quarterly scores and the referrals that followed them, once."""
    first = now - timedelta(days=QUARTER * QUARTERS)
    already = session.exec(
        select(func.count()).select_from(ScoreSnapshot).where(ScoreSnapshot.day == first.date())
    ).one()
    if already:
        report.count("score snapshots", created=False, n=already)
        return
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    # The staff notices of these referrals are sent here unless other mail waits for the
    # real dispatcher (as the demo's client voice does).
    dispatch = voice.outbox_idle(session)
    rules = ScoringRules()
    made = snapshots = 0
    for quarter in range(QUARTERS):
        moment = first + timedelta(days=QUARTER * quarter)
        snapshots += history.replay_at(session, moment, rules=rules)
        chosen = []
        for contact_id, _account, score, tier in stored_scores.snapshot_scores(
            session, moment.date()
        ):
            if tier == Tier.DO_NOT_ASK.value or rng.random() >= chance(score):
                continue
            at = moment + timedelta(days=rng.uniform(2, WINDOW_DAYS - 6))
            if at < now - timedelta(days=5):
                chosen.append((at, contact_id))
        for at, contact_id in sorted(chosen):
            _introduce(session, settings, contact_id, at, rng)
            made += 1
        if dispatch and chosen:
            engine = session.get_bind()
            assert isinstance(engine, Engine)
            dispatch_due(engine, settings, LocalOutbox(), now=now, worker_id=new_worker_id())
    report.count("score snapshots", created=True, n=snapshots)
    report.count("past referrals", created=True, n=made)
