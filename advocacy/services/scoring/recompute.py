"""Recompute advocacy scores: every contact (the nightly job, the CLI), or a few contacts in the
transaction that changed their evidence (survey answered, testimonial, referral, stage change,
departure).

The full recompute walks the contacts in chunks: each chunk costs the same fixed number of queries
(repository.scoring.score_facts, then four writes) and is committed on its own, so memory stays
flat and a crash loses at most one chunk, which the next run redoes.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from advocacy.domain.advocacy_asks import AskPolicy
from advocacy.domain.references import Cap
from advocacy.domain.score_asks import assess
from advocacy.domain.scoring import ScoreWeights
from advocacy.repository import scoring, stored_scores
from advocacy.repository.contact_selection import ContactSelection, IdRange
from advocacy.services.collector import collector_paused
from advocacy.settings import Settings

CHUNK = 2000


@dataclass(frozen=True)
class ScoringRules:
    """What the score needs from the settings: weights, the ask rule's periods, the call cap."""

    weights: ScoreWeights = field(default_factory=ScoreWeights)
    policy: AskPolicy = field(default_factory=AskPolicy)
    cap: Cap = field(default_factory=lambda: Cap(2, 91))


def rules_of(settings: Settings) -> ScoringRules:
    """The scoring rules of this installation."""
    return ScoringRules(
        weights=settings.score_weights,
        cap=Cap(settings.references_max_calls_per_contact, settings.references_cap_days),
    )


def rescore(
    session: Session,
    contact_ids: ContactSelection,
    *,
    now: datetime,
    rules: ScoringRules | None = None,
    current: bool = True,
) -> int:
    """Recompute these contacts' scores and today's snapshots (helper: flushes, no commit).

    Called by the use cases that change the evidence, inside their transaction. Those without the
    settings at hand pass no rules: the defaults apply until the nightly run. `current=False`
    (a replay at a past `now`) writes that day's snapshots only.
    """
    rules = rules or ScoringRules()
    facts = scoring.score_facts(session, contact_ids, now=now, policy=rules.policy, cap=rules.cap)
    assessed = [
        (contact_id, item.ask.account_id, assess(item, now, rules.weights, rules.policy))
        for contact_id, item in facts.items()
    ]
    return stored_scores.store_scores(
        session, assessed, now=now, current=current, contacts=contact_ids
    )


def recompute_contacts(
    session: Session, contact_ids: Collection[int], *, now: datetime, rules: ScoringRules
) -> int:
    """Recompute the scores of the given contacts now; how many were scored."""
    scored = rescore(session, contact_ids, now=now, rules=rules)
    session.commit()
    return scored


def recompute_all(
    session: Session,
    *,
    now: datetime,
    rules: ScoringRules,
    progress: Callable[[int, int], None] | None = None,
    chunk: int = CHUNK,
) -> int:
    """Recompute every contact's score, one committed chunk at a time; how many were scored.

    `progress(done, total)` is called after each chunk (the CLI's progress bar).
    """
    ids = scoring.all_contact_ids(session)
    scored = 0
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        # The ids are in order: the chunk is every contact from its first id to its last. The
        # collector pauses for the chunk only: its objects die with it, cycles wait one chunk.
        with collector_paused():
            scored += rescore(session, IdRange(part[0], part[-1]), now=now, rules=rules)
            session.commit()
        # The chunk's rows are written: nothing of them is needed for the next one.
        session.expunge_all()
        if progress is not None:
            progress(min(start + chunk, len(ids)), len(ids))
    return scored
