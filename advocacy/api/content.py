"""/api/v1/content: the content library, read by the firm's own tools (any read token).

Items are what the firm offers clients, so every role reads them; they are kept in the browser by
marketing and administrators.
"""

from __future__ import annotations

from flask import Response
from pydantic import BaseModel

from advocacy.api.routes import api_route, found, one, page, parse_query
from advocacy.api.schemas import ContentItemList, ContentQuery
from advocacy.db import db_session
from advocacy.domain.text import N_
from advocacy.models import ContentItem, ContentItemPublic
from advocacy.repository import content
from advocacy.repository.read_models import api_lists


def items_public(rows: list[ContentItem]) -> list[ContentItemPublic]:
    """Items with their service lines, industries and stages, loaded in two queries."""
    links = content.links_of(db_session(), [row.id for row in rows if row.id is not None])
    return [
        ContentItemPublic.model_validate(
            {
                **row.model_dump(),
                "service_line_ids": links[row.id or 0].service_line_ids,
                "industries": links[row.id or 0].industries,
                "stages": links[row.id or 0].stages,
            }
        )
        for row in rows
    ]


@api_route(
    "GET", "/content", summary=N_("List content items"), tag="content",
    query=ContentQuery, response=ContentItemList,
)  # fmt: skip
def list_content() -> tuple[Response, int]:
    """Content items ordered by id, filtered by service line, kind, language, industry, journey
    stage, validity on a day, words, and archived or in use (in use unless asked)."""
    query = parse_query(ContentQuery)
    wanted = content.ContentFilter(
        service_line_id=query.service_line_id,
        kind=query.kind,
        language=query.language,
        industry=query.industry,
        stage=query.stage,
        valid_on=query.valid_on,
        text=query.q or "",
        archived=query.archived,
    )
    rows, more = api_lists.list_content(
        db_session(), api_lists.Window(query.limit, query.after_id, query.offset), wanted
    )
    found: list[BaseModel] = [*items_public(rows)]
    return page(ContentItemList, found, more, query, rows[-1].id if rows else None)


@api_route(
    "GET", "/content/<id:item_id>", summary=N_("Read a content item"), tag="content",
    response=ContentItemPublic,
)  # fmt: skip
def get_content_item(item_id: int) -> tuple[Response, int]:
    """One content item, archived or not."""
    row = found(lambda: content.get_item(db_session(), item_id))
    return one(items_public([row])[0])
