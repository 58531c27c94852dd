"""Service-line awareness: states only go up, evidence folds per contact and account, and the
typecasting index is the share of relevant lines the client knows the firm for (docs/metrics.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from advocacy.domain.awareness import (
    Awareness,
    Evidence,
    LineAwareness,
    account_awareness,
    combine,
    fold,
    mail_event_awareness,
    relevant_lines,
    state_of,
    stronger,
    touchpoint_awareness,
    typecasting_index,
)

MARCH = datetime(2026, 3, 12, 10, 0, tzinfo=UTC)
APRIL = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)
# The example of docs/metrics.md: Harbour Logistics, an account in logistics.
TAX, TRANSFER_PRICING, MERGERS, ESG, PAYROLL, AUDIT = 1, 2, 3, 4, 5, 6
LOGISTICS_RELEVANCE = {TAX: 5, TRANSFER_PRICING: 4, MERGERS: 3, ESG: 3, PAYROLL: 2, AUDIT: 1}


def test_the_stronger_state_wins_whichever_comes_first() -> None:
    order = [Awareness.UNAWARE, Awareness.INTRODUCED, Awareness.ENGAGED, Awareness.BOUGHT]
    for weaker_rank, weaker in enumerate(order):
        for stronger_state in order[weaker_rank:]:
            assert stronger(weaker, stronger_state) is stronger_state
            assert stronger(stronger_state, weaker) is stronger_state


def test_combining_two_records_keeps_the_stronger_state_and_the_latest_dates() -> None:
    first = LineAwareness(TAX, Awareness.INTRODUCED, introduced_at=APRIL)
    second = LineAwareness(TAX, Awareness.BOUGHT, introduced_at=MARCH, bought_at=MARCH)
    merged = combine(first, second)
    assert merged == LineAwareness(
        TAX, Awareness.BOUGHT, introduced_at=APRIL, engaged_at=None, bought_at=MARCH
    )
    assert combine(second, first) == merged


def test_records_of_two_lines_cannot_be_combined() -> None:
    with pytest.raises(ValueError, match="same service line"):
        combine(LineAwareness(TAX, Awareness.BOUGHT), LineAwareness(ESG, Awareness.BOUGHT))


def test_an_account_knows_a_line_as_well_as_its_best_informed_contact() -> None:
    anna = {TAX: LineAwareness(TAX, Awareness.BOUGHT, bought_at=MARCH)}
    ben = {
        TAX: LineAwareness(TAX, Awareness.INTRODUCED, introduced_at=APRIL),
        ESG: LineAwareness(ESG, Awareness.ENGAGED, engaged_at=APRIL),
    }
    merged = account_awareness([anna, ben])
    assert merged[TAX].state is Awareness.BOUGHT and merged[TAX].introduced_at == APRIL
    assert merged[ESG].state is Awareness.ENGAGED


@pytest.mark.parametrize(
    ("kind", "initiative", "expected"),
    [
        ("content", "firm", Awareness.INTRODUCED),
        ("email", "firm", Awareness.INTRODUCED),
        ("meeting", "firm", Awareness.INTRODUCED),
        ("call", "firm", Awareness.INTRODUCED),
        ("note", "firm", Awareness.INTRODUCED),
        ("event", "firm", Awareness.ENGAGED),  # they came to it
        ("call", "client", Awareness.ENGAGED),  # they asked
        ("proposal", "client", Awareness.ENGAGED),
        ("survey", "firm", None),
        ("proposal", "firm", None),
        ("press", "external", None),
    ],
)
def test_a_touchpoint_about_a_line_introduces_it_or_shows_interest(
    kind: str, initiative: str, expected: Awareness | None
) -> None:
    assert touchpoint_awareness(kind, initiative) is expected


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ("delivered", Awareness.INTRODUCED),
        ("click", Awareness.ENGAGED),
        ("open", None),  # image loading is no proof anybody read it
        ("bounce", None),
        ("processed", None),
    ],
)
def test_a_delivered_message_introduces_its_line_and_a_click_shows_interest(
    event: str, expected: Awareness | None
) -> None:
    assert mail_event_awareness(event) is expected


def test_evidence_folds_per_contact_and_per_account_and_account_only_facts_count_for_it() -> None:
    by_contact, by_account = fold(
        [
            Evidence(10, 100, TAX, Awareness.INTRODUCED, MARCH),
            Evidence(10, 100, TAX, Awareness.ENGAGED, APRIL),
            Evidence(10, None, ESG, Awareness.BOUGHT, MARCH),  # an engagement naming nobody
            Evidence(10, 101, TAX, Awareness.INTRODUCED, APRIL),
        ]
    )
    assert by_contact == {
        (100, TAX): LineAwareness(TAX, Awareness.ENGAGED, introduced_at=MARCH, engaged_at=APRIL),
        (101, TAX): LineAwareness(TAX, Awareness.INTRODUCED, introduced_at=APRIL),
    }
    assert by_account == {
        (10, TAX): LineAwareness(TAX, Awareness.ENGAGED, introduced_at=APRIL, engaged_at=APRIL),
        (10, ESG): LineAwareness(ESG, Awareness.BOUGHT, bought_at=MARCH),
    }


def test_the_state_of_a_record_is_the_strongest_state_that_has_a_date() -> None:
    assert state_of(LineAwareness(TAX, Awareness.UNAWARE, introduced_at=MARCH)) is (
        Awareness.INTRODUCED
    )
    assert state_of(LineAwareness(TAX, Awareness.UNAWARE, bought_at=MARCH, engaged_at=APRIL)) is (
        Awareness.BOUGHT
    )
    assert state_of(LineAwareness(TAX, Awareness.UNAWARE)) is Awareness.UNAWARE


def test_relevant_lines_are_the_active_ones_rated_at_or_above_the_threshold() -> None:
    active = [TAX, TRANSFER_PRICING, MERGERS, ESG, PAYROLL]  # Audit is no longer offered
    assert relevant_lines(active, LOGISTICS_RELEVANCE, 3) == [TAX, TRANSFER_PRICING, MERGERS, ESG]
    assert relevant_lines(active, LOGISTICS_RELEVANCE, 5) == [TAX]


def test_an_industry_nobody_rated_finds_every_active_line_relevant() -> None:
    assert relevant_lines([ESG, TAX], {}, 3) == [TAX, ESG]


def test_an_unrated_line_of_a_rated_industry_is_not_relevant() -> None:
    assert relevant_lines([TAX, ESG], {TAX: 4}, 3) == [TAX]


def test_the_typecasting_index_of_the_hand_computed_example_in_docs_metrics() -> None:
    # Harbour Logistics (docs/metrics.md): Anna bought Tax; Ben clicked on an M&A e-mail; the firm
    # presented Transfer pricing at a meeting; Carla asked about Payroll; nobody heard of ESG.
    anna = {TAX: LineAwareness(TAX, Awareness.BOUGHT, bought_at=MARCH)}
    ben = {MERGERS: LineAwareness(MERGERS, Awareness.ENGAGED, engaged_at=APRIL)}
    account_only = {
        TRANSFER_PRICING: LineAwareness(TRANSFER_PRICING, Awareness.INTRODUCED, introduced_at=MARCH)
    }
    carla = {PAYROLL: LineAwareness(PAYROLL, Awareness.ENGAGED, engaged_at=APRIL)}
    known = account_awareness([anna, ben, account_only, carla])
    relevant = relevant_lines(
        [TAX, TRANSFER_PRICING, MERGERS, ESG, PAYROLL, AUDIT], LOGISTICS_RELEVANCE, 3
    )
    assert relevant == [TAX, TRANSFER_PRICING, MERGERS, ESG]  # Payroll 2 and Audit 1 fall below
    # Known and relevant: Tax (bought) and M&A (engaged). Transfer pricing is only introduced.
    assert typecasting_index(known, relevant) == pytest.approx(2 / 4)


def test_introduced_alone_does_not_count_as_known() -> None:
    introduced = {ESG: LineAwareness(ESG, Awareness.INTRODUCED, introduced_at=MARCH)}
    assert typecasting_index(introduced, [ESG, TAX]) == 0.0


def test_no_relevant_line_gives_no_index_rather_than_zero() -> None:
    assert typecasting_index({}, []) is None


def test_dates_are_compared_as_moments_not_as_text() -> None:
    later = MARCH + timedelta(minutes=1)
    merged = combine(
        LineAwareness(TAX, Awareness.INTRODUCED, introduced_at=later),
        LineAwareness(TAX, Awareness.INTRODUCED, introduced_at=MARCH),
    )
    assert merged.introduced_at == later
