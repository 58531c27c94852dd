"""Content library aggregate: the articles, case studies, webinars... marketing offers clients.

Every multi-valued field is a table of rows, not a JSON list, so that nurture can ask "what is
there for Tax, in French, for banks between engagements?" with plain indexed joins on both
databases:

- `content_item_service_lines`: the service lines an item introduces (one or more);
- `content_item_industries`: the industries it was written for, none meaning every industry.
  Account industries are free text, so each row keeps the spelling shown and a folded key
  (`domain.content.industry_key`) that queries compare, indexed;
- `content_item_stages`: the journey stages it suits, none meaning every stage.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, StringConstraints, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from advocacy.domain.content import (
    MAX_INDUSTRIES,
    MAX_INDUSTRY_LENGTH,
    MAX_SUMMARY_LENGTH,
    MAX_TITLE_LENGTH,
    MAX_URL_LENGTH,
    ContentKind,
    ContentLanguage,
    distinct_industries,
    url_problem,
    window_problem,
)
from advocacy.domain.journey import Stage
from advocacy.models.fields import Name, Text
from advocacy.models.types import UTCDateTime


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _web_address(value: str) -> str:
    problem = url_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


WebAddress = Annotated[
    str,
    BeforeValidator(_strip),
    StringConstraints(min_length=1, max_length=MAX_URL_LENGTH),
    AfterValidator(_web_address),
]
Summary = Annotated[Text, StringConstraints(max_length=MAX_SUMMARY_LENGTH)]
IndustryName = Annotated[Text, StringConstraints(max_length=MAX_INDUSTRY_LENGTH)]
Industries = Annotated[
    list[IndustryName],
    PydanticField(max_length=MAX_INDUSTRIES),
    AfterValidator(distinct_industries),
]
ServiceLineIds = Annotated[list[int], PydanticField(min_length=1, max_length=100)]


class ContentItemBase(SQLModel):
    title: Name = Field(max_length=MAX_TITLE_LENGTH)
    url: WebAddress = Field(max_length=MAX_URL_LENGTH)
    summary: Summary = Field(default="", max_length=MAX_SUMMARY_LENGTH)
    valid_from: date | None = Field(default=None)
    valid_until: date | None = Field(default=None, index=True)


class ContentItem(ContentItemBase, table=True):
    __tablename__ = "content_items"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, index=True)
    language: str = Field(max_length=2, index=True)
    # Archived items stay for the record (what was sent, when) but are offered to nobody.
    archived: bool = Field(default=False, index=True)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    updated_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ContentItemCreate(ContentItemBase):
    kind: ContentKind
    language: ContentLanguage = ContentLanguage.EN
    service_line_ids: ServiceLineIds
    industries: Industries = []
    stages: list[Stage] = []

    @model_validator(mode="after")
    def _check(self) -> ContentItemCreate:
        problem = window_problem(self.valid_from, self.valid_until)
        if problem is not None:
            raise ValueError(problem)
        self.stages = list(dict.fromkeys(self.stages))
        self.service_line_ids = list(dict.fromkeys(self.service_line_ids))
        return self


class ContentItemUpdate(SQLModel):
    kind: ContentKind | None = None
    language: ContentLanguage | None = None
    title: Name | None = None
    url: WebAddress | None = None
    summary: Summary | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    service_line_ids: ServiceLineIds | None = None
    industries: Industries | None = None
    stages: list[Stage] | None = None


class ContentItemPublic(ContentItemBase):
    id: int
    kind: ContentKind
    language: ContentLanguage
    service_line_ids: list[int]
    industries: list[str]
    stages: list[Stage]
    archived: bool
    created_by_id: int | None
    updated_by_id: int | None
    created_at: datetime
    updated_at: datetime


class ContentItemServiceLine(SQLModel, table=True):
    """A service line an item introduces."""

    __tablename__ = "content_item_service_lines"
    __table_args__ = (
        UniqueConstraint("content_item_id", "service_line_id", name="uq_content_item_line"),
    )

    id: int | None = Field(default=None, primary_key=True)
    content_item_id: int = Field(foreign_key="content_items.id", index=True, ondelete="CASCADE")
    service_line_id: int = Field(foreign_key="service_lines.id", index=True)


class ContentItemIndustry(SQLModel, table=True):
    """An industry an item was written for, as typed and as compared."""

    __tablename__ = "content_item_industries"
    __table_args__ = (
        UniqueConstraint("content_item_id", "industry_key", name="uq_content_item_industry"),
    )

    id: int | None = Field(default=None, primary_key=True)
    content_item_id: int = Field(foreign_key="content_items.id", index=True, ondelete="CASCADE")
    industry: str = Field(max_length=MAX_INDUSTRY_LENGTH)
    # Folding may lengthen a word ("ﬃ" becomes "ffi"): room for the longest it can become.
    industry_key: str = Field(max_length=3 * MAX_INDUSTRY_LENGTH, index=True)


class ContentItemStage(SQLModel, table=True):
    """A journey stage an item suits."""

    __tablename__ = "content_item_stages"
    __table_args__ = (UniqueConstraint("content_item_id", "stage", name="uq_content_item_stage"),)

    id: int | None = Field(default=None, primary_key=True)
    content_item_id: int = Field(foreign_key="content_items.id", index=True, ondelete="CASCADE")
    stage: str = Field(max_length=16, index=True)
