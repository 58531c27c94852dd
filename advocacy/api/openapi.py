"""The OpenAPI 3.1 document and a docs page, both built from the route table and the pydantic
schemas that validate requests and shape responses: nothing here is written by hand per endpoint.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from flask import Response, jsonify, render_template
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from advocacy.api.routes import MAX_ETAG_HEADER, ROUTES, ApiRoute, api_route
from advocacy.api.schemas import MAX_ID
from advocacy.domain.text import N_
from advocacy.http.problems import PROBLEM_MEDIA_TYPE, Problem

REF = "#/components/schemas/{model}"
_PATH_ARGUMENT = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")
_ERRORS = {
    400: "The request could not be understood (for example, a body that is not JSON).",
    401: "No token, or a token that is unknown, revoked, expired or of a deactivated user.",
    403: "The token lacks the scope, or its user's role or rights do not allow this.",
    404: "No such row.",
    405: "This address does not take this method.",
    409: "The change clashes with existing data (a name or external id in use).",
    413: "The body is too large.",
    415: "The body is not application/json.",
    422: "A field or parameter is not valid; `errors` lists each one. Nothing was changed.",
    429: "Too many requests.",
}
DESCRIPTION = """\
The JSON API of advocacy. Send `Authorization: Bearer <token>`; an administrator creates tokens
with `advocacy tokens create --user EMAIL --scope read [--scope write]`. The `write` scope includes
`read`. A token acts as its user: role rules apply (marketing reads without private notes, e-mail
addresses and phone numbers; writing needs a role that may edit, and rights on the account).
A `publish` token (`--scope publish`, alone) is for the firm's website or CMS: it reads only the
advocacy library (testimonials, reference availability), and only what clients allowed to be
published, attributed as they allowed; read and write tokens read the library as the firm does.
Lists return `{"items": [...], "next": url|null}`: follow `next` for the following page.
Values are never converted: a date is an ISO 8601 string, a boolean `true`/`false`, an amount a
whole number or decimal text such as "1200.50"; a value of another type is a 422.
Library answers carry a strong `ETag`: send it back as `If-None-Match` to get 304 when nothing
changed. Each token may send a limited number of requests per minute (429 beyond).
Every error is `application/problem+json` (RFC 9457).
"""


def _openapi_path(rule: str) -> str:
    return _PATH_ARGUMENT.sub(r"{\1}", rule)


def _models() -> list[tuple[type[BaseModel], Any]]:
    wanted: list[tuple[type[BaseModel], Any]] = [(Problem, "serialization")]
    for route in ROUTES:
        # Query models too: their enums (statuses, uses...) are referenced from the parameters.
        if route.query is not None:
            wanted.append((route.query, "validation"))
        if route.body is not None:
            wanted.append((route.body, "validation"))
        if route.response is not None:
            wanted.append((route.response, "serialization"))
    unique: dict[tuple[type[BaseModel], str], None] = dict.fromkeys(wanted)
    return list(unique)


def _parameters(route: ApiRoute) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        }
        for name in _PATH_ARGUMENT.findall(route.rule)
    ]
    if route.query is not None:
        schema = route.query.model_json_schema(ref_template=REF)
        for name, prop in schema.get("properties", {}).items():
            described = {key: value for key, value in prop.items() if key != "description"}
            _no_nul_in_free_text(described)
            parameters.append(
                {
                    "name": name,
                    "in": "query",
                    "required": name in schema.get("required", []),
                    "description": prop.get("description", prop.get("title", name)),
                    "schema": described,
                }
            )
    if route.etag:
        parameters.append(
            {
                "name": "If-None-Match",
                "in": "header",
                "required": False,
                "description": "The ETag of a previous answer: 304 when it still holds.",
                "schema": {"type": "string", "maxLength": MAX_ETAG_HEADER},
            }
        )
    return parameters


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": REF.format(model="Problem")}}},
    }


def _operation(route: ApiRoute, refs: Mapping[tuple[Any, Any], Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": route.endpoint.removeprefix("api."),
        "summary": route.summary,
        "description": route.description,
        "tags": [route.tag],
        "parameters": _parameters(route),
    }
    if route.response is not None:
        content = {route.media_type: {"schema": refs[(route.response, "serialization")]}}
    else:
        content = {route.media_type: {"schema": {"type": "string"}}}
    operation["responses"] = {str(route.status): {"description": "Success.", "content": content}}
    if route.etag:
        etag_header = {
            "ETag": {"description": "Strong validator of the body.", "schema": {"type": "string"}}
        }
        operation["responses"][str(route.status)]["headers"] = etag_header
        operation["responses"]["304"] = {
            "description": "Not modified: the If-None-Match ETag still matches.",
            "headers": etag_header,
        }
    codes = [400, 405, 429]
    if route.scope is None:
        operation["security"] = []
    else:
        operation["security"] = [{"bearerAuth": [route.scope.value]}]
        codes += [401, 403, 404, 422]
    if route.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(route.body, "validation")]}},
        }
        codes += [409, 413, 415]
    for code in sorted(set(codes)):
        operation["responses"][str(code)] = _problem(_ERRORS[code])
    return operation


# Free text may hold anything but NUL, which PostgreSQL cannot store (refused with a 422).
NO_NUL = "^[^\\u0000]*$"


def _no_nul_in_free_text(schema: Any) -> None:
    """Add NO_NUL to every string schema that has no stricter form of its own."""
    if isinstance(schema, dict):
        if schema.get("type") == "string" and not {"pattern", "enum", "format", "const"} & set(
            schema
        ):
            schema["pattern"] = NO_NUL
        for value in schema.values():
            _no_nul_in_free_text(value)
    elif isinstance(schema, list):
        for item in schema:
            _no_nul_in_free_text(item)


@cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of every route in the table."""
    refs, definitions = models_json_schema(_models(), ref_template=REF)
    _no_nul_in_free_text(definitions)
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        paths.setdefault(_openapi_path(route.rule), {})[route.method.lower()] = _operation(
            route, refs
        )
    return {
        "openapi": "3.1.0",
        "info": {"title": "advocacy API", "version": "1", "description": DESCRIPTION},
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from `advocacy tokens create`.",
                }
            },
        },
    }


@api_route(
    "GET", "/openapi.json", summary=N_("This OpenAPI document"), tag="meta", scope=None,
    media_type="application/json",
)  # fmt: skip
def openapi_json() -> Response:
    """The OpenAPI 3.1 document of the API (no token needed)."""
    return jsonify(openapi_document())


@api_route(
    "GET", "/docs", summary=N_("A page listing the endpoints"), tag="meta", scope=None,
    media_type="text/html",
)  # fmt: skip
def docs() -> str:
    """A page listing every endpoint, its scope and its roles (no token needed)."""
    return render_template("api/docs.html", routes=ROUTES, openapi_path=_openapi_path)
