"""The demo firm's past advocacy, so the calibration report has something to judge.

Every quarter of the last two years, the score is replayed at that moment over the demo's history
(services.scoring.history: it reads only what was recorded by then) and its snapshots are kept.
Then, in the six months that follow, some contacts introduce someone to the firm (a referral):
the likelier the higher their score was that day, with plenty of chance mixed in — advocacy
follows the evidence the score reads, as it does in a real firm, but not to the letter. Those
referrals are evidence for the next quarter's replay, as past advocacy is. Run once: a second
load finds the first quarter's snapshots and adds nothing.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from sqlalchemy import insert
from sqlmodel import Session, func, select

from advocacy.domain.score_asks import Tier
from advocacy.models import Account, Referral, ScoreSnapshot
from advocacy.repository import stored_scores
from advocacy.services.scoring import history
from advocacy.services.scoring.recompute import ScoringRules

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
STATUSES: Final = ("won", "lost", "meeting", "contacted")


def chance(score: int) -> float:
    """How likely a contact with this score introduces someone in the next six months."""
    return BASE_CHANCE + SCORE_CHANCE * (score / 100) ** 3


def add_advocacy_history(session: Session, report: DemoReport, *, seed: int, now: datetime) -> None:
    """Replay two years of quarterly scores and the referrals that followed them, once."""
    first = now - timedelta(days=QUARTER * QUARTERS)
    already = session.exec(
        select(func.count()).select_from(ScoreSnapshot).where(ScoreSnapshot.day == first.date())
    ).one()
    if already:
        report.count("score snapshots", created=False, n=already)
        return
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    owners = dict(session.exec(select(Account.id, Account.owner_id)).all())
    rules = ScoringRules()
    made = snapshots = 0
    for quarter in range(QUARTERS):
        moment = first + timedelta(days=QUARTER * quarter)
        snapshots += history.replay_at(session, moment, rules=rules)
        rows = []
        for contact_id, account_id, score, tier in stored_scores.snapshot_scores(
            session, moment.date()
        ):
            if tier == Tier.DO_NOT_ASK.value or rng.random() >= chance(score):
                continue
            at = moment + timedelta(days=rng.uniform(2, WINDOW_DAYS - 2))
            if at >= now:
                continue
            rows.append(
                {
                    "referrer_contact_id": contact_id,
                    "referrer_account_id": account_id,
                    "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    "company": f"{rng.choice(COMPANIES)} {rng.choice(('AG', 'SA', 'Ltd'))}",
                    "status": rng.choice(STATUSES),
                    "owner_id": owners.get(account_id),
                    "created_at": at,
                    "updated_at": at,
                }
            )
        if rows:
            session.execute(insert(Referral), rows)
            session.commit()
            made += len(rows)
    report.count("score snapshots", created=True, n=snapshots)
    report.count("past referrals", created=True, n=made)
