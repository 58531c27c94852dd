"""Next service line: co-purchase shares, the ranking's order, its exclusions and its reasons.

The numbers are computed by hand in the comments (docs/nurture.md gives the formula).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advocacy.domain.awareness import Awareness, LineAwareness
from advocacy.domain.cadence import CheckInKind
from advocacy.domain.co_purchase import co_purchase
from advocacy.domain.next_service_line import (
    Candidate,
    Client,
    Ranker,
    RankingPolicy,
    Reason,
    ReasonKind,
    rank_many,
    rank_next_lines,
    talking_point_lines,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TAX, TRANSFER_PRICING, MERGERS, ESG, AUDIT = 1, 2, 3, 4, 5
LINES = (TAX, TRANSFER_PRICING, MERGERS, ESG, AUDIT)
ACCOUNTS = [
    ("logistics", {TAX, TRANSFER_PRICING}),
    ("logistics", {TAX, TRANSFER_PRICING, MERGERS}),
    ("logistics", {TAX}),
    ("logistics", {MERGERS}),
    ("logistics", set()),  # bought nothing: says nothing about what goes together
    ("retail", {TAX, ESG}),
    ("retail", {ESG}),
    ("", {AUDIT}),  # no industry: counts firm-wide only
]
# Logistics stands alone from 3 buying clients (it has 4); retail (2) borrows the firm's figures.
STATS = co_purchase(ACCOUNTS, min_industry_clients=3)
EVERYTHING = frozenset((line, language) for line in LINES for language in ("en", "fr"))
POLICY = RankingPolicy(limit=5)  # quiet 90 days, threshold 3, default 3, prior 3, min count 2


def bought(*line_ids: int) -> dict[int, LineAwareness]:
    return {line: LineAwareness(line, Awareness.BOUGHT, bought_at=NOW) for line in line_ids}


def next_lines(
    awareness: Mapping[int, LineAwareness],
    *,
    industry: str = "logistics",
    relevance: Mapping[int, int] | None = None,
    line_ids: tuple[int, ...] = LINES,
    content: frozenset[tuple[int, str]] = EVERYTHING,
    language: str = "en",
    policy: RankingPolicy = POLICY,
) -> list[Candidate]:
    return rank_next_lines(
        industry=industry,
        awareness=awareness,
        relevance=relevance or {},
        statistics=STATS,
        line_ids=line_ids,
        content=content,
        language=language,
        now=NOW,
        policy=policy,
    )


def rank(awareness: dict[int, LineAwareness], **options: Any) -> list[tuple[int, float]]:
    ranked = next_lines(awareness, **options)
    return [(candidate.service_line_id, round(candidate.score, 6)) for candidate in ranked]


def ids(ranked: list[tuple[int, float]]) -> list[int]:
    return [line for line, _ in ranked]


# --- co-purchase statistics ---------------------------------------------------------------


def test_co_purchase_counts_buyers_and_pairs_per_industry() -> None:
    logistics = STATS.industries["logistics"]
    assert logistics.clients == 4  # the account that bought nothing is left out
    assert logistics.buyers == {TAX: 3, TRANSFER_PRICING: 2, MERGERS: 2}
    assert logistics.together(TAX, TRANSFER_PRICING) == 2
    assert logistics.together(TAX, MERGERS) == 1
    assert logistics.together(TAX, ESG) == 0


def test_co_purchase_share_is_among_the_buyers_of_the_first_line() -> None:
    logistics = STATS.industries["logistics"]
    assert logistics.share(TAX, TRANSFER_PRICING) == pytest.approx(2 / 3)
    assert logistics.share(TRANSFER_PRICING, TAX) == pytest.approx(1.0)
    assert logistics.share(MERGERS, TAX) == pytest.approx(1 / 2)
    assert logistics.share(TAX, MERGERS) == pytest.approx(1 / 3)
    assert logistics.share(ESG, TAX) is None  # nobody in logistics bought ESG


def test_co_purchase_firm_wide_counts_every_industry_and_accounts_without_one() -> None:
    firm = STATS.firm_wide
    assert firm.clients == 7
    assert firm.buyers == {TAX: 4, TRANSFER_PRICING: 2, MERGERS: 2, ESG: 2, AUDIT: 1}
    assert firm.share(TAX, ESG) == pytest.approx(1 / 4)
    assert "" not in STATS.industries


def test_an_industry_below_the_minimum_sample_uses_the_firm_wide_table() -> None:
    assert STATS.for_industry("logistics") == (STATS.industries["logistics"], "logistics")
    assert STATS.for_industry("retail") == (STATS.firm_wide, None)  # 2 clients < 3
    assert STATS.for_industry("mining") == (STATS.firm_wide, None)  # never seen
    assert STATS.for_industry("") == (STATS.firm_wide, None)
    strict = co_purchase(ACCOUNTS, min_industry_clients=5)
    assert strict.for_industry("logistics") == (strict.firm_wide, None)


# --- ranking order and scores ---------------------------------------------------------------


def test_ranking_orders_by_co_purchase_then_popularity_then_line_id() -> None:
    # Logistics client who bought Tax; no ratings, so every line gets relevance 3 -> 0.5 x 0.5.
    # Transfer pricing: co-bought 2 / (3 + 3) + popular 0.5 x 2 / (4 + 3) + 0.25 = 0.726190
    # M&A: co-bought 1 < min count -> none; popular 0.5 x 2/7 + 0.25 = 0.392857
    # ESG, Audit: no logistics buyer -> 0.25 each, tie broken by line id.
    assert rank(bought(TAX)) == [
        (TRANSFER_PRICING, 0.72619),
        (MERGERS, 0.392857),
        (ESG, 0.25),
        (AUDIT, 0.25),
    ]


def test_ranking_of_a_small_industry_uses_firm_wide_co_purchase() -> None:
    # Retail client who bought Tax, firm-wide table (7 clients, 4 Tax buyers):
    # Transfer pricing: 2 / (4 + 3) + 0.5 x 2 / (7 + 3) + 0.25 = 0.635714
    # M&A and ESG: popular 0.5 x 2/10 + 0.25 = 0.35 each (tie -> line id); Audit: 1 buyer -> 0.25
    assert rank(bought(TAX), industry="retail") == [
        (TRANSFER_PRICING, 0.635714),
        (MERGERS, 0.35),
        (ESG, 0.35),
        (AUDIT, 0.25),
    ]


def test_relevance_to_the_industry_adds_to_the_score_and_filters_low_lines() -> None:
    # M&A rated 5: 0.5 x 1 + 1/7 = 0.642857; ESG rated 2 < 3: out; Audit rated 3: 0.25.
    ranked = rank(bought(TAX), relevance={MERGERS: 5, ESG: 2, AUDIT: 3})
    assert ranked == [(TRANSFER_PRICING, 0.72619), (MERGERS, 0.642857), (AUDIT, 0.25)]


def test_an_unrated_line_gets_the_default_relevance() -> None:
    assert ids(rank(bought(TAX), policy=RankingPolicy(limit=5, default_relevance=2))) == []
    raised = RankingPolicy(limit=5, default_relevance=2, relevance_threshold=2)
    assert ids(rank(bought(TAX), policy=raised)) == [TRANSFER_PRICING, MERGERS, ESG, AUDIT]


def test_a_client_who_bought_nothing_gets_the_industry_favourites() -> None:
    # Popularity only: Tax 0.5 x 3/7, Transfer pricing and M&A 0.5 x 2/7, then the rest.
    assert ids(rank({})) == [TAX, TRANSFER_PRICING, MERGERS, ESG, AUDIT]


def test_engaged_but_not_bought_is_kept_and_boosted() -> None:
    engaged = LineAwareness(AUDIT, Awareness.ENGAGED, engaged_at=NOW - timedelta(days=3))
    ranked = rank({**bought(TAX), AUDIT: engaged})
    assert ranked[0] == (AUDIT, 1.25)  # 0.25 + the engaged weight 1.0
    assert ids(ranked)[1:] == [TRANSFER_PRICING, MERGERS, ESG]


def test_the_limit_caps_the_candidates() -> None:
    assert ids(rank(bought(TAX), policy=RankingPolicy(limit=2))) == [TRANSFER_PRICING, MERGERS]
    assert rank(bought(TAX), policy=RankingPolicy(limit=0)) == []


# --- exclusions -------------------------------------------------------------------------------


def test_bought_lines_are_never_proposed() -> None:
    assert ids(rank(bought(TAX, TRANSFER_PRICING, ESG))) == [MERGERS, AUDIT]


def test_a_line_introduced_within_the_quiet_period_waits() -> None:
    def introduced(days_ago: int, state: Awareness = Awareness.INTRODUCED) -> LineAwareness:
        return LineAwareness(TRANSFER_PRICING, state, introduced_at=NOW - timedelta(days=days_ago))

    assert TRANSFER_PRICING not in ids(rank({**bought(TAX), 2: introduced(10)}))
    assert TRANSFER_PRICING not in ids(rank({**bought(TAX), 2: introduced(10, Awareness.ENGAGED)}))
    assert TRANSFER_PRICING not in ids(rank({**bought(TAX), 2: introduced(89)}))
    assert ids(rank({**bought(TAX), 2: introduced(90)}))[0] == TRANSFER_PRICING
    undated = LineAwareness(TRANSFER_PRICING, Awareness.INTRODUCED)
    assert ids(rank({**bought(TAX), 2: undated}))[0] == TRANSFER_PRICING


def test_lines_without_content_in_the_clients_language_are_left_out_when_required() -> None:
    french_only = frozenset({(MERGERS, "fr"), (AUDIT, "fr"), (TRANSFER_PRICING, "en")})
    assert ids(rank(bought(TAX), content=french_only, language="fr")) == [MERGERS, AUDIT]
    assert ids(rank(bought(TAX), content=french_only, language="en")) == [TRANSFER_PRICING]
    optional = RankingPolicy(limit=5, require_content=False)
    assert ids(rank(bought(TAX), content=frozenset(), policy=optional)) == [2, 3, 4, 5]


def test_lines_outside_the_catalogue_are_never_proposed() -> None:
    # Transfer pricing was retired from the catalogue.
    assert ids(rank(bought(TAX), line_ids=(TAX, ESG))) == [ESG]


# --- reasons ----------------------------------------------------------------------------------


def reasons(awareness: dict[int, LineAwareness], **options: Any) -> dict[int, list[Reason]]:
    ranked = next_lines(awareness, **options)
    return {candidate.service_line_id: list(candidate.reasons) for candidate in ranked}


def test_the_reason_names_the_industry_the_bought_line_the_share_and_the_count() -> None:
    found = reasons(bought(TAX))
    assert found[TRANSFER_PRICING] == [
        Reason(
            ReasonKind.CO_BOUGHT,
            industry="logistics",
            bought_line_id=TAX,
            share=pytest.approx(2 / 3),  # type: ignore[arg-type]
            count=2,
            out_of=3,
        ),
        Reason(
            ReasonKind.POPULAR,
            industry="logistics",
            share=0.5,
            count=2,
            out_of=4,
        ),
    ]
    assert found[ESG] == [Reason(ReasonKind.IN_CATALOGUE)]


def test_the_reason_picks_the_bought_line_with_the_strongest_co_purchase() -> None:
    # Bought Tax and M&A: Transfer pricing goes with Tax (2 of 3) more than with M&A (1 of 2, < 2).
    assert reasons(bought(TAX, MERGERS))[TRANSFER_PRICING][0].bought_line_id == TAX
    # Bought Transfer pricing and M&A: Tax goes with TP 2/(2+3) and with M&A 1 (< min count).
    assert reasons(bought(TRANSFER_PRICING, MERGERS))[TAX][0].bought_line_id == TRANSFER_PRICING


def test_a_small_industry_gives_firm_wide_reasons_without_an_industry() -> None:
    found = reasons(bought(TAX), industry="retail")
    assert found[TRANSFER_PRICING][0] == Reason(
        ReasonKind.CO_BOUGHT_FIRM_WIDE, bought_line_id=TAX, share=0.5, count=2, out_of=4
    )
    assert found[ESG] == [Reason(ReasonKind.POPULAR_FIRM_WIDE, share=2 / 7, count=2, out_of=7)]


def test_a_rating_is_a_reason_and_the_strongest_reason_comes_first() -> None:
    found = reasons(bought(TAX), relevance={MERGERS: 5, AUDIT: 3})
    assert found[MERGERS][0] == Reason(
        ReasonKind.RELEVANT_TO_INDUSTRY, industry="logistics", relevance=5
    )
    assert found[MERGERS][1].kind is ReasonKind.POPULAR
    assert found[AUDIT] == [
        Reason(ReasonKind.RELEVANT_TO_INDUSTRY, industry="logistics", relevance=3)
    ]


def test_an_engaged_line_says_so_first_and_keeps_its_evidence() -> None:
    since = NOW - timedelta(days=3)
    engaged = {MERGERS: LineAwareness(MERGERS, Awareness.ENGAGED, engaged_at=since)}
    assert [reason.kind for reason in reasons({**bought(TAX), **engaged})[MERGERS]] == [
        ReasonKind.ENGAGED,
        ReasonKind.POPULAR,
    ]
    audit = {AUDIT: LineAwareness(AUDIT, Awareness.ENGAGED, engaged_at=since)}
    assert reasons(audit)[AUDIT] == [Reason(ReasonKind.ENGAGED, since=since)]


def test_a_reason_becomes_plain_data_to_store() -> None:
    since = NOW - timedelta(days=3)
    assert Reason(ReasonKind.ENGAGED, since=since).as_data() == {
        "kind": "engaged",
        "since": since.isoformat(),
    }
    assert Reason(
        ReasonKind.CO_BOUGHT, industry="logistics", bought_line_id=1, share=0.5, count=2, out_of=4
    ).as_data() == {
        "kind": "co_bought",
        "industry": "logistics",
        "bought_line_id": 1,
        "share": 0.5,
        "count": 2,
        "out_of": 4,
    }


# --- check-in talking points ----------------------------------------------------------------


def talking_points(kind: CheckInKind, policy: RankingPolicy = POLICY) -> list[int]:
    lines = talking_point_lines(
        kind=kind,
        industry="logistics",
        awareness=bought(TAX),
        relevance={},
        statistics=STATS,
        line_ids=LINES,
        now=NOW,
        policy=policy,
    )
    return [candidate.service_line_id for candidate in lines]


def test_talking_points_are_at_most_two_and_need_no_content() -> None:
    assert talking_points(CheckInKind.ROUTINE) == [TRANSFER_PRICING, MERGERS]
    assert talking_points(CheckInKind.REVISIT, RankingPolicy(limit=1)) == [TRANSFER_PRICING]


def test_a_repair_conversation_gets_no_talking_point() -> None:
    assert talking_points(CheckInKind.REPAIR) == []


# --- many clients at once ---------------------------------------------------------------------


def test_ranking_many_clients_gives_each_the_same_answer_as_ranking_it_alone() -> None:
    clients = [
        Client(1, "logistics", "en", bought(TAX)),
        Client(2, "retail", "fr", bought(TAX)),
        Client(3, "logistics", "en", bought(TAX)),  # shares the first one's cached scores
        Client(4, "", "en", {}),
    ]
    relevance = {"logistics": {MERGERS: 5}, "retail": {ESG: 1}}
    many = rank_many(
        clients,
        line_ids=LINES,
        relevance=relevance,
        statistics=STATS,
        content=EVERYTHING,
        now=NOW,
        policy=POLICY,
    )
    for client in clients:
        alone = next_lines(
            client.awareness,
            industry=client.industry,
            relevance=relevance.get(client.industry),
            language=client.language,
        )
        assert many[client.id] == alone


def test_ranking_twenty_thousand_clients_over_twelve_lines_works() -> None:
    lines = range(1, 13)
    industries = ["logistics", "retail", "energy", "health", ""]
    accounts = [
        (industries[n % 5], {1 + n % 12, 1 + (n * 7) % 12, 1 + (n * 5) % 11}) for n in range(2_000)
    ]
    statistics = co_purchase(accounts)
    relevance = {name: {line: 1 + (line + len(name)) % 5 for line in lines} for name in industries}
    content = frozenset((line, "en") for line in lines if line % 4)
    clients = [
        Client(
            n,
            industries[n % 5],
            "en" if n % 3 else "fr",
            {
                1 + n % 12: LineAwareness(1 + n % 12, Awareness.BOUGHT),
                1 + n % 7: LineAwareness(
                    1 + n % 7, Awareness.INTRODUCED, introduced_at=NOW - timedelta(days=n % 200)
                ),
            },
        )
        for n in range(20_000)
    ]
    ranker = Ranker(
        line_ids=lines,
        relevance=relevance,
        statistics=statistics,
        content=content,
        policy=RankingPolicy(),
    )
    ranked = {client.id: ranker.rank(client, now=NOW) for client in clients}
    assert len(ranked) == 20_000
    assert all(len(candidates) <= 3 for candidates in ranked.values())
    assert any(ranked.values())
    assert not any(ranked[n] for n in range(0, 20_000, 3))  # French content: none at all


# --- properties -------------------------------------------------------------------------------

states = st.sampled_from(list(Awareness))
days_ago = st.one_of(st.none(), st.integers(min_value=0, max_value=400))


@st.composite
def awareness_maps(draw: st.DrawFn) -> dict[int, LineAwareness]:
    chosen = draw(st.dictionaries(st.sampled_from(LINES), st.tuples(states, days_ago)))
    return {
        line: LineAwareness(
            line, state, introduced_at=None if ago is None else NOW - timedelta(days=ago)
        )
        for line, (state, ago) in chosen.items()
    }


@settings(max_examples=300, deadline=None, database=None)
@given(
    awareness=awareness_maps(),
    industry=st.sampled_from(["logistics", "retail", "mining", ""]),
    relevance=st.dictionaries(st.sampled_from(LINES), st.integers(min_value=1, max_value=5)),
    content=st.frozensets(st.tuples(st.sampled_from(LINES), st.sampled_from(["en", "fr"]))),
    language=st.sampled_from(["en", "fr"]),
    quiet_days=st.integers(min_value=0, max_value=200),
    limit=st.integers(min_value=0, max_value=6),
    require_content=st.booleans(),
)
def test_the_ranking_never_breaks_its_rules(
    awareness: dict[int, LineAwareness],
    industry: str,
    relevance: dict[int, int],
    content: frozenset[tuple[int, str]],
    language: str,
    quiet_days: int,
    limit: int,
    require_content: bool,
) -> None:
    policy = RankingPolicy(quiet_days=quiet_days, limit=limit, require_content=require_content)
    ranked = next_lines(
        awareness,
        industry=industry,
        relevance=relevance,
        content=content,
        language=language,
        policy=policy,
    )
    assert len(ranked) <= limit
    proposed = [candidate.service_line_id for candidate in ranked]
    assert len(set(proposed)) == len(proposed)
    for line in proposed:
        record = awareness.get(line)
        assert record is None or record.state is not Awareness.BOUGHT
        introduced_at = record.introduced_at if record is not None else None
        assert introduced_at is None or introduced_at <= NOW - timedelta(days=quiet_days)
        assert relevance.get(line, policy.default_relevance) >= policy.relevance_threshold
        assert not require_content or (line, language) in content
    keys = [(-candidate.score, candidate.service_line_id) for candidate in ranked]
    assert keys == sorted(keys)
    assert all(candidate.reasons for candidate in ranked)
