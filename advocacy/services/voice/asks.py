"""Asking the one "may we ask this person?" rule from a service: the facts from the database,
the verdict from the domain (helpers only: nothing here commits)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlmodel import Session

from advocacy.domain.advocacy_asks import AskKind, AskPolicy, AskVerdict, Refusal, may_ask
from advocacy.repository import asks

POLICY = AskPolicy()


def verdicts_for(
    session: Session, contact_ids: Collection[int], kind: AskKind, *, now: datetime
) -> dict[int, AskVerdict]:
    """Per contact, whether they may be asked for `kind` now and why not (facts read in bulk)."""
    facts = asks.ask_facts(session, contact_ids, now=now, policy=POLICY)
    return {contact_id: may_ask(f, kind, now, POLICY) for contact_id, f in facts.items()}


def verdict_for(session: Session, contact_id: int, kind: AskKind, *, now: datetime) -> AskVerdict:
    """Whether one contact may be asked for `kind` now, and why not."""
    return verdicts_for(session, [contact_id], kind, now=now).get(
        contact_id, AskVerdict((Refusal.NOT_CURRENT,))
    )


def account_verdicts(session: Session, account_ids: Collection[int]) -> dict[int, AskVerdict]:
    """Per account, whether anyone there may be asked at all (camp, do-not-ask, open repair)."""
    facts = asks.account_ask_facts(session, account_ids)
    # Account-level facts carry no contact: the kind and `now` do not change the verdict.
    return {
        account_id: may_ask(f, AskKind.TESTIMONIAL, datetime.min, POLICY)
        for account_id, f in facts.items()
    }


def check_may_ask(
    session: Session,
    contact_id: int,
    kind: AskKind,
    *,
    now: datetime,
    ignore: frozenset[Refusal] = frozenset(),
) -> AskVerdict:
    """Raise RuleError with the first reason when the contact may not be asked for `kind`."""
    verdict = verdict_for(session, contact_id, kind, now=now)
    verdict = AskVerdict(tuple(r for r in verdict.reasons if r not in ignore))
    verdict.check()
    return verdict
