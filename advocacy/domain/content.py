"""The content library's rules: what marketing offers clients (articles, case studies, webinars...),
when an item is valid, and to whom it may be offered.

Nurture e-mails and check-in talking points use an item to introduce a service line a client does
not know the firm for (docs/domain.md, "typecasting"). An item is offered to a contact only when it
is "available" to them: not archived, valid on the day, in the contact's language, meant for the
account's industry (or for every industry) and for its journey stage (or for every stage).

Validity is counted in whole days, read in UTC: "valid until 31 March" means through that day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Final
from urllib.parse import urlsplit

from advocacy.domain.text import N_


class ContentKind(StrEnum):
    """What an item is, as clients will see it announced."""

    ARTICLE = "article"
    CASE_STUDY = "case_study"
    WEBINAR = "webinar"
    EVENT = "event"
    WHITE_PAPER = "white_paper"
    SHORT_NOTE = "short_note"


class ContentLanguage(StrEnum):
    """The languages the firm writes content in (those of the interface and of its e-mails)."""

    EN = "en"
    FR = "fr"


MAX_TITLE_LENGTH: Final = 200
MAX_URL_LENGTH: Final = 2000
MAX_SUMMARY_LENGTH: Final = 2000
MAX_INDUSTRY_LENGTH: Final = 80
MAX_INDUSTRIES: Final = 30
URL_SCHEMES: Final = frozenset({"http", "https"})

BAD_URL: Final = N_("Enter a web address that starts with http:// or https://.")
UNTIL_BEFORE_FROM: Final = N_("The last valid day is before the first valid day.")


def url_problem(url: str) -> str | None:
    """Why `url` cannot be an item's link (a message to translate), or None when it can.

    Only http and https: a `javascript:` or `data:` link in an e-mail or a page is an attack, and
    a `mailto:` or file link is no content a client can read.
    """
    if not url or len(url) > MAX_URL_LENGTH:
        return BAD_URL
    if any(character.isspace() or ord(character) < 32 for character in url):
        return BAD_URL
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        return BAD_URL
    if parts.scheme.lower() not in URL_SCHEMES or not host:
        return BAD_URL
    return None


def window_problem(valid_from: date | None, valid_until: date | None) -> str | None:
    """Why these days cannot be an item's validity (a message to translate), or None."""
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        return UNTIL_BEFORE_FROM
    return None


def valid_on(day: date, valid_from: date | None, valid_until: date | None) -> bool:
    """Whether `day` falls within the window; an open end is no limit."""
    return (valid_from is None or valid_from <= day) and (valid_until is None or day <= valid_until)


def today_of(now: datetime) -> date:
    """The day an item's validity is judged on: `now`'s date in UTC."""
    return now.astimezone(UTC).date()


def industry_key(industry: str) -> str:
    """The form two spellings of one industry share ("Real  estate" and "real estate")."""
    return " ".join(industry.split()).casefold()


def distinct_industries(industries: Iterable[str]) -> list[str]:
    """The industries as typed, trimmed, without blanks and without a second spelling of one."""
    kept: dict[str, str] = {}
    for industry in industries:
        text = " ".join(industry.split())
        if text:
            kept.setdefault(industry_key(text), text)
    return list(kept.values())


@dataclass(frozen=True)
class Reader:
    """The contact an item would be offered to: their language, their account's industry and
    journey stage."""

    language: str
    industry: str
    stage: str


@dataclass(frozen=True)
class ContentOffer:
    """An item as nurture and check-ins see it: what to send, and whom it suits.

    `industries` holds industry keys (see `industry_key`); empty sets mean every industry, every
    stage.
    """

    id: int
    kind: ContentKind
    title: str
    url: str
    summary: str
    language: str
    industries: frozenset[str] = field(default_factory=frozenset)
    stages: frozenset[str] = field(default_factory=frozenset)
    valid_from: date | None = None
    valid_until: date | None = None
    archived: bool = False


def is_available_to(item: ContentOffer, reader: Reader, now: datetime) -> bool:
    """Whether `item` may be offered to `reader` at `now` (see the module's docstring)."""
    if item.archived or not valid_on(today_of(now), item.valid_from, item.valid_until):
        return False
    if item.language != reader.language:
        return False
    if item.industries and industry_key(reader.industry) not in item.industries:
        return False
    return not item.stages or reader.stage in item.stages


def _best_first(item: ContentOffer) -> tuple[int, int, int]:
    # Written for the reader's industry or stage beats written for everyone; then the newest.
    specific = bool(item.industries) + bool(item.stages)
    return (-specific, -(item.valid_from or date.min).toordinal(), -item.id)


def available_to(
    items: Iterable[ContentOffer], reader: Reader, now: datetime
) -> list[ContentOffer]:
    """The items available to `reader`, those written for them first, then the newest."""
    return sorted((item for item in items if is_available_to(item, reader, now)), key=_best_first)
