"""What each client knows the firm for: service-line awareness and the typecasting index.

A client who bought one service line tends to believe the firm does only that, and hires someone
else for the rest ("typecasting", docs/domain.md). Per contact and per service line the product
tracks how far the client has come to know that line; the typecasting index measures, per account,
how much of what matters to its industry the client knows the firm for (docs/metrics.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final


class Awareness(StrEnum):
    """How far a client has come to know one service line, weakest first."""

    UNAWARE = "unaware"
    INTRODUCED = "introduced"  # we told them: a nurture e-mail delivered, a talking point covered
    ENGAGED = "engaged"  # they showed interest: clicked, replied, asked, attended
    BOUGHT = "bought"  # an engagement in that line was won


_STRENGTH: Final = {state: rank for rank, state in enumerate(Awareness)}
# What the client "knows us for": a line they bought, or one they showed interest in.
KNOWN: Final = frozenset({Awareness.ENGAGED, Awareness.BOUGHT})


@dataclass(frozen=True)
class LineAwareness:
    """One contact's (or account's) knowledge of one service line, with when it last moved."""

    service_line_id: int
    state: Awareness
    introduced_at: datetime | None = None  # the last time we introduced it
    engaged_at: datetime | None = None  # the last sign of interest
    bought_at: datetime | None = None  # the last engagement won in it


def stronger(first: Awareness, second: Awareness) -> Awareness:
    """The stronger of two awareness states (awareness never goes back down)."""
    return first if _STRENGTH[first] >= _STRENGTH[second] else second


def _latest(first: datetime | None, second: datetime | None) -> datetime | None:
    if first is None or second is None:
        return first or second
    return max(first, second)


def combine(first: LineAwareness, second: LineAwareness) -> LineAwareness:
    """Merge two records of the same line (e.g. two contacts of one account) into one."""
    if first.service_line_id != second.service_line_id:
        raise ValueError("only records of the same service line can be combined")
    return LineAwareness(
        service_line_id=first.service_line_id,
        state=stronger(first.state, second.state),
        introduced_at=_latest(first.introduced_at, second.introduced_at),
        engaged_at=_latest(first.engaged_at, second.engaged_at),
        bought_at=_latest(first.bought_at, second.bought_at),
    )


def account_awareness(contacts: Iterable[Mapping[int, LineAwareness]]) -> dict[int, LineAwareness]:
    """An account's awareness per line: the strongest of its contacts', with the latest dates."""
    merged: dict[int, LineAwareness] = {}
    for lines in contacts:
        for line_id, record in lines.items():
            merged[line_id] = combine(merged[line_id], record) if line_id in merged else record
    return merged


def typecasting_index(
    awareness: Mapping[int, LineAwareness], relevant_line_ids: Iterable[int]
) -> float | None:
    """Share (0..1) of the lines relevant to the account's industry that it knows the firm for.

    None when no line is relevant: an index over nothing would read as "fully typecast".
    """
    relevant = set(relevant_line_ids)
    if not relevant:
        return None
    known = sum(
        1 for line_id in relevant if line_id in awareness and awareness[line_id].state in KNOWN
    )
    return known / len(relevant)


# --- evidence: what moves a client's awareness of a line -----------------------------------------

# Touchpoints by which the firm tells a client about a line (when the firm started them).
INTRODUCING_KINDS: Final = frozenset({"content", "email", "meeting", "call", "note"})
# A touchpoint of this kind means the client came (attended): interest, whoever invited.
ATTENDED_KINDS: Final = frozenset({"event"})
CLIENT_INITIATIVE: Final = "client"
FIRM_INITIATIVE: Final = "firm"
# Provider events about a message that introduces a line: it reached them, or they clicked.
MAIL_EVENT_STATES: Final[Mapping[str, Awareness]] = {
    "delivered": Awareness.INTRODUCED,
    "click": Awareness.ENGAGED,
}


@dataclass(frozen=True)
class Evidence:
    """One fact that a client (an account, and one of its contacts when known) came to know a line.

    `contact_id` None: the fact is about the account only (an engagement with nobody named on it,
    a touchpoint with no contact).
    """

    account_id: int
    contact_id: int | None
    service_line_id: int
    state: Awareness
    at: datetime


def touchpoint_awareness(kind: str, initiative: str) -> Awareness | None:
    """What a touchpoint about a service line says the client knows of it; None: nothing."""
    if kind in ATTENDED_KINDS or initiative == CLIENT_INITIATIVE:
        return Awareness.ENGAGED
    if initiative == FIRM_INITIATIVE and kind in INTRODUCING_KINDS:
        return Awareness.INTRODUCED
    return None


def mail_event_awareness(event: str) -> Awareness | None:
    """What a provider event about a message introducing a line says; None: nothing."""
    return MAIL_EVENT_STATES.get(event)


def record_of(evidence: Evidence) -> LineAwareness:
    """The awareness one piece of evidence alone gives, dated in its own column."""
    at = evidence.at
    return LineAwareness(
        service_line_id=evidence.service_line_id,
        state=evidence.state,
        introduced_at=at if evidence.state is Awareness.INTRODUCED else None,
        engaged_at=at if evidence.state is Awareness.ENGAGED else None,
        bought_at=at if evidence.state is Awareness.BOUGHT else None,
    )


def state_of(record: LineAwareness) -> Awareness:
    """The state a record's dates call for: the strongest state that has a date."""
    if record.bought_at is not None:
        return Awareness.BOUGHT
    if record.engaged_at is not None:
        return Awareness.ENGAGED
    if record.introduced_at is not None:
        return Awareness.INTRODUCED
    return record.state


def fold(
    evidence: Iterable[Evidence],
) -> tuple[dict[tuple[int, int], LineAwareness], dict[tuple[int, int], LineAwareness]]:
    """Evidence merged per (contact, line) and per (account, line): one record per key.

    Every piece counts for its account; those naming a contact count for that contact too.
    """
    by_contact: dict[tuple[int, int], LineAwareness] = {}
    by_account: dict[tuple[int, int], LineAwareness] = {}
    for item in evidence:
        record = record_of(item)
        keys: list[tuple[dict[tuple[int, int], LineAwareness], tuple[int, int]]] = [
            (by_account, (item.account_id, item.service_line_id))
        ]
        if item.contact_id is not None:
            keys.append((by_contact, (item.contact_id, item.service_line_id)))
        for table, key in keys:
            table[key] = combine(table[key], record) if key in table else record
    return by_contact, by_account


# --- relevance: which lines an account's index is measured on -----------------------------------

DEFAULT_RELEVANCE_THRESHOLD: Final = 3


def relevant_lines(
    active_line_ids: Iterable[int], relevance: Mapping[int, int], threshold: int
) -> list[int]:
    """Active lines relevant to an industry: relevance (1-5) at or above `threshold`.

    `relevance` holds the industry's ratings by line id; an industry nobody rated (no rows) finds
    every active line relevant, rather than none, so its index still means something.
    """
    active = sorted(set(active_line_ids))
    if not relevance:
        return active
    return [line_id for line_id in active if relevance.get(line_id, 0) >= threshold]
