"""Queries of the content library: items with their service lines, industries and stages, the
filtered list, and what nurture may offer now. Add and flush, never commit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, literal, or_, union_all
from sqlmodel import Session, col, delete, select
from sqlmodel.sql.expression import SelectOfScalar

from advocacy.domain.content import (
    ContentKind,
    ContentOffer,
    distinct_industries,
    industry_key,
    today_of,
)
from advocacy.domain.paging import Pager, pager
from advocacy.models import (
    Account,
    ContentItem,
    ContentItemIndustry,
    ContentItemServiceLine,
    ContentItemStage,
    ServiceLineIndustry,
)
from advocacy.repository import contains_text, get_row

# Links per item are read in one statement: industries and stages side by side, told apart.
_INDUSTRY, _STAGE = "industry", "stage"


def get_item(session: Session, item_id: int) -> ContentItem:
    return get_row(session, ContentItem, item_id)


@dataclass(frozen=True)
class ContentFilter:
    """What the list shows. Industry and stage mean "may be offered there": written for it, or
    for every industry (stage). `archived`: False for the items in use, True for the archived
    ones, None for both."""

    service_line_id: int | None = None
    kind: str | None = None
    language: str | None = None
    industry: str | None = None
    stage: str | None = None
    valid_on: date | None = None
    text: str = ""
    archived: bool | None = False


@dataclass
class ContentLinks:
    """The multi-valued fields of one item."""

    service_line_ids: list[int] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)


def _valid_on(day: date) -> ColumnElement[bool]:
    return and_(
        or_(col(ContentItem.valid_from).is_(None), col(ContentItem.valid_from) <= day),
        or_(col(ContentItem.valid_until).is_(None), col(ContentItem.valid_until) >= day),
    )


def _suits(link: Any, value_column: Any, value: str) -> ColumnElement[bool]:
    """The item has no row in `link` (it suits every value), or one equal to `value`."""
    mine = link.content_item_id == ContentItem.id
    return or_(
        ~exists().where(mine),
        exists().where(mine, value_column == value),
    )


def filtered(session: Session, wanted: ContentFilter) -> SelectOfScalar[ContentItem]:
    """The items `wanted` asks for, unordered."""
    query = select(ContentItem)
    if wanted.archived is not None:
        query = query.where(ContentItem.archived == wanted.archived)
    if wanted.kind:
        query = query.where(ContentItem.kind == wanted.kind)
    if wanted.language:
        query = query.where(ContentItem.language == wanted.language)
    if wanted.service_line_id is not None:
        query = query.where(
            exists().where(
                col(ContentItemServiceLine.content_item_id) == ContentItem.id,
                col(ContentItemServiceLine.service_line_id) == wanted.service_line_id,
            )
        )
    if wanted.industry:
        query = query.where(
            _suits(
                ContentItemIndustry,
                ContentItemIndustry.industry_key,
                industry_key(wanted.industry),
            )
        )
    if wanted.stage:
        query = query.where(_suits(ContentItemStage, ContentItemStage.stage, wanted.stage))
    if wanted.valid_on is not None:
        query = query.where(_valid_on(wanted.valid_on))
    if wanted.text.strip():
        text = wanted.text.strip()
        query = query.where(
            or_(
                contains_text(session, ContentItem.title, text),
                contains_text(session, ContentItem.summary, text),
            )
        )
    return query


@dataclass(frozen=True)
class ContentRow:
    item: ContentItem
    links: ContentLinks


@dataclass(frozen=True)
class ContentPage:
    rows: list[ContentRow]
    total: int
    pager: Pager


def list_content(session: Session, wanted: ContentFilter, *, page: int, size: int) -> ContentPage:
    """One page of the filtered items, the most recently changed first (four queries)."""
    query = filtered(session, wanted)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    shown = pager(total, page, size)
    items = list(
        session.exec(
            query.order_by(col(ContentItem.updated_at).desc(), col(ContentItem.id).desc())
            .offset(shown.offset)
            .limit(size)
        )
    )
    links = links_of(session, [item.id for item in items if item.id is not None])
    rows = [ContentRow(item, links[item.id or 0]) for item in items]
    return ContentPage(rows=rows, total=total, pager=shown)


def links_of(session: Session, item_ids: Iterable[int]) -> dict[int, ContentLinks]:
    """Service lines, industries and stages of each item (two queries whatever the number)."""
    ids = set(item_ids)
    found = {item_id: ContentLinks() for item_id in ids}
    if not ids:
        return found
    for item_id, line_id in session.exec(
        select(ContentItemServiceLine.content_item_id, ContentItemServiceLine.service_line_id)
        .where(col(ContentItemServiceLine.content_item_id).in_(ids))
        .order_by(col(ContentItemServiceLine.service_line_id))
    ):
        found[item_id].service_line_ids.append(line_id)
    for item_id, facet, value in session.execute(
        _targets(
            col(ContentItemIndustry.content_item_id).in_(ids),
            col(ContentItemStage.content_item_id).in_(ids),
        )
    ):
        links = found[item_id]
        (links.industries if facet == _INDUSTRY else links.stages).append(value)
    return found


def _targets(industries_where: Any, stages_where: Any) -> Any:
    """(item id, facet, value) of industries and stages, in one statement."""
    return union_all(
        select(
            ContentItemIndustry.content_item_id,
            literal(_INDUSTRY).label("facet"),
            col(ContentItemIndustry.industry).label("value"),
        ).where(industries_where),
        select(
            ContentItemStage.content_item_id,
            literal(_STAGE).label("facet"),
            col(ContentItemStage.stage).label("value"),
        ).where(stages_where),
    ).order_by("content_item_id", "facet", "value")


def set_links(
    session: Session,
    item_id: int,
    service_line_ids: list[int],
    industries: list[str],
    stages: list[str],
) -> None:
    """Replace the item's service lines, industries and stages."""
    for model in (ContentItemServiceLine, ContentItemIndustry, ContentItemStage):
        session.exec(delete(model).where(col(model.content_item_id) == item_id))
    session.add_all(
        ContentItemServiceLine(content_item_id=item_id, service_line_id=line_id)
        for line_id in dict.fromkeys(service_line_ids)
    )
    session.add_all(
        ContentItemIndustry(content_item_id=item_id, industry=name, industry_key=industry_key(name))
        for name in distinct_industries(industries)
    )
    session.add_all(
        ContentItemStage(content_item_id=item_id, stage=stage) for stage in dict.fromkeys(stages)
    )
    session.flush()


def content_industries(session: Session) -> list[str]:
    """The industries items were written for, one spelling each, in alphabetical order."""
    names = session.exec(select(ContentItemIndustry.industry).distinct())
    return sorted(distinct_industries(names), key=industry_key)


def known_industries(session: Session) -> list[str]:
    """Every industry the firm knows: its accounts', its catalogue's and its content's."""
    names: list[str] = []
    for column in (Account.industry, ServiceLineIndustry.industry, ContentItemIndustry.industry):
        names.extend(session.exec(select(column).where(column != "").distinct()))
    return sorted(distinct_industries(names), key=industry_key)


def available_content(session: Session, now: datetime) -> dict[tuple[int, str], list[ContentOffer]]:
    """What may be offered at `now`, by (service line id, language): items in use and valid that
    day, each with the industry keys and stages it suits (two queries whatever the library's
    size). Whether an item suits a given contact is `domain.content.is_available_to`."""
    live = and_(col(ContentItem.archived).is_(False), _valid_on(today_of(now)))
    live_ids = select(ContentItem.id).where(live)
    industries: dict[int, set[str]] = defaultdict(set)
    stages: dict[int, set[str]] = defaultdict(set)
    for item_id, facet, value in session.execute(
        _targets(
            col(ContentItemIndustry.content_item_id).in_(live_ids),
            col(ContentItemStage.content_item_id).in_(live_ids),
        )
    ):
        if facet == _INDUSTRY:
            industries[item_id].add(industry_key(value))
        else:
            stages[item_id].add(value)
    found: dict[tuple[int, str], list[ContentOffer]] = defaultdict(list)
    offers: dict[int, ContentOffer] = {}
    for item, line_id in session.exec(
        select(ContentItem, ContentItemServiceLine.service_line_id)
        .join(ContentItemServiceLine, col(ContentItemServiceLine.content_item_id) == ContentItem.id)
        .where(live)
        .order_by(col(ContentItem.id), col(ContentItemServiceLine.service_line_id))
    ):
        assert item.id is not None
        if item.id not in offers:
            offers[item.id] = ContentOffer(
                id=item.id,
                kind=ContentKind(item.kind),
                title=item.title,
                url=item.url,
                summary=item.summary,
                language=item.language,
                industries=frozenset(industries.get(item.id, ())),
                stages=frozenset(stages.get(item.id, ())),
                valid_from=item.valid_from,
                valid_until=item.valid_until,
            )
        found[(line_id, item.language)].append(offers[item.id])
    return dict(found)
