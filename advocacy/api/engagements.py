"""/api/v1/engagements: work proposed or sold to accounts; winning or completing one moves the
account along its journey, exactly as in the browser."""

from __future__ import annotations

from flask import Response, url_for

from advocacy.api.routes import (
    acting_user,
    api_route,
    call_service,
    found,
    one,
    page,
    parse_body,
    parse_query,
)
from advocacy.api.schemas import (
    EngagementCreateRequest,
    EngagementList,
    EngagementQuery,
    EngagementUpdateRequest,
)
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import ACCOUNT_WORKERS
from advocacy.domain.text import N_
from advocacy.models import Engagement, EngagementPublic
from advocacy.repository import journey
from advocacy.repository.read_models import api_lists
from advocacy.services.journey import engagements


def engagements_public(rows: list[Engagement]) -> list[EngagementPublic]:
    """Engagements with their service lines and people, loaded in two queries."""
    lines, people = api_lists.engagement_links(
        db_session(), [row.id for row in rows if row.id is not None]
    )
    return [
        EngagementPublic.model_validate(
            {
                **row.model_dump(),
                "service_line_ids": lines.get(row.id or 0, []),
                "contact_ids": people.get(row.id or 0, []),
            }
        )
        for row in rows
    ]


@api_route(
    "GET", "/engagements", summary=N_("List engagements"), tag="engagements",
    query=EngagementQuery, response=EngagementList,
)  # fmt: skip
def list_engagements() -> tuple[Response, int]:
    """Engagements ordered by id, filtered by account, status or update time."""
    query = parse_query(EngagementQuery)
    rows, more = api_lists.list_engagements(
        db_session(),
        api_lists.Window(query.limit, query.after_id, query.offset),
        account_id=query.account_id,
        status=query.status,
        updated_since=query.updated_since,
    )
    return page(
        EngagementList, engagements_public(rows), more, query, rows[-1].id if rows else None
    )


@api_route(
    "GET", "/engagements/<id:engagement_id>", summary=N_("Read an engagement"), tag="engagements",
    response=EngagementPublic,
)  # fmt: skip
def get_engagement(engagement_id: int) -> tuple[Response, int]:
    """One engagement."""
    row = found(lambda: journey.get_engagement(db_session(), engagement_id))
    return one(engagements_public([row])[0])


@api_route(
    "POST", "/engagements", summary=N_("Record an engagement"), tag="engagements", scope="write",
    roles=ACCOUNT_WORKERS, body=EngagementCreateRequest, response=EngagementPublic, status=201,
)  # fmt: skip
def create_engagement() -> tuple[Response, int]:
    """Record work proposed, sold or delivered; winning it makes the account active."""
    data = parse_body(EngagementCreateRequest)
    row = call_service(
        lambda: engagements.record_engagement(
            db_session(), data.account_id, data, by=acting_user(), now=utcnow()
        ),
        body_refs=True,
    )
    location = url_for(".get_engagement", engagement_id=row.id)
    return one(engagements_public([row])[0], 201, location)


@api_route(
    "PATCH", "/engagements/<id:engagement_id>", summary=N_("Change an engagement"),
    tag="engagements", scope="write", roles=ACCOUNT_WORKERS, body=EngagementUpdateRequest,
    response=EngagementPublic,
)  # fmt: skip
def update_engagement(engagement_id: int) -> tuple[Response, int]:
    """Change an engagement; completing the last live one moves the account between
    engagements."""
    found(lambda: journey.get_engagement(db_session(), engagement_id))
    data = parse_body(EngagementUpdateRequest)
    row = call_service(
        lambda: engagements.update_engagement(
            db_session(), engagement_id, data, by=acting_user(), now=utcnow()
        )
    )
    return one(engagements_public([row])[0])
