"""Reading one CSV cell as a value of ours: dates, numbers, booleans, stages and their synonyms.

Files come from HubSpot, Salesforce or a spreadsheet, so the same thing arrives under many names
("Closed Won", "closedwon", "won"). Each parser takes the text of one cell and returns our value
or raises BadValue, whose message says what was expected. Standard library only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Final

from advocacy.domain.errors import RuleError
from advocacy.domain.journey import EngagementStatus, Stage
from advocacy.domain.people import BuyingRole, Seniority
from advocacy.domain.text import N_
from advocacy.domain.touchpoints import Channel, Initiative, TouchpointKind


class BadValue(RuleError):
    """A cell whose text is not a value of the expected kind; the message says what was expected."""


def normalise(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a header or a value."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


# Cells repeat (the same stage, role or status on thousands of rows): remember the last few.
@lru_cache(maxsize=4096)
def _squashed(text: str) -> str:
    return normalise(text).replace(" ", "")


# --- dates -------------------------------------------------------------------------------------

_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_YMD = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


# The orders a slashed date may be read in; ISO dates (2024-03-31) are read whatever the order.
DATE_ORDERS: Final = ("dmy", "mdy")
_NO_SUCH_DAY = N_("Not a date: %(value)s (there is no such day)")


def detect_date_order(texts: Iterable[str]) -> str:
    """The order the slashed dates of a column are written in: day first unless a value can
    only be month first (05/31/2024), or none can be day first."""
    month_first = day_first = False
    for text in texts:
        match = _DMY.match(text.strip().partition(" ")[0])
        if match:
            first, second = int(match.group(1)), int(match.group(2))
            day_first = day_first or first > 12
            month_first = month_first or second > 12
    return "mdy" if month_first and not day_first else "dmy"


def parse_date(text: str, order: str = "dmy") -> date:
    """ISO dates (2024-03-31, also with a time) and slashed or dotted dates in the given order
    (31/03/2024 day first, 03/31/2024 month first)."""
    value = text.strip()
    # A date column often holds a time too ("2022-09-14 08:30"): the day is what counts.
    day_part = re.split(r"[ T]", value, maxsplit=1)[0]
    if match := _YMD.match(day_part):
        year, month, day = (int(part) for part in match.groups())
        return _real_date(year, month, day, value)
    if match := _DMY.match(day_part):
        first, second, year = (int(part) for part in match.groups())
        day, month = (second, first) if order == "mdy" else (first, second)
        return _real_date(year, month, day, value)
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        raise BadValue(
            N_("Not a date: %(value)s (use 2024-03-31 or 31/03/2024)"), value=value
        ) from None


def _real_date(year: int, month: int, day: int, value: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        # The shape is a date's, the day is not on any calendar (30/02/2024, 2024-13-01).
        raise BadValue(_NO_SUCH_DAY, value=value) from None


def parse_datetime(text: str, *, default_tz: tzinfo = UTC, order: str = "dmy") -> datetime:
    """An ISO date-time (with or without offset) or a date with an optional HH:MM; naive → default_tz."""
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" UTC", "+00:00"))
    except ValueError:
        day_part, _, time_part = value.partition(" ")
        day = parse_date(day_part, order)
        hour = minute = second = 0
        if time_part.strip():
            match = _TIME.match(time_part.strip())
            if not match:
                raise BadValue(
                    N_("Not a date and time: %(value)s (use 2024-03-31 14:30)"), value=value
                ) from None
            hour, minute = int(match.group(1)), int(match.group(2))
            second = int(match.group(3) or 0)
        try:
            parsed = datetime(day.year, day.month, day.day, hour, minute, second)
        except ValueError:
            raise BadValue(
                N_("Not a date and time: %(value)s (use 2024-03-31 14:30)"), value=value
            ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=default_tz)
    return parsed.astimezone(UTC)


# --- numbers and booleans ----------------------------------------------------------------------

_TRUE: Final = frozenset({"true", "yes", "y", "1", "x", "oui", "o", "vrai", "on", "checked"})
_FALSE: Final = frozenset({"false", "no", "n", "0", "non", "faux", "off", "unchecked"})


def parse_bool(text: str) -> bool:
    """Yes/no in the forms spreadsheets and CRMs write them (true/false, 1/0, x, oui/non)."""
    value = normalise(text)
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise BadValue(N_("Not yes or no: %(value)s"), value=text.strip())


def parse_int(text: str) -> int:
    value = text.strip()
    try:
        number = Decimal(value.replace(" ", "").replace("\u00a0", ""))
    except InvalidOperation:
        raise BadValue(N_("Not a whole number: %(value)s"), value=value) from None
    if number != number.to_integral_value():
        raise BadValue(N_("Not a whole number: %(value)s"), value=value)
    return int(number)


def parse_decimal(text: str) -> Decimal:
    """Amounts as written in English or French: 1,234.50 / 1 234,50 / €1234 / 1234 EUR."""
    value = re.sub(r"[\s\u00a0\u202f€$£]|[A-Za-z]{3}$|^[A-Za-z]{3}", "", text.strip())
    if "," in value and "." in value:
        # The last separator is the decimal one: 1.234,50 or 1,234.50.
        if value.rfind(",") > value.rfind("."):
            value = value.replace(".", "").replace(",", ".")
        else:
            value = value.replace(",", "")
    elif "," in value:
        whole, _, fraction = value.rpartition(",")
        value = value.replace(",", "") if len(fraction) == 3 and whole else value.replace(",", ".")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise BadValue(N_("Not an amount: %(value)s"), value=text.strip()) from None
    if not number.is_finite():
        raise BadValue(N_("Not an amount: %(value)s"), value=text.strip())
    return number


# --- words with synonyms -----------------------------------------------------------------------


def _table(entries: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """Synonym → value, keyed by the squashed form so "Closed Won" and "closedwon" both match."""
    return {_squashed(word): value for value, words in entries.items() for word in (value, *words)}


STAGE_SYNONYMS: Final = _table(
    {
        Stage.PROSPECT: (
            "pre-purchase", "lead", "subscriber", "marketing qualified lead", "mql",
            "sales qualified lead", "sql", "opportunity", "prospect client", "suspect",
        ),
        Stage.ACTIVE: (
            "customer", "client", "active client", "active customer", "engagement",
            "customer - direct", "customer - channel", "client actif", "current client",
        ),
        Stage.BETWEEN: (
            "between engagements", "dormant", "inactive client", "inactive customer",
            "entre deux missions", "between projects",
        ),
        Stage.FORMER: (
            "former client", "former customer", "past client", "past customer", "ex-client",
            "ex-customer", "churned", "lost customer", "ancien client",
        ),
    }
)  # fmt: skip

STATUS_SYNONYMS: Final = _table(
    {
        EngagementStatus.PROPOSED: (
            "proposal", "open", "prospecting", "qualification", "needs analysis",
            "value proposition", "proposal/price quote", "negotiation/review",
            "appointment scheduled", "qualified to buy", "presentation scheduled",
            "decision maker bought-in", "contract sent", "en cours de proposition",
        ),
        EngagementStatus.WON: ("closed won", "signed", "gagne", "sold"),
        EngagementStatus.LOST: ("closed lost", "no way", "perdu", "rejected"),
        EngagementStatus.DEFERRED: ("not now", "on hold", "postponed", "reporte", "later"),
        EngagementStatus.ACTIVE: ("in progress", "ongoing", "started", "running", "en cours"),
        EngagementStatus.COMPLETED: ("done", "delivered", "finished", "closed", "termine"),
        EngagementStatus.CANCELLED: ("canceled", "annule", "aborted"),
    }
)  # fmt: skip

SENIORITY_SYNONYMS: Final = _table(
    {
        Seniority.BOARD: ("board member", "chair", "chairman", "non-executive director"),
        Seniority.C_LEVEL: (
            "c-level", "c level", "cxo", "c-suite", "executive", "ceo", "cfo", "coo", "cio", "cto",
        ),
        Seniority.VP_DIRECTOR: ("vp", "vice president", "director", "head", "vp/director"),
        Seniority.MANAGER: ("management", "team lead", "responsable"),
        Seniority.INDIVIDUAL: ("individual contributor", "staff", "employee", "entry level"),
    }
)  # fmt: skip

ROLE_SYNONYMS: Final = _table(
    {
        BuyingRole.DECISION_MAKER: (
            "decision maker", "economic decision maker", "economic buyer", "decideur",
        ),
        BuyingRole.SPONSOR: ("executive sponsor", "champion", "sponsor executif"),
        BuyingRole.USER: ("business user", "end user", "evaluator", "technical buyer", "utilisateur"),
        BuyingRole.PROCUREMENT: ("purchasing", "buyer", "achats"),
        BuyingRole.COMPLIANCE: ("legal", "risk", "conformite"),
        BuyingRole.CSR: ("sustainability", "csr/sustainability", "esg", "rse"),
        BuyingRole.FINANCE: ("finance", "financial", "controller"),
        BuyingRole.OTHER: ("influencer", "autre"),
    }
)  # fmt: skip

KIND_SYNONYMS: Final = _table(
    {
        TouchpointKind.MEETING: ("meeting", "rendez-vous", "reunion", "visit"),
        TouchpointKind.CALL: ("phone call", "call", "appel"),
        TouchpointKind.EMAIL: ("e-mail", "email", "mail", "courriel"),
        TouchpointKind.EVENT: ("event", "webinar", "conference", "evenement"),
        TouchpointKind.SURVEY: ("survey", "nps", "questionnaire"),
        TouchpointKind.TESTIMONIAL: ("testimonial", "quote", "temoignage"),
        TouchpointKind.REFERRAL: ("referral", "recommendation"),
        TouchpointKind.CONTENT: ("content", "newsletter", "article"),
        TouchpointKind.PROPOSAL: ("proposal", "rfp", "quote request"),
        TouchpointKind.PRESS: ("press", "media"),
        TouchpointKind.NOTE: ("note", "task", "other", "comment"),
    }
)

INITIATIVE_SYNONYMS: Final = _table(
    {
        Initiative.CLIENT: ("inbound", "incoming", "from client", "client-initiated"),
        Initiative.FIRM: ("outbound", "outgoing", "from us", "us", "firm-initiated"),
        Initiative.EXTERNAL: ("third party", "press", "external"),
    }
)

CHANNEL_SYNONYMS: Final = _table(
    {
        Channel.IN_PERSON: ("in person", "face to face", "on site", "onsite"),
        Channel.PHONE: ("phone", "call", "telephone"),
        Channel.VIDEO: ("video", "zoom", "teams", "visio", "video call"),
        Channel.EMAIL: ("e-mail", "email", "mail"),
        Channel.WEB: ("web", "website", "online"),
        Channel.EVENT: ("event",),
        Channel.SOCIAL: ("social", "linkedin", "twitter"),
        Channel.OTHER: ("other",),
    }
)

LANGUAGE_SYNONYMS: Final = _table(
    {"en": ("english", "anglais", "en-gb", "en-us"), "fr": ("french", "francais", "fr-fr")}
)


def parse_word(text: str, synonyms: Mapping[str, str], unknown: str) -> str:
    """The value a word or one of its synonyms stands for; else BadValue(unknown, value=text)."""
    found = synonyms.get(_squashed(text))
    if found is None:
        raise BadValue(unknown, value=text.strip())
    return found


def parse_words(text: str, synonyms: Mapping[str, str], unknown: str) -> list[str]:
    """A multi-valued cell ("Decision Maker;Finance"): values in order, without repeats."""
    values: list[str] = []
    for part in re.split(r"[;,|\n]", text):
        if part.strip():
            value = parse_word(part, synonyms, unknown)
            if value not in values:
                values.append(value)
    return values


def split_list(text: str) -> list[str]:
    """Names separated by ; | or newlines (commas may be part of a name)."""
    names: list[str] = []
    for part in re.split(r"[;|\n]", text):
        if part.strip() and part.strip() not in names:
            names.append(part.strip())
    return names


SIZE_BANDS: Final = (
    (10, "1-10"),
    (50, "11-50"),
    (200, "51-200"),
    (1000, "201-1000"),
    (5000, "1001-5000"),
)


def parse_size_band(text: str) -> str:
    """A size band as we write it ("51-200"), or a head count turned into its band."""
    value = text.strip().replace(" ", "").replace("\u00a0", "")
    if value in {band for _, band in SIZE_BANDS} | {"5000+"}:
        return value
    try:
        count = parse_int(value)
    except BadValue:
        raise BadValue(N_("Unknown company size: %(value)s"), value=text.strip()) from None
    return next((band for top, band in SIZE_BANDS if count <= top), "5000+")
