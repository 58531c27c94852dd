"""The next service line to show a client: the planner's answer to typecasting (docs/nurture.md).

Per contact (or account) the ranking keeps the lines the client has not bought, has not been told
about lately, that matter to its industry and, for an e-mail, that have content in the client's
language; it orders them by what similar clients of the firm bought together (co-occurrence from
the firm's own engagements), by relevance to the industry, and by the client's own interest. Each
candidate carries a structured reason that the pages render in the reader's language.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from advocacy.domain.awareness import Awareness, LineAwareness
from advocacy.domain.cadence import CheckInKind
from advocacy.domain.co_purchase import CoPurchase, PurchaseTable

# Relevance of a line to an industry, as rated in the catalogue (1 low - 5 high).
RELEVANCE_MIN: Final = 1
RELEVANCE_MAX: Final = 5
TALKING_POINTS_LIMIT: Final = 2


class ReasonKind(StrEnum):
    """Why a line is proposed; each kind is one sentence on the page."""

    ENGAGED = "engaged"  # the client showed interest in it and has not bought it
    CO_BOUGHT = "co_bought"  # clients in the industry who bought line X often also bought it
    CO_BOUGHT_FIRM_WIDE = "co_bought_firm_wide"  # the same, across the firm (industry too small)
    POPULAR = "popular"  # many clients in the industry bought it
    POPULAR_FIRM_WIDE = "popular_firm_wide"  # many clients of the firm bought it
    RELEVANT_TO_INDUSTRY = "relevant_to_industry"  # the catalogue rates it high for the industry
    IN_CATALOGUE = "in_catalogue"  # no evidence either way: part of what the client does not know


@dataclass(frozen=True)
class Reason:
    """One reason for proposing a line, with what the sentence needs (and nothing else)."""

    kind: ReasonKind
    industry: str | None = None  # CO_BOUGHT, POPULAR, RELEVANT_TO_INDUSTRY
    bought_line_id: int | None = None  # CO_BOUGHT*: the client's line it was bought with
    share: float | None = None  # CO_BOUGHT*, POPULAR*: the raw share, 0..1
    count: int | None = None  # CO_BOUGHT*, POPULAR*: clients who bought it (with the other)
    out_of: int | None = None  # CO_BOUGHT*, POPULAR*: clients the share is taken over
    relevance: int | None = None  # RELEVANT_TO_INDUSTRY
    since: datetime | None = None  # ENGAGED: the last sign of interest

    def as_data(self) -> dict[str, object]:
        """The reason as plain data, to store with a planned send or a check-in."""
        data: dict[str, object] = {"kind": self.kind.value}
        for name in ("industry", "bought_line_id", "share", "count", "out_of", "relevance"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        if self.since is not None:
            data["since"] = self.since.isoformat()
        return data


@dataclass(frozen=True)
class Candidate:
    """One proposed line: its score and its reasons, strongest first (never empty)."""

    service_line_id: int
    score: float
    reasons: tuple[Reason, ...]

    @property
    def reason(self) -> Reason:
        """The strongest reason, the one a single line of text shows."""
        return self.reasons[0]


@dataclass(frozen=True)
class Weights:
    """How much each kind of evidence adds to a line's score (each part is 0..1 before weighting)."""

    co_bought: float = 1.0  # share of similar buyers who also bought it: the best predictor
    popular: float = 0.5  # share of the industry's clients who bought it: weaker, not personal
    relevance: float = 0.5  # the catalogue's rating for the industry, 1..5 read as 0..1
    engaged: float = 1.0  # the client showed interest: a conversation waiting to happen


@dataclass(frozen=True)
class RankingPolicy:
    """The knobs of the ranking; the defaults are those of a nurture e-mail (docs/nurture.md)."""

    quiet_days: int = 90  # a line introduced this recently is not introduced again
    relevance_threshold: int = 3  # lines rated below this for the industry are left out
    default_relevance: int = 3  # a line without a rating: the catalogue's own default
    require_content: bool = True  # an e-mail needs content in the client's language
    limit: int = 3
    weights: Weights = field(default_factory=Weights)
    # Shares are discounted as count / (out_of + prior): 2 of 2 buyers weighs less than 20 of 25.
    sample_prior: float = 3.0
    # A co-purchase or popularity seen in fewer clients than this is not evidence, nor a reason.
    min_count: int = 2


@dataclass(frozen=True)
class Client:
    """What the ranking needs about one contact (or account); `id` is whichever it is."""

    id: int
    industry: str
    language: str  # the language the content must be in (the contact's, or the firm's default)
    awareness: Mapping[int, LineAwareness]


# One line as seen for an industry and a set of bought lines, before the client's own facts.
@dataclass(frozen=True)
class _Base:
    line_id: int
    score: float
    parts: tuple[tuple[float, Reason], ...]  # (contribution, reason), strongest first
    reasons: tuple[Reason, ...]  # the same reasons without their contributions


_KIND_ORDER: Final = {kind: rank for rank, kind in enumerate(ReasonKind)}


class Ranker:
    """Ranks next lines for many clients, sharing what does not depend on the client.

    Per industry it computes the relevance of every line once; per (industry, lines bought) the
    scored candidates once. Per client there remains one pass over the lines and a partial sort.
    """

    def __init__(
        self,
        *,
        line_ids: Iterable[int],
        relevance: Mapping[str, Mapping[int, int]],
        statistics: CoPurchase,
        content: Collection[tuple[int, str]],
        policy: RankingPolicy,
    ) -> None:
        self.line_ids = tuple(sorted(set(line_ids)))
        self.relevance = relevance
        self.statistics = statistics
        self.content = frozenset(content)
        self.policy = policy
        self._bases: dict[tuple[str, frozenset[int]], tuple[_Base, ...]] = {}

    def rank(
        self,
        client: Client,
        *,
        now: datetime,
        require_content: bool | None = None,
        limit: int | None = None,
    ) -> list[Candidate]:
        """The client's next lines, best first; content and limit default to the policy's."""
        policy = self.policy
        require_content = policy.require_content if require_content is None else require_content
        limit = policy.limit if limit is None else limit
        if limit <= 0:
            return []
        awareness = client.awareness
        bought = frozenset(
            line_id for line_id, record in awareness.items() if record.state is Awareness.BOUGHT
        )
        quiet_since = now - timedelta(days=policy.quiet_days)
        boost = policy.weights.engaged
        ranked: list[tuple[float, int, tuple[Reason, ...]]] = []
        for base in self._base(client.industry, bought):
            record = awareness.get(base.line_id)
            # Introduced lately: not again yet (an undated introduction counts as an old one).
            introduced_at = record.introduced_at if record is not None else None
            if introduced_at is not None and introduced_at > quiet_since:
                continue
            if require_content and (base.line_id, client.language) not in self.content:
                continue
            if record is not None and record.state is Awareness.ENGAGED:
                engaged = (boost, Reason(ReasonKind.ENGAGED, since=record.engaged_at))
                parts = [part for part in base.parts if part[1].kind is not ReasonKind.IN_CATALOGUE]
                reasons = tuple(reason for _, reason in _ordered((*parts, engaged)))
                ranked.append((-(base.score + boost), base.line_id, reasons))
            else:
                ranked.append((-base.score, base.line_id, base.reasons))
        # Best score first, then the lowest line id: the same input always gives the same order.
        best = heapq.nsmallest(limit, ranked, key=_order)
        return [Candidate(line_id, -negated, reasons) for negated, line_id, reasons in best]

    def talking_points(
        self, client: Client, *, kind: CheckInKind, now: datetime
    ) -> list[Candidate]:
        """One or two next lines to raise in a check-in (no content needed); none in a repair."""
        if kind is CheckInKind.REPAIR:
            # A cross-sell in an apology call confirms the client's worst opinion of the firm.
            return []
        limit = min(self.policy.limit, TALKING_POINTS_LIMIT)
        return self.rank(client, now=now, require_content=False, limit=limit)

    def _base(self, industry: str, bought: frozenset[int]) -> tuple[_Base, ...]:
        key = (industry, bought)
        cached = self._bases.get(key)
        if cached is None:
            cached = self._bases[key] = self._score_lines(industry, bought)
        return cached

    def _score_lines(self, industry: str, bought: frozenset[int]) -> tuple[_Base, ...]:
        policy, weights = self.policy, self.policy.weights
        rated = self.relevance.get(industry, {})
        table, table_industry = self.statistics.for_industry(industry)
        bases: list[_Base] = []
        for line_id in self.line_ids:
            if line_id in bought:
                continue
            relevance = rated.get(line_id, policy.default_relevance)
            if relevance < policy.relevance_threshold:
                continue
            relevance_part = weights.relevance * _unit_relevance(relevance)
            parts: list[tuple[float, Reason]] = []
            # A rating is a reason to name; the default given to an unrated line is not.
            if line_id in rated and relevance_part > 0:
                reason = Reason(
                    ReasonKind.RELEVANT_TO_INDUSTRY, industry=industry, relevance=relevance
                )
                parts.append((relevance_part, reason))
            evidence = [
                _best_co_purchase(table, table_industry, bought, line_id, policy),
                _popularity(table, table_industry, line_id, policy),
            ]
            found = [part for part in evidence if part is not None]
            parts.extend(found)
            score = relevance_part + sum(contribution for contribution, _ in found)
            if not parts:
                parts.append((0.0, Reason(ReasonKind.IN_CATALOGUE)))
            ordered = _ordered(parts)
            bases.append(_Base(line_id, score, ordered, tuple(reason for _, reason in ordered)))
        return tuple(bases)


def _order(item: tuple[float, int, tuple[Reason, ...]]) -> tuple[float, int]:
    return item[0], item[1]


def _ordered(parts: Iterable[tuple[float, Reason]]) -> tuple[tuple[float, Reason], ...]:
    # Strongest contribution first; equal contributions in the fixed order of the kinds.
    return tuple(sorted(parts, key=lambda part: (-part[0], _KIND_ORDER[part[1].kind])))


def _unit_relevance(relevance: int) -> float:
    clamped = min(max(relevance, RELEVANCE_MIN), RELEVANCE_MAX)
    return (clamped - RELEVANCE_MIN) / (RELEVANCE_MAX - RELEVANCE_MIN)


def _discounted(count: int, out_of: int, policy: RankingPolicy) -> float:
    return count / (out_of + policy.sample_prior)


def _best_co_purchase(
    table: PurchaseTable,
    industry: str | None,
    bought: frozenset[int],
    line_id: int,
    policy: RankingPolicy,
) -> tuple[float, Reason] | None:
    """The strongest "who bought X also bought this" among the client's lines (ties: lowest X)."""
    best: tuple[float, int, int, int] | None = None  # (discounted, bought line, count, out_of)
    for bought_id in sorted(bought):
        count = table.together(bought_id, line_id)
        if count < policy.min_count:
            continue
        out_of = table.buyers.get(bought_id, 0)
        discounted = _discounted(count, out_of, policy)
        if best is None or discounted > best[0]:
            best = (discounted, bought_id, count, out_of)
    if best is None:
        return None
    discounted, bought_id, count, out_of = best
    kind = ReasonKind.CO_BOUGHT if industry is not None else ReasonKind.CO_BOUGHT_FIRM_WIDE
    reason = Reason(
        kind,
        industry=industry,
        bought_line_id=bought_id,
        share=count / out_of,
        count=count,
        out_of=out_of,
    )
    return policy.weights.co_bought * discounted, reason


def _popularity(
    table: PurchaseTable, industry: str | None, line_id: int, policy: RankingPolicy
) -> tuple[float, Reason] | None:
    count = table.buyers.get(line_id, 0)
    if count < policy.min_count or table.clients == 0:
        return None
    kind = ReasonKind.POPULAR if industry is not None else ReasonKind.POPULAR_FIRM_WIDE
    reason = Reason(
        kind, industry=industry, share=count / table.clients, count=count, out_of=table.clients
    )
    return policy.weights.popular * _discounted(count, table.clients, policy), reason


def rank_next_lines(
    *,
    industry: str,
    awareness: Mapping[int, LineAwareness],
    relevance: Mapping[int, int],
    statistics: CoPurchase,
    line_ids: Iterable[int],
    content: Collection[tuple[int, str]],
    language: str,
    now: datetime,
    policy: RankingPolicy,
) -> list[Candidate]:
    """The next service lines for one contact (or account), best first, each with its reasons."""
    ranker = _one_industry(industry, relevance, statistics, line_ids, content, policy)
    return ranker.rank(Client(0, industry, language, awareness), now=now)


def rank_many(
    clients: Iterable[Client],
    *,
    line_ids: Iterable[int],
    relevance: Mapping[str, Mapping[int, int]],
    statistics: CoPurchase,
    content: Collection[tuple[int, str]],
    now: datetime,
    policy: RankingPolicy,
) -> dict[int, list[Candidate]]:
    """The next service lines of many clients in one pass, keyed by client id."""
    ranker = Ranker(
        line_ids=line_ids,
        relevance=relevance,
        statistics=statistics,
        content=content,
        policy=policy,
    )
    return {client.id: ranker.rank(client, now=now) for client in clients}


def talking_point_lines(
    *,
    kind: CheckInKind,
    industry: str,
    awareness: Mapping[int, LineAwareness],
    relevance: Mapping[int, int],
    statistics: CoPurchase,
    line_ids: Iterable[int],
    now: datetime,
    policy: RankingPolicy,
) -> list[Candidate]:
    """One or two next lines to raise in a check-in, with their reasons; none in a repair."""
    ranker = _one_industry(industry, relevance, statistics, line_ids, (), policy)
    return ranker.talking_points(Client(0, industry, "", awareness), kind=kind, now=now)


def _one_industry(
    industry: str,
    relevance: Mapping[int, int],
    statistics: CoPurchase,
    line_ids: Iterable[int],
    content: Collection[tuple[int, str]],
    policy: RankingPolicy,
) -> Ranker:
    # A ranker for one client: only its industry's ratings are needed.
    return Ranker(
        line_ids=line_ids,
        relevance={industry: relevance},
        statistics=statistics,
        content=content,
        policy=policy,
    )
