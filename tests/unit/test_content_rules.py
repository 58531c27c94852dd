"""Content library rules: only http(s) links, a validity window read in whole UTC days, and an
item offered to a contact only in their language, while valid, for their industry (or every
industry) and their journey stage (or every stage), never once archived."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from advocacy.domain.access import may_manage_content
from advocacy.domain.content import (
    BAD_URL,
    UNTIL_BEFORE_FROM,
    ContentKind,
    ContentOffer,
    Reader,
    available_to,
    distinct_industries,
    industry_key,
    is_available_to,
    url_problem,
    valid_on,
    window_problem,
)
from advocacy.domain.identity import Role

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
TODAY = NOW.date()
READER = Reader(language="fr", industry="Real Estate", stage="between")
ITEM = ContentOffer(
    id=1,
    kind=ContentKind.ARTICLE,
    title="Taxe carbone",
    url="https://insights.example/taxe",
    summary="",
    language="fr",
)


@pytest.mark.parametrize(
    "url",
    [
        "https://insights.example/a?b=c#d",
        "http://insights.example",
        "HTTPS://Insights.Example/Path",
        "https://insights.example:8443/x",
    ],
)
def test_a_web_address_over_http_or_https_is_a_valid_link(url: str) -> None:
    assert url_problem(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "mailto:someone@example.com",
        "ftp://files.example/x",
        "https://",
        "insights.example/article",
        "https://insights.example/a b",
        "https://insights.example/\x07",
        "https://insights.example:port/",
        "https://[::1/",
        "https://insights.example/" + "a" * 2000,
    ],
)
def test_any_other_link_is_refused_with_the_reason(url: str) -> None:
    assert url_problem(url) == BAD_URL


def test_the_last_valid_day_may_not_come_before_the_first() -> None:
    assert window_problem(date(2026, 3, 1), date(2026, 2, 28)) == UNTIL_BEFORE_FROM
    assert window_problem(date(2026, 3, 1), date(2026, 3, 1)) is None
    assert window_problem(None, date(2026, 3, 1)) is None
    assert window_problem(date(2026, 3, 1), None) is None


def test_an_item_is_valid_from_its_first_through_its_last_day_an_open_end_no_limit() -> None:
    first, last = date(2026, 3, 1), date(2026, 3, 31)
    assert not valid_on(date(2026, 2, 28), first, last)
    assert valid_on(first, first, last) and valid_on(last, first, last)
    assert not valid_on(date(2026, 4, 1), first, last)
    assert valid_on(date(1990, 1, 1), None, last) and valid_on(date(2999, 1, 1), first, None)
    assert valid_on(TODAY, None, None)


def test_validity_is_judged_on_the_utc_day_of_now() -> None:
    item = replace(ITEM, valid_until=TODAY)
    late_evening_in_new_york = datetime(2026, 11, 23, 23, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert is_available_to(item, READER, NOW)
    assert not is_available_to(item, READER, late_evening_in_new_york)  # already the 24th in UTC


def test_an_item_is_available_only_in_the_readers_language() -> None:
    assert is_available_to(ITEM, READER, NOW)
    assert not is_available_to(ITEM, replace(READER, language="en"), NOW)


def test_an_item_for_named_industries_reaches_only_them_however_the_industry_is_spelled() -> None:
    item = replace(ITEM, industries=frozenset({industry_key("Real estate"), "banking"}))
    assert is_available_to(item, READER, NOW)
    assert is_available_to(item, replace(READER, industry="  real   ESTATE "), NOW)
    assert not is_available_to(item, replace(READER, industry="Media"), NOW)
    assert not is_available_to(item, replace(READER, industry=""), NOW)
    assert is_available_to(ITEM, replace(READER, industry=""), NOW)  # no industry: every one


def test_an_item_for_named_stages_reaches_only_them() -> None:
    item = replace(ITEM, stages=frozenset({"between", "former"}))
    assert is_available_to(item, READER, NOW)
    assert not is_available_to(item, replace(READER, stage="active"), NOW)
    assert is_available_to(ITEM, replace(READER, stage="prospect"), NOW)  # no stage: every one


def test_an_archived_expired_or_future_item_is_available_to_nobody() -> None:
    assert not is_available_to(replace(ITEM, archived=True), READER, NOW)
    assert not is_available_to(replace(ITEM, valid_until=TODAY - timedelta(days=1)), READER, NOW)
    assert not is_available_to(replace(ITEM, valid_from=TODAY + timedelta(days=1)), READER, NOW)


def test_items_written_for_the_reader_come_first_then_the_newest() -> None:
    general_old = replace(ITEM, id=1, valid_from=date(2026, 1, 1))
    general_new = replace(ITEM, id=2, valid_from=date(2026, 6, 1))
    for_them = replace(ITEM, id=3, industries=frozenset({"real estate"}), valid_from=None)
    for_others = replace(ITEM, id=4, industries=frozenset({"media"}))
    english = replace(ITEM, id=5, language="en")
    found = available_to([general_old, english, for_others, general_new, for_them], READER, NOW)
    assert [item.id for item in found] == [3, 2, 1]


def test_industries_are_kept_once_each_in_the_first_spelling_typed() -> None:
    assert distinct_industries(["Banking", " banking ", "", "Real  Estate", "real estate"]) == [
        "Banking",
        "Real Estate",
    ]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.MARKETING, True), (Role.ADMIN, True), (Role.ACCOUNT_MANAGER, False)],
)
def test_marketing_and_administrators_keep_the_library(role: Role, allowed: bool) -> None:
    assert may_manage_content(role) is allowed
