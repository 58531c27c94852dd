"""Library rules: how marketing searches quotes, which permission a filter means, and how a
collection for a proposal stands against today's consent.

Nothing here reads permissions: a filter is stated twice, once as the uses a query must find live
(so the database can do the work on 50,000 quotes), once over the policy's `Disclosure` (the
truth); a unit test checks that both agree for every combination of uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from advocacy.domain import paging
from advocacy.domain.disclosure import Disclosure, Naming
from advocacy.domain.testimonials import Use

PAGE_SIZE: Final = 20
MAX_PAGE: Final = 10_000
MAX_QUERY_LENGTH: Final = 200
MAX_TERMS: Final = 8
MAX_NAME_LENGTH: Final = 120
MAX_PURPOSE_LENGTH: Final = 500
MAX_ITEMS: Final = 200


class PermissionFilter(StrEnum):
    """What marketing may do with a quote outside the firm (or one extra the client allowed)."""

    NAMED = "named"  # may be published with name, title and company
    ANONYMISED = "anonymised"  # may be published by role and sector only
    INTERNAL_ONLY = "internal_only"  # may be read inside the firm, never published
    LOGO = "logo"  # the company's logo may go beside it
    CASE_STUDY = "case_study"
    REFERENCE_CALLS = "reference_calls"


@dataclass(frozen=True)
class UseCondition:
    """A filter as the uses that must (all) be live and those that must not be."""

    required: frozenset[Use] = frozenset()
    forbidden: frozenset[Use] = frozenset()

    def holds(self, live: frozenset[Use]) -> bool:
        return self.required <= live and not self.forbidden & live


_PUBLIC: Final = frozenset({Use.NAMED_PUBLIC, Use.ANONYMISED_PUBLIC})
# Read with disclosure.disclose: named wins over anonymised, a logo needs the name.
USE_CONDITIONS: Final = {
    PermissionFilter.NAMED: UseCondition(frozenset({Use.NAMED_PUBLIC})),
    PermissionFilter.ANONYMISED: UseCondition(
        frozenset({Use.ANONYMISED_PUBLIC}), frozenset({Use.NAMED_PUBLIC})
    ),
    PermissionFilter.INTERNAL_ONLY: UseCondition(forbidden=_PUBLIC),
    PermissionFilter.LOGO: UseCondition(frozenset({Use.NAMED_PUBLIC, Use.LOGO})),
    PermissionFilter.CASE_STUDY: UseCondition(frozenset({Use.CASE_STUDY})),
    PermissionFilter.REFERENCE_CALLS: UseCondition(frozenset({Use.REFERENCE_CALLS})),
}


def matches(wanted: PermissionFilter, staff: Disclosure, export: Disclosure) -> bool:
    """Whether a quote staff may read (`staff`) fits the filter, judged on what may leave (`export`)."""
    if not staff.shown:
        return False
    checks = {
        PermissionFilter.NAMED: export.naming is Naming.NAMED,
        PermissionFilter.ANONYMISED: export.naming is Naming.ANONYMISED,
        PermissionFilter.INTERNAL_ONLY: not export.shown,
        PermissionFilter.LOGO: export.logo,
        PermissionFilter.CASE_STUDY: staff.case_study,
        PermissionFilter.REFERENCE_CALLS: staff.reference_contact,
    }
    return checks[wanted]


@dataclass(frozen=True)
class LibraryQuery:
    """A search of the library as typed: words, filters and the page."""

    text: str = ""
    service_line_id: int | None = None
    industry: str = ""
    size_band: str = ""
    country: str = ""
    language: str = ""
    permission: PermissionFilter | None = None
    min_rating: int | None = None
    approved_since: date | None = None
    stage: str = ""
    page: int = 1

    @property
    def offset(self) -> int:
        return paging.first_row(self.page, PAGE_SIZE)


def search_terms(text: str) -> list[str]:
    """The words to look for, lower-cased and deduplicated; every one must be found."""
    seen: dict[str, None] = {}
    for word in text[:MAX_QUERY_LENGTH].split():
        # lower(), not casefold(): PostgreSQL's ILIKE compares lower-cased letters ("ß" stays).
        term = word.strip("\"'.,;:!?()").lower()
        if term:
            seen.setdefault(term, None)
    return list(seen)[:MAX_TERMS]


def like_pattern(term: str) -> str:
    """`term` anywhere in a text, with LIKE's wildcards taken literally (escape character \\)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def page_count(total: int) -> int:
    """How many pages of quotes `total` matches fill."""
    return paging.page_count(total, PAGE_SIZE)


class Outside(StrEnum):
    """How a quote may go outside the firm, as one label for people."""

    NAMED = "named"
    ANONYMISED = "anonymised"
    INTERNAL_ONLY = "internal_only"


def outside(export: Disclosure) -> Outside:
    if export.naming is Naming.NAMED:
        return Outside.NAMED
    if export.naming is Naming.ANONYMISED:
        return Outside.ANONYMISED
    return Outside.INTERNAL_ONLY


def copy_text(quote: str, attribution: str) -> str:
    """The quote and its attribution as pasted into a deck: the text, a dash, the attribution."""
    return f"“{quote.strip()}”\n— {attribution}"


# --- Collections ------------------------------------------------------------------------------


class ItemState(StrEnum):
    """How one collected quote stands against today's consent."""

    ALLOWED = "allowed"
    CHANGED = "changed"  # may still go out, but not as it could when it was added
    NO_LONGER_ALLOWED = "no_longer_allowed"


@dataclass(frozen=True)
class StoredDisclosure:
    """What an item's quote could show outside the firm when it was added."""

    naming: str
    logo: bool
    case_study: bool

    @classmethod
    def of(cls, disclosure: Disclosure) -> StoredDisclosure:
        return cls(disclosure.naming.value, disclosure.logo, disclosure.case_study)


def item_state(added: StoredDisclosure, today: Disclosure) -> ItemState:
    """No longer allowed when it may not leave the firm today; changed when it may, differently."""
    if not today.shown:
        return ItemState.NO_LONGER_ALLOWED
    if StoredDisclosure.of(today) != added:
        return ItemState.CHANGED
    return ItemState.ALLOWED


def exported(state: ItemState) -> bool:
    """Changed items still go out, under today's terms; only what is no longer allowed stays in."""
    return state is not ItemState.NO_LONGER_ALLOWED


def moved(order: Sequence[int], item_id: int, *, up: bool) -> list[int]:
    """The item ids after moving `item_id` one place up or down; unchanged at either end."""
    ids = list(order)
    if item_id not in ids:
        return ids
    index = ids.index(item_id)
    other = index - 1 if up else index + 1
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
    return ids
