"""Pager maths: one page even when empty, a page past either end shows the nearest real one."""

from __future__ import annotations

import pytest

from advocacy.domain.paging import Pager, first_row, page_count, page_number, pager


@pytest.mark.parametrize(
    ("total", "size", "pages"),
    [(0, 50, 1), (1, 50, 1), (50, 50, 1), (51, 50, 2), (231, 100, 3), (40, 20, 2)],
)
def test_the_page_count_rounds_up_and_an_empty_list_has_one_page(
    total: int, size: int, pages: int
) -> None:
    assert page_count(total, size) == pages


@pytest.mark.parametrize(
    ("total", "wanted", "shown"),
    [
        (120, 1, Pager(page=1, pages=3, size=50)),
        (120, 2, Pager(page=2, pages=3, size=50)),
        (120, 99, Pager(page=3, pages=3, size=50)),  # an old link past the end
        (120, 0, Pager(page=1, pages=3, size=50)),
        (120, -4, Pager(page=1, pages=3, size=50)),
        (0, 5, Pager(page=1, pages=1, size=50)),
    ],
)
def test_a_page_outside_the_list_shows_the_nearest_real_page(
    total: int, wanted: int, shown: Pager
) -> None:
    assert pager(total, wanted, 50) == shown


@pytest.mark.parametrize(("page", "offset"), [(1, 0), (2, 50), (3, 100), (0, 0), (-2, 0)])
def test_a_page_starts_after_the_rows_of_the_pages_before_it(page: int, offset: int) -> None:
    assert first_row(page, 50) == offset
    assert pager(10_000, page, 50).offset == offset


@pytest.mark.parametrize(
    ("text", "page"),
    [
        ("3", 3),
        ("999999999", 999_999_999),
        ("1000000000", 1),  # ten digits: no page of ours
        ("-2", 1),
        ("abc", 1),
        ("", 1),
        (None, 1),
        ("²", 1),  # a digit to str.isdigit, not to int()
    ],
)
def test_a_page_number_in_a_query_string_is_a_small_positive_integer_or_1(
    text: str | None, page: int
) -> None:
    assert page_number(text) == page
