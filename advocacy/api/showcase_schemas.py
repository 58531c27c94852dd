"""Request and response shapes of the advocacy endpoints: the library (testimonials, reference
availability) and the work integrations read or complete (check-ins, referrals, survey answers).

Library answers never carry contact data (no e-mail, no phone): a testimonial names its author
only as the client allowed, and the internal ids are null for tokens whose output is published.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from advocacy.api.schemas import (
    CURSOR_PATTERN,
    DEFAULT_LIMIT,
    MAX_LIMIT,
    PageQuery,
    RowId,
    Search,
    _page_of,
    decode_cursor,
)
from advocacy.domain.cadence import CheckInOutcome, CheckInStatus
from advocacy.domain.disclosure import Naming
from advocacy.domain.referrals import ReferralStatus
from advocacy.domain.testimonials import Use
from advocacy.models.accounts import SIZE_BANDS
from advocacy.services.check_ins.work import CHECK_IN_CHANNELS

# Literals built from the product's own lists, so the document and the checks never drift; the
# type checker cannot read a Literal built at run time, so it sees them as the strings they are.
if TYPE_CHECKING:
    SizeBandValue = str
    CheckInChannel = str
else:
    SizeBandValue = Literal[tuple(band for band in SIZE_BANDS if band)]
    CheckInChannel = Literal[tuple(channel.value for channel in CHECK_IN_CHANNELS)]
CountryCode = Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")]
LanguageCode = Literal["en", "fr"]


class CursorQuery(BaseModel):
    """Pagination by `cursor` (from `next`) only: what a reader may see is decided row by row,
    so page numbers could not stay stable."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")
    cursor: str | None = Field(
        None,
        pattern=CURSOR_PATTERN,
        description="Position from a previous page's `next`: the page goes on after it.",
    )

    @field_validator("cursor")
    @classmethod
    def _known_cursor(cls, value: str | None) -> str | None:
        if value is not None:
            decode_cursor(value)
        return value

    @property
    def after_id(self) -> int | None:
        return decode_cursor(self.cursor) if self.cursor else None

    @property
    def page(self) -> None:
        return None


class TestimonialQuery(CursorQuery):
    service_line_id: RowId | None = None
    industry: Search | None = None
    size_band: SizeBandValue | None = Field(None, description="The client account's size band.")
    country: CountryCode | None = Field(None, description="The client account's country.")
    language: LanguageCode | None = Field(None, description="The author's language.")
    permission: Use | None = Field(
        None, description="A use the client allows today (outside the firm: one it shows)."
    )
    min_rating: int | None = Field(None, ge=1, le=5)
    since: AwareDatetime | None = Field(None, description="Changed from then on.")
    tag: Search | None = Field(None, description="An outcome tag, matched whole.")
    q: Search | None = Field(None, description="Part of the quote.")


class TestimonialPublic(BaseModel):
    """A testimonial as the token may show it. `attribution` is the line to print under the
    quote ("" for an anonymised quote with neither role nor sector: print "a client")."""

    id: int
    status: str
    body: str
    body_html: str
    rating: int | None
    naming: Naming
    attribution: str
    author_name: str
    author_title: str
    author_company: str
    industry: str
    language: str
    outcomes: list[str]
    service_line_ids: list[int]
    logo: bool = Field(description="The client allows the company's logo beside it.")
    case_study: bool
    reference_contact: bool
    published_at: datetime | None
    updated_at: datetime
    account_id: int | None = Field(description="Null for publish tokens.")
    contact_id: int | None = Field(description="Null for publish tokens.")


TestimonialList = _page_of(TestimonialPublic)


class ReferenceQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    industry: Search | None = None
    service_line_id: RowId | None = None
    language: LanguageCode | None = None


class ReferencePerson(BaseModel):
    """Someone ready for a reference call, named as on their testimonial (never an e-mail
    address or a phone number: the firm asks them itself)."""

    contact_id: int
    name: str
    title: str
    company: str
    industry: str
    language: str
    service_line_ids: list[int]


class IndustryCount(BaseModel):
    industry: str
    count: int


class ServiceLineCount(BaseModel):
    service_line_id: int
    name: str
    count: int


class LanguageCount(BaseModel):
    language: str
    count: int


class ReferenceAvailabilityPublic(BaseModel):
    """How many clients are ready to speak with a prospect; `people` only for read tokens."""

    total: int
    by_industry: list[IndustryCount]
    by_service_line: list[ServiceLineCount]
    by_language: list[LanguageCount]
    people: list[ReferencePerson]


class CheckInQuery(PageQuery):
    status: CheckInStatus | None = None
    account_id: RowId | None = None
    owner_id: RowId | None = Field(None, description="Administrators only; others see their own.")
    due_before: date | None = Field(None, description="Due on or before this day.")


class CheckInNextLine(BaseModel):
    """A service line to raise in the conversation, and why: chosen when the check-in was made."""

    service_line_id: int
    name: str = Field(description="The line's name when the check-in was made.")
    reason: dict[str, Any] = Field(
        description="Why, as data: `kind` (engaged, co_bought, co_bought_firm_wide, popular, "
        "popular_firm_wide, relevant_to_industry, in_catalogue) and the figures it rests on."
    )
    reason_text: str = Field(description="The reason as a sentence, in the reader's language.")


class CheckInPublic(BaseModel):
    """A planned conversation with an account, and how it was closed."""

    id: int
    account_id: int
    owner_id: int | None
    contact_id: int | None
    kind: str
    rule: str
    status: str
    due_on: date
    outcome: str
    notes: str
    next_step: str
    skip_reason: str
    touchpoint_id: int | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    next_lines: list[CheckInNextLine] = Field(
        default_factory=list,
        description="One or two service lines the client does not know the firm for, to raise "
        "in the conversation, each with its reason; none in a repair conversation nor in "
        "check-ins made before this field existed.",
    )


CheckInList = _page_of(CheckInPublic)


class CheckInCompleteRequest(BaseModel):
    """What happened: the outcome and channel, notes, and optionally who was reached and when
    to talk again (the account's rhythm decides otherwise)."""

    model_config = ConfigDict(extra="forbid")

    outcome: CheckInOutcome
    channel: CheckInChannel
    notes: str = Field("", max_length=5000)
    next_step: str = Field("", max_length=500)
    contact_id: RowId | None = Field(None, description="An active contact of the account.")
    next_on: date | None = None


class ReferralQuery(PageQuery):
    status: ReferralStatus | None = None
    owner_id: RowId | None = None


class ReferralPublic(BaseModel):
    """Someone a client introduced, and where the pipeline stands."""

    id: int
    referrer_contact_id: int
    referrer_account_id: int
    name: str
    email: str
    company: str
    note: str
    intro_preference: str
    status: str
    owner_id: int | None
    prospect_account_id: int | None
    prospect_contact_id: int | None
    lost_reason: str
    thanked_at: datetime | None
    created_at: datetime
    updated_at: datetime


ReferralList = _page_of(ReferralPublic)


class ReferralUpdateRequest(BaseModel):
    """Move the referral along its pipeline; `lost_reason` says why when it is lost."""

    model_config = ConfigDict(extra="forbid")

    status: ReferralStatus
    lost_reason: str = Field("", max_length=500)


class SurveyAnswerQuery(PageQuery):
    account_id: RowId | None = None
    contact_id: RowId | None = None
    kind: Literal["nps", "csat"] | None = None
    since: AwareDatetime | None = Field(None, description="Answered from then on.")


class SurveyAnswerPublic(BaseModel):
    """A client's answer to an NPS or CSAT survey."""

    id: int
    account_id: int
    contact_id: int
    engagement_id: int | None
    kind: str
    trigger: str
    score: int
    comment: str
    answered_at: datetime


SurveyAnswerList = _page_of(SurveyAnswerPublic)
