"""Consent rules: whatever happens to an address, a client-facing category the client withdrew is
never allowed again until the client asks for it again (property tests, with Hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advocacy.domain import consent
from advocacy.domain.consent import Reason
from advocacy.domain.mail import ALL, CLIENT_FACING, Category, suppressed_for

CATEGORIES = sorted(CLIENT_FACING)
TARGETS = [ALL, *(c.value for c in CATEGORIES)]

operations = st.one_of(
    st.tuples(st.just("client_withdraw"), st.sampled_from(TARGETS)),
    st.tuples(st.just("client_choose"), st.frozensets(st.sampled_from(CATEGORIES))),
    st.tuples(st.just("client_resubscribe"), st.sampled_from(CATEGORIES)),
    st.tuples(st.just("staff_add"), st.sampled_from(TARGETS)),
    st.tuples(st.just("staff_lift"), st.sampled_from(TARGETS)),
    st.tuples(st.sampled_from(["spamreport", "bounce", "dropped"]), st.just(ALL)),
)
CLIENT_OPERATIONS = frozenset({"client_withdraw", "client_choose", "client_resubscribe"})


def covered(target: str) -> list[Category]:
    return CATEGORIES if target == ALL else [Category(target)]


def apply(blocks: dict[str, str], operation: tuple) -> dict[str, str]:
    kind, value = operation
    if kind == "client_withdraw":
        return consent.withdraw(blocks, value, Reason.UNSUBSCRIBE)
    if kind == "client_choose":
        return consent.choose(blocks, value)
    if kind == "client_resubscribe":
        return consent.resubscribe(blocks, value)
    if kind == "staff_add":
        return consent.withdraw(blocks, value, Reason.MANUAL)
    if kind == "staff_lift":
        return consent.lift_manual(blocks, value)
    return consent.withdraw(blocks, ALL, kind)


def client_said(said: dict[Category, bool], operation: tuple) -> None:
    """What the client last said about each category (spam reports count as a withdrawal)."""
    kind, value = operation
    if kind == "client_withdraw":
        said.update(dict.fromkeys(covered(value), False))
    elif kind == "client_choose":
        said.update({c: c in value for c in CATEGORIES})
    elif kind == "client_resubscribe":
        said[value] = True
    elif kind == "spamreport":
        said.update(dict.fromkeys(CATEGORIES, False))


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(operations, max_size=25))
def test_a_withdrawn_category_is_never_allowed_until_the_client_asks_again(sequence) -> None:
    blocks: dict[str, str] = {}
    said: dict[Category, bool] = {}
    for operation in sequence:
        blocks = apply(blocks, operation)
        client_said(said, operation)
        found = consent.markers(blocks)
        for category, wanted in said.items():
            if not wanted:
                assert suppressed_for(category, found), (operation, category, blocks)


@settings(max_examples=150, deadline=None, database=None)
@given(st.lists(operations, max_size=25))
def test_after_a_bounce_spam_report_or_invalid_address_no_client_mail_is_ever_allowed(sequence):
    blocks: dict[str, str] = {}
    dead = False
    for operation in sequence:
        blocks = apply(blocks, operation)
        dead = dead or operation[0] in {"spamreport", "bounce", "dropped"}
        if dead:
            assert consent.allowed_categories(blocks) == frozenset(), (operation, blocks)


@settings(max_examples=150, deadline=None, database=None)
@given(st.lists(operations.filter(lambda op: op[0] in CLIENT_OPERATIONS), max_size=25))
def test_with_only_the_clients_own_choices_they_get_exactly_what_they_last_asked_for(sequence):
    blocks: dict[str, str] = {}
    said: dict[Category, bool] = {}
    for operation in sequence:
        blocks = apply(blocks, operation)
        client_said(said, operation)
    expected = frozenset(c for c in CATEGORIES if said.get(c, True))
    assert consent.allowed_categories(blocks) == expected


def test_a_bounce_stops_transactional_mail_and_nothing_lifts_it() -> None:
    blocks = consent.withdraw({}, ALL, Reason.BOUNCE)
    for lifted in (
        consent.choose(blocks, CATEGORIES),
        consent.resubscribe(blocks, Category.NURTURE),
        consent.lift_manual(blocks, ALL),
    ):
        assert suppressed_for(Category.TRANSACTIONAL, consent.markers(lifted))


@pytest.mark.parametrize(
    ("before", "reason", "after"),
    [
        ("manual", "unsubscribe", "unsubscribe"),
        ("unsubscribe", "manual", "unsubscribe"),
        ("unsubscribe", "bounce", "bounce"),
        ("spamreport", "unsubscribe", "spamreport"),
    ],
)
def test_a_withdrawal_only_ever_makes_a_suppression_stronger(before, reason, after) -> None:
    assert consent.withdraw({ALL: before}, ALL, reason) == {ALL: after}


def test_changes_name_the_rows_to_write_and_the_categories_gained_or_lost() -> None:
    before = {ALL: "unsubscribe"}
    after = consent.resubscribe(before, Category.SURVEY)
    found = consent.changes(before, after)
    assert found.remove == {ALL}
    assert found.restored == {Category.SURVEY}
    assert found.withdrawn == frozenset()
    assert set(found.upsert) == {"nurture", "advocacy_ask", "reference_request"}
