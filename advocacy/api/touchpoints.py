"""/api/v1/touchpoints: interactions on an account's journey map. They are logged, not edited.

A marketing token reads touchpoints, but not the text of private notes (kind `note`).
"""

from __future__ import annotations

from flask import Response, url_for
from flask_babel import gettext as _

from advocacy.api.routes import (
    acting_user,
    api_route,
    call_service,
    one,
    page,
    parse_body,
    parse_query,
    sees_private,
)
from advocacy.api.schemas import TouchpointCreateRequest, TouchpointList, TouchpointQuery
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import ACCOUNT_WORKERS
from advocacy.domain.text import N_
from advocacy.domain.touchpoints import TouchpointKind
from advocacy.http.problems import ApiProblem
from advocacy.models import Touchpoint, TouchpointPublic
from advocacy.repository.read_models import api_lists
from advocacy.services.journey import touchpoints


def touchpoint_public(row: Touchpoint, *, private: bool) -> TouchpointPublic:
    item = TouchpointPublic.model_validate(row, from_attributes=True)
    if not private and row.kind == TouchpointKind.NOTE:
        return item.model_copy(update={"summary": ""})
    return item


@api_route(
    "GET", "/touchpoints", summary=N_("List touchpoints"), tag="touchpoints",
    query=TouchpointQuery, response=TouchpointList,
)  # fmt: skip
def list_touchpoints() -> tuple[Response, int]:
    """Touchpoints ordered by id, filtered by account, contact, kind, initiative or time."""
    query = parse_query(TouchpointQuery)
    rows, more = api_lists.list_touchpoints(
        db_session(),
        api_lists.Window(query.limit, query.after_id, query.offset),
        account_id=query.account_id,
        contact_id=query.contact_id,
        kind=query.kind,
        initiative=query.initiative,
        since=query.since,
    )
    private = sees_private()
    items = [touchpoint_public(row, private=private) for row in rows]
    return page(TouchpointList, items, more, query, rows[-1].id if rows else None)


@api_route(
    "GET", "/touchpoints/<id:touchpoint_id>", summary=N_("Read a touchpoint"), tag="touchpoints",
    response=TouchpointPublic,
)  # fmt: skip
def get_touchpoint(touchpoint_id: int) -> tuple[Response, int]:
    """One touchpoint."""
    row = api_lists.get_touchpoint(db_session(), touchpoint_id)
    if row is None:
        raise ApiProblem(404, _("There is nothing at this address."))
    return one(touchpoint_public(row, private=sees_private()))


@api_route(
    "POST", "/touchpoints", summary=N_("Log a touchpoint"), tag="touchpoints", scope="write",
    roles=ACCOUNT_WORKERS, body=TouchpointCreateRequest, response=TouchpointPublic, status=201,
)  # fmt: skip
def create_touchpoint() -> tuple[Response, int]:
    """Log a meeting, call, e-mail... on an account the token's user may edit. `occurred_at`
    needs a time zone and may not be in the future."""
    data = parse_body(TouchpointCreateRequest)
    row = call_service(
        lambda: touchpoints.log_touchpoint(
            db_session(), data.account_id, data, by=acting_user(), now=utcnow()
        ),
        body_refs=True,
    )
    # Read it back: the stored time is in UTC, whatever offset the client sent.
    db_session().refresh(row)
    location = url_for(".get_touchpoint", touchpoint_id=row.id)
    return one(touchpoint_public(row, private=True), 201, location)
