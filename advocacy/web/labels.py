"""What the journey's codes are called on the pages, in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from babel.dates import get_datetime_format
from flask import Blueprint
from flask_babel import (
    format_currency,
    format_date,
    format_percent,
    format_time,
    get_locale,
    pgettext,
)
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from wtforms import SelectChoice

from advocacy.domain.awareness import Awareness
from advocacy.domain.content import ContentKind, ContentLanguage
from advocacy.domain.journey import Camp, EngagementStatus, Stage
from advocacy.domain.people import BuyingRole, ConsentBasis, ContactStatus, Seniority
from advocacy.domain.touchpoints import Channel, Initiative, TouchpointKind
from advocacy.web.campaign_labels import CAMPAIGN_LABELS

# Plain "E-mail" is a form label (the address); as a touchpoint kind or a channel it is the medium,
# which other languages name differently. The lambda keeps it lazy and lets pybabel extract it.
EMAIL_MEDIUM = LazyString(lambda: pgettext("medium", "E-mail"))

LABELS: Mapping[str, Mapping[str, Any]] = {
    # In the "awareness" context: "Introduced" names a referred person elsewhere.
    "awareness": {
        Awareness.UNAWARE: LazyString(lambda: pgettext("awareness", "Unaware")),
        Awareness.INTRODUCED: LazyString(lambda: pgettext("awareness", "Introduced")),
        Awareness.ENGAGED: LazyString(lambda: pgettext("awareness", "Engaged")),
        Awareness.BOUGHT: LazyString(lambda: pgettext("awareness", "Bought")),
    },
    "stage": {
        Stage.PROSPECT: _l("Prospect"),
        Stage.ACTIVE: _l("Active client"),
        Stage.BETWEEN: _l("Between engagements"),
        Stage.FORMER: _l("Former client"),
    },
    "camp": {
        Camp.GOOD: _l("Good experience"),
        Camp.BAD: _l("Bad experience"),
        Camp.UNKNOWN: _l("Unknown"),
    },
    "engagement_status": {
        EngagementStatus.PROPOSED: _l("Proposed"),
        EngagementStatus.WON: _l("Won"),
        EngagementStatus.LOST: _l("Lost (no way)"),
        EngagementStatus.DEFERRED: _l("Deferred (not now)"),
        EngagementStatus.ACTIVE: _l("Active"),
        EngagementStatus.COMPLETED: _l("Completed"),
        EngagementStatus.CANCELLED: _l("Cancelled"),
    },
    "role": {
        BuyingRole.DECISION_MAKER: _l("Decision maker"),
        BuyingRole.SPONSOR: _l("Sponsor"),
        BuyingRole.USER: _l("User"),
        BuyingRole.PROCUREMENT: _l("Procurement"),
        BuyingRole.COMPLIANCE: _l("Compliance"),
        BuyingRole.CSR: _l("CSR / sustainability"),
        BuyingRole.FINANCE: _l("Finance"),
        BuyingRole.OTHER: _l("Other"),
        "": _l("No role recorded"),
    },
    "seniority": {
        Seniority.BOARD: _l("Board"),
        Seniority.C_LEVEL: _l("C-level"),
        Seniority.VP_DIRECTOR: _l("VP / director"),
        Seniority.MANAGER: _l("Manager"),
        Seniority.INDIVIDUAL: _l("Individual contributor"),
    },
    "consent_basis": {
        "": _l("No: no basis recorded"),
        ConsentBasis.CONSENT: _l("Yes: they opted in"),
        ConsentBasis.LEGITIMATE_INTEREST: _l("Yes: legitimate interest (existing client)"),
        ConsentBasis.CONTRACT: _l("Yes: needed for an engagement"),
    },
    "contact_status": {
        ContactStatus.ACTIVE: _l("Active"),
        ContactStatus.LEFT: _l("Left"),
        ContactStatus.RETIRED: _l("Retired"),
    },
    "kind": {
        TouchpointKind.MEETING: _l("Meeting"),
        TouchpointKind.CALL: _l("Call"),
        TouchpointKind.EMAIL: EMAIL_MEDIUM,
        TouchpointKind.EVENT: _l("Event"),
        TouchpointKind.SURVEY: _l("Survey"),
        TouchpointKind.TESTIMONIAL: _l("Testimonial"),
        TouchpointKind.REFERRAL: _l("Referral"),
        TouchpointKind.CONTENT: _l("Content"),
        TouchpointKind.PROPOSAL: _l("Proposal"),
        TouchpointKind.PRESS: _l("Press"),
        TouchpointKind.NOTE: _l("Note"),
    },
    "initiative": {
        Initiative.CLIENT: _l("Started by the client"),
        Initiative.FIRM: _l("Started by us"),
        Initiative.EXTERNAL: _l("From outside"),
    },
    "channel": {
        Channel.IN_PERSON: _l("In person"),
        Channel.PHONE: _l("Phone"),
        Channel.VIDEO: _l("Video"),
        Channel.EMAIL: EMAIL_MEDIUM,
        Channel.WEB: _l("Web"),
        Channel.EVENT: _l("Event"),
        Channel.SOCIAL: _l("Social media"),
        Channel.OTHER: _l("Other"),
    },
    "content_kind": {
        ContentKind.ARTICLE: _l("Article"),
        ContentKind.CASE_STUDY: _l("Case study"),
        ContentKind.WEBINAR: _l("Webinar"),
        ContentKind.EVENT: _l("Event"),
        ContentKind.WHITE_PAPER: _l("White paper"),
        ContentKind.SHORT_NOTE: _l("Short note"),
    },
    "content_language": {
        ContentLanguage.EN: _l("English"),
        ContentLanguage.FR: _l("French"),
    },
    **CAMPAIGN_LABELS,
}


def label(kind: str, value: str | None) -> Any:
    """The name of a code on the page; the code itself when it is unknown (old data)."""
    if value is None:
        return ""
    return LABELS.get(kind, {}).get(value, value)


# The rules that move an account on their own (StageChange.rule): ids for the code, names for people.
JOURNEY_RULES: Mapping[str, Any] = {
    "engagement.live": _l("Automatic: follows the engagements"),
    "engagement.last_completed": _l("Automatic: follows the engagements"),
    "journey.silence": _l("Automatic: no engagement for a long time"),
    "import": _l("Automatic: import"),
}


def journey_rule(rule: str) -> Any:
    """Who moved an account when no person did: the rule's name, never its id."""
    return JOURNEY_RULES.get(rule, _l("Automatic"))


def choices(kind: str, values: Iterable[StrEnum] | None = None, *, blank: Any = None) -> list:
    """Select options for the codes of `kind`, optionally after a blank first option."""
    names = LABELS[kind]
    options = [SelectChoice("", blank)] if blank is not None else []
    for value in values if values is not None else [v for v in names if v]:
        options.append(SelectChoice(str(value), names[value]))
    return options


def day(value: date | None) -> str:
    """A calendar date in the reader's language; a dash when there is none."""
    return format_date(value, "medium") if value else "—"


def moment(value: datetime | None) -> str:
    """A point in time in the reader's language and time zone; a dash when there is none.

    The date reads exactly as `day` writes it and the time is to the minute, so a page shows one
    date format whether a column holds days or moments. Babel's own "medium" date-time would add
    seconds and its "short" one a numeric date: mixing them gave two formats on one page.
    """
    if value is None:
        return "—"
    pattern = get_datetime_format("medium", locale=get_locale())
    return (
        str(pattern)
        .replace("'", "")
        .replace("{0}", format_time(value, "short"))
        .replace("{1}", format_date(value, "medium"))
    )


def month(value: datetime | None) -> str:
    """A month and year in the reader's language ("March 2026", "mars 2026")."""
    return format_date(value, "LLLL y") if value else "—"


def share(value: float | None) -> str:
    """A share as a percentage in the reader's language; a dash when there is none."""
    return format_percent(value) if value is not None else "—"


def money(value: Decimal | None, currency: str) -> str:
    if value is None:
        return "—"
    try:
        return format_currency(value, currency)
    except (ValueError, LookupError):
        return f"{value} {currency}"


def install(bp: Blueprint) -> None:
    """Make the labels and formats available to every template of the app."""
    bp.add_app_template_global(label, "label")
    bp.add_app_template_global(journey_rule, "journey_rule")
    bp.add_app_template_filter(day, "day")
    bp.add_app_template_filter(moment, "localtime")
    bp.add_app_template_filter(month, "month")
    bp.add_app_template_filter(share, "share")
    bp.add_app_template_global(money, "money")
