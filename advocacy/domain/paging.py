"""Pager maths shared by every paged list: how many pages, which page is shown, where it starts."""

from __future__ import annotations

from dataclasses import dataclass

from advocacy.domain.numbers import whole_number


def page_count(total: int, size: int) -> int:
    """How many pages `total` rows fill, `size` to a page; an empty list still has one page."""
    return max(1, -(-total // size))


def first_row(page: int, size: int) -> int:
    """How many rows come before `page` (numbered from 1); a page below 1 counts as the first."""
    return (max(1, page) - 1) * size


@dataclass(frozen=True)
class Pager:
    """The page actually shown of a list of `total` rows, and where its rows start."""

    page: int
    pages: int
    size: int

    @property
    def offset(self) -> int:
        return first_row(self.page, self.size)


def pager(total: int, wanted: int, size: int) -> Pager:
    """The page to show when `wanted` is asked: below 1 gives the first, past the end the last."""
    pages = page_count(total, size)
    return Pager(page=min(max(1, wanted), pages), pages=pages, size=size)


def page_number(text: str | None) -> int:
    """The page asked for in a query string; 1 for anything that is not a page number."""
    # Nine digits at most: a longer number is no page of ours and must not overflow an OFFSET.
    return whole_number(text) or 1
