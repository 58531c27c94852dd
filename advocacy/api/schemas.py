"""Request and response shapes of the API, derived from the models' Create/Update/Public schemas.

Requests are parsed with strict copies of the Create/Update models (unknown fields are refused);
list filters are pydantic models too, so the OpenAPI parameters come from the same definitions.
"""

from __future__ import annotations

import re
import types
import typing
from datetime import date
from typing import Annotated, Any, TypeVar, cast

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    create_model,
    field_validator,
)

from advocacy.domain.awareness import Awareness
from advocacy.domain.content import MAX_INDUSTRY_LENGTH, ContentKind, ContentLanguage
from advocacy.domain.journey import Camp, EngagementStatus, Stage
from advocacy.domain.paging import first_row
from advocacy.domain.people import ContactStatus
from advocacy.domain.touchpoints import Initiative, TouchpointKind
from advocacy.models import (
    AccountCreate,
    AccountPublic,
    AccountUpdate,
    ContactCreate,
    ContactPublic,
    ContactUpdate,
    ContentItemPublic,
    EngagementCreate,
    EngagementPublic,
    EngagementUpdate,
    ServiceLineCreate,
    ServiceLinePublic,
    ServiceLineUpdate,
    TouchpointCreate,
    TouchpointPublic,
)

MAX_ID = 2**31 - 1
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
M = TypeVar("M", bound=type[BaseModel])
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
Search = Annotated[str, Field(min_length=1, max_length=200)]
CURSOR_PATTERN = "^[0-9]{1,10}$"
_CURSOR = re.compile(r"[0-9]{1,10}")


def _forbid_extra(model: M, **fields: Any) -> M:
    """A copy of `model` that refuses unknown fields, with `fields` (annotation, default) added
    or replaced."""
    namespace: dict[str, Any] = {
        "model_config": ConfigDict(extra="forbid"),
        "__module__": __name__,
        "__annotations__": {key: value[0] for key, value in fields.items()},
        **{key: value[1] for key, value in fields.items()},
    }
    if model.__doc__:
        namespace["__doc__"] = model.__doc__
    return types.new_class(model.__name__, (model,), {}, lambda ns: ns.update(namespace))  # type: ignore[return-value]


def _accepts_none(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(
        None
    ) in typing.get_args(annotation)


def _without_none(annotation: Any) -> Any:
    kept = tuple(arg for arg in typing.get_args(annotation) if arg is not type(None))
    return kept[0] if len(kept) == 1 else typing.Union[kept]  # noqa: UP007


def _no_default(schema: dict[str, Any]) -> None:
    # Left out means "unchanged": there is no default value to show, and null is not allowed.
    schema.pop("default", None)


def _patch_of(update: M, public: type[BaseModel]) -> M:
    """A strict copy of an Update model: a field may be left out, but set to null only when the
    stored value may be empty (as the Public model says), so the schema shows it too."""
    required = {
        name: (_without_none(info.annotation), Field(None, json_schema_extra=_no_default))
        for name, info in cast(type[BaseModel], update).model_fields.items()
        if name in public.model_fields
        and _accepts_none(info.annotation)
        and not _accepts_none(public.model_fields[name].annotation)
    }
    return _forbid_extra(update, **required)


AccountCreateRequest = _forbid_extra(AccountCreate)
AccountUpdateRequest = _patch_of(AccountUpdate, AccountPublic)
# Built at run time with a field their model lacks (account_id): typed Any, as they are dynamic.
ContactCreateRequest: Any = _forbid_extra(ContactCreate, account_id=(RowId, ...))
ContactUpdateRequest = _patch_of(ContactUpdate, ContactPublic)
EngagementCreateRequest: Any = _forbid_extra(
    EngagementCreate,
    account_id=(RowId, ...),
    service_line_ids=(list[RowId], []),
    contact_ids=(list[RowId], []),
)
# Lists of ids carry the id range in the document, as single ids do.
EngagementUpdateRequest = _forbid_extra(
    _patch_of(EngagementUpdate, EngagementPublic),
    service_line_ids=(list[RowId], Field(None, json_schema_extra=_no_default)),
    contact_ids=(list[RowId], Field(None, json_schema_extra=_no_default)),
)
TouchpointCreateRequest: Any = _forbid_extra(TouchpointCreate, account_id=(RowId, ...))
ServiceLineCreateRequest = _forbid_extra(ServiceLineCreate)
ServiceLineUpdateRequest = _patch_of(ServiceLineUpdate, ServiceLinePublic)


def encode_cursor(last_id: int) -> str:
    return str(last_id)


def decode_cursor(cursor: str) -> int:
    """The id a cursor continues after; ValueError for anything that is not one.

    A cursor is the last id of the previous page, so every value the OpenAPI document allows
    is a valid position: one past every row gives an empty page, not a refusal.
    """
    if not _CURSOR.fullmatch(cursor):
        raise ValueError("not a cursor from this API")
    return min(int(cursor), MAX_ID)


class PageQuery(BaseModel):
    """Pagination: `cursor` (from `next`) or `page` (ignored with a cursor), with up to `limit`
    items per page."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")
    cursor: str | None = Field(
        None,
        pattern=CURSOR_PATTERN,
        description="Position from a previous page's `next`: the page goes on after it.",
    )
    page: int | None = Field(None, ge=1, le=100_000, description="Page number (from 1).")

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
    def offset(self) -> int:
        # A cursor names the position itself: with one, a page number is not also applied.
        return first_row(self.page, self.limit) if self.page and not self.cursor else 0


class AccountQuery(PageQuery):
    stage: Stage | None = None
    owner_id: RowId | None = None
    industry: Search | None = None
    camp: Camp | None = None
    q: Search | None = Field(None, description="Part of the account's name.")
    updated_since: AwareDatetime | None = None


class ContactQuery(PageQuery):
    account_id: RowId | None = None
    status: ContactStatus | None = None
    email: Search | None = Field(None, description="Exact e-mail address (not for marketing).")
    updated_since: AwareDatetime | None = None


class EngagementQuery(PageQuery):
    account_id: RowId | None = None
    status: EngagementStatus | None = None
    updated_since: AwareDatetime | None = None


class TouchpointQuery(PageQuery):
    account_id: RowId | None = None
    contact_id: RowId | None = None
    kind: TouchpointKind | None = None
    initiative: Initiative | None = None
    since: AwareDatetime | None = Field(None, description="Touchpoints that occurred from then on.")


class ServiceLineQuery(PageQuery):
    active: bool | None = None


class ContentQuery(PageQuery):
    service_line_id: RowId | None = Field(None, description="Items that introduce this line.")
    kind: ContentKind | None = None
    language: ContentLanguage | None = None
    industry: Annotated[str, Field(min_length=1, max_length=MAX_INDUSTRY_LENGTH)] | None = Field(
        None, description="Items that suit this industry: written for it or for every industry."
    )
    stage: Stage | None = Field(
        None, description="Items that suit this journey stage: written for it or for every stage."
    )
    valid_on: date | None = Field(None, description="Items valid on this day.")
    archived: bool = Field(False, description="Archived items instead of those in use.")
    q: Search | None = Field(None, description="Words in the title or summary.")


def _page_of(public: type[BaseModel]) -> type[BaseModel]:
    name = public.__name__.removesuffix("Public") + "List"
    return create_model(
        name,
        __module__=__name__,
        __doc__="One page of results; follow `next` for the following page (null on the last).",
        items=(list[public], ...),  # type: ignore[valid-type]
        next=(str | None, None),
    )


AccountList = _page_of(AccountPublic)
ContactList = _page_of(ContactPublic)
EngagementList = _page_of(EngagementPublic)
TouchpointList = _page_of(TouchpointPublic)
ServiceLineList = _page_of(ServiceLinePublic)
ContentItemList = _page_of(ContentItemPublic)


class LineAwarenessItem(BaseModel):
    """How the account knows one active service line; dates are the latest of each kind."""

    service_line_id: int
    name: str
    state: Awareness = Field(
        description="unaware, introduced (we told them), engaged (they showed interest) or "
        "bought (an engagement in that line was sold)."
    )
    relevant: bool = Field(
        description="Whether the line counts in the account's typecasting index (its relevance "
        "to the account's industry reaches the threshold)."
    )
    introduced_at: AwareDatetime | None = None
    engaged_at: AwareDatetime | None = None
    bought_at: AwareDatetime | None = None


class AccountAwarenessPublic(BaseModel):
    """What an account knows the firm for, line by line, and its typecasting index."""

    account_id: int
    typecasting_index: float | None = Field(
        description="Share (0 to 1) of the relevant lines the account knows the firm for "
        "(bought or engaged); null when no line is relevant. See docs/metrics.md."
    )
    lines: list[LineAwarenessItem]
