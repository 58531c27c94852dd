"""Mail rules shared by the send path and the inbound path: categories and what suppresses them."""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Category(StrEnum):
    TRANSACTIONAL = "transactional"  # sign-in, digests to staff: not subject to client consent
    NURTURE = "nurture"
    SURVEY = "survey"
    ADVOCACY_ASK = "advocacy_ask"
    REFERENCE_REQUEST = "reference_request"


CLIENT_FACING: Final = frozenset(
    {Category.NURTURE, Category.SURVEY, Category.ADVOCACY_ASK, Category.REFERENCE_REQUEST}
)
# A suppression for "all" covers every client-facing category (bounces, spam reports).
ALL: Final = "all"


def suppressed_for(category: Category, suppressed_categories: set[str]) -> bool:
    """Whether an address with these suppressions must not receive `category`.

    A hard bounce stops transactional mail too: the address does not exist.
    """
    if "bounce" in suppressed_categories:
        return True
    if category is Category.TRANSACTIONAL:
        return False
    return ALL in suppressed_categories or category.value in suppressed_categories
