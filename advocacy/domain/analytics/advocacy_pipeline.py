"""The advocacy pipeline's arithmetic: tiers in order, reference requests and calls by outcome."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from advocacy.domain.analytics.months import share
from advocacy.domain.score_asks import Tier

# The tiers from the most to the least ready to advocate.
TIER_ORDER = (Tier.CHAMPION, Tier.ADVOCATE, Tier.PASSIVE, Tier.AT_RISK, Tier.DO_NOT_ASK)
# A reference call's answer: what the client said, once they said something.
ANSWERED_CALLS = ("accepted", "held", "declined")


def tier_counts(found: Mapping[str, int]) -> tuple[int, ...]:
    """Contacts per tier in `TIER_ORDER` (zero for a tier nobody has)."""
    return tuple(found.get(tier.value, 0) for tier in TIER_ORDER)


def ready_share(found: Mapping[str, int]) -> float | None:
    """Champions and advocates of every scored contact."""
    ready = found.get(Tier.CHAMPION.value, 0) + found.get(Tier.ADVOCATE.value, 0)
    return share(ready, sum(found.values()))


@dataclass(frozen=True)
class ReferenceOutcomes:
    """Reference requests made and how they ended; calls asked and how clients answered."""

    requests: int
    fulfilled: int
    cancelled: int
    calls_answered: int  # accepted, held or declined
    calls_declined: int

    @property
    def fulfilled_share(self) -> float | None:
        """Fulfilled of every request made (open ones count: not fulfilled yet)."""
        return share(self.fulfilled, self.requests)

    @property
    def declined_share(self) -> float | None:
        """Declined of every call the client answered."""
        return share(self.calls_declined, self.calls_answered)


def reference_outcomes(requests: Mapping[str, int], calls: Mapping[str, int]) -> ReferenceOutcomes:
    """Requests and calls by status, summed into what the pipeline reports."""
    return ReferenceOutcomes(
        requests=sum(requests.values()),
        fulfilled=requests.get("fulfilled", 0),
        cancelled=requests.get("cancelled", 0),
        calls_answered=sum(calls.get(status, 0) for status in ANSWERED_CALLS),
        calls_declined=calls.get("declined", 0),
    )
