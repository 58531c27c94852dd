"""The one consent policy: what of a testimonial may be shown to whom.

Every surface (staff pages, the marketing library, the JSON API, exports, the public wall) asks
this module and nothing else, so a client's withdrawal holds everywhere at once. The caller passes
the uses that are live *today* (withdrawn and expired permissions already left out).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from advocacy.domain.testimonials import USABLE, Use


class Audience(StrEnum):
    """Who is looking: inside the firm, an integration, or the outside world."""

    STAFF = "staff"  # staff pages and the marketing library
    API_INTERNAL = "api_internal"  # a token for the firm's own tools
    API_PUBLIC = "api_public"  # a token whose output may be published (website, CMS)
    EXPORT = "export"  # collections exported for proposals and decks: they leave the firm
    WALL = "wall"  # the embeddable wall on the firm's website


class Naming(StrEnum):
    NOTHING = "nothing"
    ANONYMISED = "anonymised"
    NAMED = "named"


INTERNAL_AUDIENCES: Final = frozenset({Audience.STAFF, Audience.API_INTERNAL})
# Surfaces that put the quote in front of the public at once (the website through its token, the
# wall): only what marketing published. Exports are reviewed by people first: approved will do.
PUBLISHED_ONLY: Final = frozenset({Audience.API_PUBLIC, Audience.WALL})
# Statuses whose text the client approved as it stands (the testimonial workflow's "usable").
APPROVED_STATUSES: Final = frozenset(status.value for status in USABLE)


@dataclass(frozen=True)
class Disclosure:
    """What may be shown: the naming of the quote, and which extras go with it."""

    naming: Naming = Naming.NOTHING
    logo: bool = False
    case_study: bool = False
    reference_contact: bool = False

    @property
    def shown(self) -> bool:
        return self.naming is not Naming.NOTHING


NOTHING: Final = Disclosure()


def statuses_shown_to(audience: Audience) -> frozenset[str]:
    """The statuses `audience` may ever see: a query may narrow to them; `disclose` still decides."""
    return frozenset({"published"}) if audience in PUBLISHED_ONLY else APPROVED_STATUSES


def disclose(status: str, uses: Iterable[Use | str], audience: Audience) -> Disclosure:
    """Decide what of one testimonial `audience` may see, from its status and today's live uses.

    Inside the firm, any live use lets staff read it under the name the client gave (they know
    the client); outside, only a public use does, named or anonymised as allowed, and only once
    published (the wall, the website's API token) or approved (exports for proposals).
    Reference contacts never leave the firm: they are people to call, not content.
    """
    live = {Use(use) for use in uses}
    if status not in statuses_shown_to(audience) or not live:
        return NOTHING
    if audience in INTERNAL_AUDIENCES:
        return Disclosure(
            naming=Naming.NAMED,
            logo=Use.LOGO in live,
            case_study=Use.CASE_STUDY in live,
            reference_contact=Use.REFERENCE_CALLS in live,
        )
    if Use.NAMED_PUBLIC in live:
        naming = Naming.NAMED
    elif Use.ANONYMISED_PUBLIC in live:
        naming = Naming.ANONYMISED
    else:
        return NOTHING
    return Disclosure(
        naming=naming,
        # A logo names the company: never beside an anonymised quote.
        logo=naming is Naming.NAMED and Use.LOGO in live,
        case_study=Use.CASE_STUDY in live,
    )


@dataclass(frozen=True)
class Author:
    name: str
    title: str
    company: str
    industry: str


def attribution(disclosure: Disclosure, author: Author) -> str:
    """The line under the quote, as the client allowed it ("" when it may not be shown)."""
    if disclosure.naming is Naming.NAMED:
        return ", ".join(part for part in (author.name, author.title, author.company) if part)
    if disclosure.naming is Naming.ANONYMISED:
        # A role and a sector, never a name or a company: "CFO, industrial group". With neither,
        # the caller shows its own translated "a client".
        return ", ".join(part for part in (author.title, author.industry) if part)
    return ""
