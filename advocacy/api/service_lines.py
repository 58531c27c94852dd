"""/api/v1/service-lines: the firm's catalogue. Everyone reads it; administrators change it."""

from __future__ import annotations

from flask import Response, url_for

from advocacy.api.routes import api_route, call_service, found, one, page, parse_body, parse_query
from advocacy.api.schemas import (
    ServiceLineCreateRequest,
    ServiceLineList,
    ServiceLineQuery,
    ServiceLineUpdateRequest,
)
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import ADMINS
from advocacy.domain.text import N_
from advocacy.models import ServiceLine, ServiceLinePublic
from advocacy.repository import journey
from advocacy.repository.read_models import api_lists
from advocacy.services.journey import catalogue


def line_public(line: ServiceLine) -> ServiceLinePublic:
    return ServiceLinePublic.model_validate(line, from_attributes=True)


@api_route(
    "GET", "/service-lines", summary=N_("List service lines"), tag="service-lines",
    query=ServiceLineQuery, response=ServiceLineList,
)  # fmt: skip
def list_service_lines() -> tuple[Response, int]:
    """Service lines ordered by id, optionally only active (or retired) ones."""
    query = parse_query(ServiceLineQuery)
    rows, more = api_lists.list_service_lines(
        db_session(),
        api_lists.Window(query.limit, query.after_id, query.offset),
        active=query.active,
    )
    items = [line_public(row) for row in rows]
    return page(ServiceLineList, items, more, query, rows[-1].id if rows else None)


@api_route(
    "GET", "/service-lines/<id:line_id>", summary=N_("Read a service line"), tag="service-lines",
    response=ServiceLinePublic,
)  # fmt: skip
def get_service_line(line_id: int) -> tuple[Response, int]:
    """One service line."""
    return one(line_public(found(lambda: journey.get_service_line(db_session(), line_id))))


@api_route(
    "POST", "/service-lines", summary=N_("Add a service line"), tag="service-lines",
    scope="write", roles=ADMINS, body=ServiceLineCreateRequest, response=ServiceLinePublic,
    status=201,
)  # fmt: skip
def create_service_line() -> tuple[Response, int]:
    """Add a service line to the catalogue (administrators only)."""
    data = parse_body(ServiceLineCreateRequest)
    line = call_service(lambda: catalogue.create_service_line(db_session(), data, now=utcnow()))
    return one(line_public(line), 201, url_for(".get_service_line", line_id=line.id))


@api_route(
    "PATCH", "/service-lines/<id:line_id>", summary=N_("Change a service line"),
    tag="service-lines", scope="write", roles=ADMINS, body=ServiceLineUpdateRequest,
    response=ServiceLinePublic,
)  # fmt: skip
def update_service_line(line_id: int) -> tuple[Response, int]:
    """Rename, describe or retire a service line (administrators only)."""
    found(lambda: journey.get_service_line(db_session(), line_id))
    data = parse_body(ServiceLineUpdateRequest)
    line = call_service(lambda: catalogue.update_service_line(db_session(), line_id, data))
    return one(line_public(line))
