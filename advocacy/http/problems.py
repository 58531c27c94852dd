"""Errors of the JSON API as RFC 9457 problem details (`application/problem+json`), never HTML."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Response, json, request
from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from advocacy.domain.errors import RuleError
from advocacy.http.validation import friendly, rule_message

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
VALIDATION_TYPE = "urn:advocacy:problem:validation"
RULE_TYPE = "urn:advocacy:problem:rule"


class FieldProblem(BaseModel):
    """One refused field: where it is in the request, why, and pydantic's stable error code."""

    loc: list[str | int]
    message: str
    type: str


class Problem(BaseModel):
    """An error answer (RFC 9457). `errors` lists the refused fields of a 422 answer."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    instance: str = ""
    errors: list[FieldProblem] | None = None


class ApiProblem(HTTPException):
    """An HTTP error raised by an API view, carrying a problem's type, detail and field errors."""

    def __init__(
        self,
        status: int,
        detail: str = "",
        *,
        type_: str = "about:blank",
        errors: list[FieldProblem] | None = None,
    ) -> None:
        super().__init__(description=detail)
        self.code = status
        self.type_ = type_
        self.errors = errors


def field_problems(
    error: ValidationError, *, prefix: tuple[str | int, ...] = ()
) -> list[FieldProblem]:
    return [
        FieldProblem(
            loc=[*prefix, *detail.get("loc", ())],
            message=friendly(dict(detail)),
            type=detail.get("type", "value_error"),
        )
        for detail in error.errors(include_url=False, include_input=False)
    ]


def invalid(errors: list[FieldProblem], detail: str | None = None) -> ApiProblem:
    """A 422 answer listing the refused fields."""
    return ApiProblem(
        422,
        detail or _("Some fields are not valid; nothing was changed."),
        type_=VALIDATION_TYPE,
        errors=errors,
    )


def from_validation_error(error: ValidationError, *, where: str = "body") -> ApiProblem:
    detail = _("Some parameters are not valid.") if where == "query" else None
    return invalid(field_problems(error, prefix=(where,)), detail)


def from_rule_error(error: RuleError, status: int = 422) -> ApiProblem:
    return ApiProblem(status, rule_message(error), type_=RULE_TYPE)


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return str(status)


def problem_response(
    status: int,
    detail: str = "",
    *,
    type_: str = "about:blank",
    errors: list[FieldProblem] | None = None,
    headers: list[tuple[str, str]] | None = None,
) -> Response:
    problem = Problem(
        type=type_,
        title=_title(status),
        status=status,
        detail=detail,
        instance=request.path,
        errors=errors,
    )
    body: dict[str, Any] = problem.model_dump(exclude_none=True)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MEDIA_TYPE)
    for name, value in headers or []:
        response.headers[name] = value
    return response


def problem_for_exception(error: Exception) -> Response:
    """The problem answer for any error raised while serving an API request."""
    if not isinstance(error, HTTPException):
        return problem_response(500, _("The error has been logged. Please try again later."))
    status = error.code or 500
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    if not any(k.lower() == "www-authenticate" for k, _v in headers):
        for challenge in getattr(error, "www_authenticate", None) or []:
            headers.append(("WWW-Authenticate", challenge.to_header()))
    if isinstance(error, ApiProblem):
        return problem_response(
            status, error.description or "", type_=error.type_, errors=error.errors, headers=headers
        )
    return problem_response(status, _detail(status, error), headers=headers)


def _detail(status: int, error: HTTPException) -> str:
    if status == 503:
        return _("The database cannot be reached just now; nothing was changed. Try again later.")
    if status >= 500:
        return _("The error has been logged. Please try again later.")
    defaults = {
        400: _("The request could not be understood."),
        404: _("There is nothing at this address."),
        405: _("This address does not accept this method."),
        413: _("The request body is too large."),
        429: _("Too many requests; wait a little and try again."),
    }
    described = error.description or ""
    # Werkzeug's own descriptions mention browsers and HTML forms: ours are shorter and fit an API.
    if type(error).description == described or status == 429:
        return defaults.get(status, "")
    return described
