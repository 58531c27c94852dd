"""Library rules: a permission filter says the same in SQL terms (uses) as over the consent
policy's disclosures, for every combination of uses; words, moves and item states."""

from __future__ import annotations

from itertools import combinations

import pytest

from advocacy.domain.disclosure import Audience, Disclosure, Naming, disclose
from advocacy.domain.library import (
    USE_CONDITIONS,
    ItemState,
    PermissionFilter,
    StoredDisclosure,
    copy_text,
    item_state,
    like_pattern,
    matches,
    moved,
    search_terms,
)
from advocacy.domain.testimonials import Use, plain_quote

EVERY_USE_SET = [
    frozenset(chosen) for size in range(len(Use) + 1) for chosen in combinations(list(Use), size)
]


@pytest.mark.parametrize("wanted", list(PermissionFilter))
@pytest.mark.parametrize("status", ["approved", "published"])
def test_each_filter_finds_in_the_database_exactly_what_the_policy_says(
    wanted: PermissionFilter, status: str
) -> None:
    for live in EVERY_USE_SET:
        if not live:
            continue  # nothing live: staff cannot read it, the search never looks at it
        staff = disclose(status, live, Audience.STAFF)
        export = disclose(status, live, Audience.EXPORT)
        assert USE_CONDITIONS[wanted].holds(live) == matches(wanted, staff, export), sorted(live)


def test_a_quote_staff_may_not_read_matches_no_filter() -> None:
    for wanted in PermissionFilter:
        assert not matches(wanted, Disclosure(), Disclosure())


def test_search_words_are_folded_deduplicated_and_limited() -> None:
    assert search_terms('  "Procurement"  costs, procurement ÉTÉ ') == [
        "procurement",
        "costs",
        "été",
    ]
    assert len(search_terms(" ".join(f"w{i}" for i in range(20)))) == 8
    assert search_terms("   ") == []


def test_like_wildcards_typed_by_people_are_taken_literally() -> None:
    assert like_pattern("50%_off\\") == "%50\\%\\_off\\\\%"


def test_moving_up_and_down_swaps_neighbours_and_stops_at_the_ends() -> None:
    assert moved([1, 2, 3], 2, up=True) == [2, 1, 3]
    assert moved([1, 2, 3], 2, up=False) == [1, 3, 2]
    assert moved([1, 2, 3], 1, up=True) == [1, 2, 3]
    assert moved([1, 2, 3], 3, up=False) == [1, 2, 3]
    assert moved([1, 2, 3], 9, up=True) == [1, 2, 3]


def test_an_item_is_flagged_when_what_may_go_out_changed_and_gone_when_nothing_may() -> None:
    named_with_logo = Disclosure(Naming.NAMED, logo=True)
    added = StoredDisclosure.of(named_with_logo)
    assert item_state(added, named_with_logo) is ItemState.ALLOWED
    assert item_state(added, Disclosure(Naming.NAMED)) is ItemState.CHANGED
    assert item_state(added, Disclosure(Naming.ANONYMISED)) is ItemState.CHANGED
    assert item_state(added, Disclosure()) is ItemState.NO_LONGER_ALLOWED


def test_the_copied_text_is_the_plain_quote_and_its_attribution() -> None:
    assert plain_quote(" They **listened** and it *worked*. ") == "They listened and it worked."
    assert copy_text("They listened.", "Ann, CFO, Acme") == "“They listened.”\n— Ann, CFO, Acme"
