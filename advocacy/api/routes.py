"""The API's route table: each view declares its method, path, scope, roles and schemas once.

The same declaration registers the Flask route, sets the access policy and feeds the OpenAPI
document, so the document cannot drift from what the app serves.
"""

from __future__ import annotations

import hashlib
import json
import re
import types
import typing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar, cast

from flask import Response, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from pydantic import AwareDatetime, BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError

from advocacy.api import bp
from advocacy.api.schemas import MAX_ID, PageQuery, encode_cursor
from advocacy.http.problems import (
    ApiProblem,
    FieldProblem,
    from_rule_error,
    from_validation_error,
    invalid,
)

if TYPE_CHECKING:
    from advocacy.api.showcase_schemas import CursorQuery
from advocacy.db import db_session
from advocacy.domain.access import sees_private_details
from advocacy.domain.errors import Conflict, NotAllowed, NotFound, RuleError
from advocacy.domain.identity import Role
from advocacy.http.extensions import limiter
from advocacy.http.security import api_scope, current_bearer, current_user, public
from advocacy.models import User
from advocacy.services.access.tokens import Scope

F = TypeVar("F", bound=Callable[..., Any])
B = TypeVar("B", bound=BaseModel)


@dataclass(frozen=True)
class ApiRoute:
    endpoint: str
    method: str
    rule: str  # the Flask rule under the blueprint's prefix, e.g. /accounts/<id:account_id>
    summary: str
    tag: str
    scope: Scope | None  # None: public, no token needed
    roles: tuple[str, ...]
    query: type[BaseModel] | None
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    media_type: str
    description: str
    etag: bool = False  # answers carry an ETag and honour If-None-Match (304)


ROUTES: list[ApiRoute] = []


def api_route(
    method: str,
    rule: str,
    *,
    summary: str,
    tag: str,
    scope: str | None = "read",
    roles: tuple[str, ...] = (),
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    media_type: str = "application/json",
    etag: bool = False,
) -> Callable[[F], F]:
    """Register an API view with its access policy and rate limit, and add it to the route
    table."""

    def register(view: F) -> F:
        limited = limiter.shared_limit(_api_rate, scope="api", key_func=_api_rate_key)(view)
        marked = public(limited) if scope is None else api_scope(scope, *roles)(limited)
        bp.add_url_rule(rule, endpoint=view.__name__, view_func=marked, methods=[method])
        ROUTES.append(
            ApiRoute(
                endpoint=f"{bp.name}.{view.__name__}",
                method=method,
                rule=(bp.url_prefix or "") + rule,
                summary=summary,
                tag=tag,
                scope=Scope(scope) if scope else None,
                roles=roles,
                query=query,
                body=body,
                response=response,
                status=status,
                media_type=media_type,
                description=(view.__doc__ or "").strip(),
                etag=etag,
            )
        )
        return cast(F, marked)  # the wrappers keep the view's signature (functools.wraps)

    return register


def _api_rate() -> str:
    return str(current_app.config["ADVOCACY"].api_rate_limit)


def _api_rate_key() -> str:
    # Per token, across every endpoint: one integration cannot starve the others. The access
    # policy runs first, so a request that reaches the limiter has its bearer set (or is public).
    bearer = current_bearer()
    if bearer is not None:
        return f"token:{bearer.token.prefix}"
    return f"address:{get_remote_address()}"


def acting_user() -> User:
    user = current_user()
    assert user is not None, "the access policy lets no anonymous request reach an API view"
    return user


def sees_private() -> bool:
    return sees_private_details(Role(acting_user().role))


# --- parsing ----------------------------------------------------------------------------------


def _bad_text(value: Any, where: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    """Locations of strings PostgreSQL cannot store: NUL bytes and lone surrogates."""
    if isinstance(value, str):
        if "\x00" in value or (not value.isascii() and _has_surrogate(value)):
            yield where
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _bad_text(key, where)
            yield from _bad_text(item, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _bad_text(item, (*where, index))


def _has_surrogate(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _refuse_bad_text(data: Any, where: str) -> None:
    locations = list(_bad_text(data, (where,)))
    if locations:
        raise invalid(
            [
                FieldProblem(
                    loc=list(loc),
                    message=_("This text holds a NUL byte or invalid characters."),
                    type="string_type",
                )
                for loc in locations
            ]
        )


def _check_ids(parsed: BaseModel) -> None:
    # Ids must fit the database's integer columns: a huge one is refused here, not by the driver.
    errors = []
    for name, value in parsed:
        if not (name.endswith("_id") or name.endswith("_ids")) or value is None:
            continue
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            if isinstance(item, int) and not 1 <= item <= MAX_ID:
                loc: list[str | int] = ["body", name] + ([index] if isinstance(value, list) else [])
                errors.append(
                    FieldProblem(
                        loc=loc, message=_("This number is out of range."), type="less_than_equal"
                    )
                )
    if errors:
        raise invalid(errors)


def parse_body(model: type[B]) -> B:
    """The JSON body validated by `model`: 415, 400 or 422 problems for anything else."""
    mimetype = request.mimetype
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise ApiProblem(415, _("Send the body as application/json."))
    try:
        data = json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError):
        raise ApiProblem(400, _("The body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise invalid(
            [FieldProblem(loc=["body"], message=_("Send a JSON object."), type="model_type")]
        )
    _refuse_bad_text(data, "body")
    _refuse_loose_body_values(model, data)
    try:
        parsed = model.model_validate(data)
    except ValidationError as error:
        raise from_validation_error(error) from None
    _check_ids(parsed)
    return parsed


def parse_query(model: type[B]) -> B:
    """The query string validated by `model` (each parameter once; unknown ones refused)."""
    data: dict[str, str] = {}
    for key in request.args:
        values = request.args.getlist(key)
        if len(values) > 1:
            raise invalid(
                [
                    FieldProblem(
                        loc=["query", key], message=_("Give this parameter once."), type="too_long"
                    )
                ]
            )
        data[key] = values[0]
    _refuse_bad_text(data, "query")
    _refuse_loose_query_values(model, data)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise from_validation_error(error, where="query") from None


_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]*)?")


def _plain_type(annotation: Any) -> Any:
    kept = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(kept) == 1:
        annotation = kept[0]
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _json_fits(kind: Any, value: Any) -> bool:
    """Whether a JSON value has the type the field documents (None is for pydantic to judge)."""
    if value is None:
        return True
    if typing.get_origin(kind) is list:
        (item,) = typing.get_args(kind) or (Any,)
        return isinstance(value, list) and all(_json_fits(_plain_type(item), v) for v in value)
    if kind is bool:
        return isinstance(value, bool)
    if _is_date(kind):
        return isinstance(value, str)
    if kind is int:
        # JSON has one number type: 3.0 is an integer there, 3.5 and "3" are not.
        integral = isinstance(value, float) and value.is_integer()
        return (isinstance(value, int) and not isinstance(value, bool)) or integral
    if kind is Decimal:
        return isinstance(value, int | float | str) and not isinstance(value, bool)
    return True


def _refuse_loose_body_values(model: type[BaseModel], data: dict[str, Any]) -> None:
    """A JSON value of the wrong type is refused, never converted: pydantic alone would read 0
    as a date (the epoch) or as false, and "3" as a number."""
    errors = [
        FieldProblem(loc=["body", name], message=_("This value has the wrong type."), type="type")
        for name, value in data.items()
        if (info := model.model_fields.get(name)) is not None
        and not _json_fits(_plain_type(info.annotation), value)
    ]
    if errors:
        raise invalid(errors)


def _is_date(kind: Any) -> bool:
    return kind is AwareDatetime or (isinstance(kind, type) and issubclass(kind, date))


def _refuse_loose_query_values(model: type[BaseModel], data: dict[str, str]) -> None:
    """Query values must have the documented form: pydantic alone would read `0` as a date (the
    epoch) and `0`, `no` or `off` as a boolean."""
    errors = []
    for name, value in data.items():
        info = model.model_fields.get(name)
        kind = _plain_type(info.annotation) if info else None
        if kind is bool and value not in ("true", "false"):
            errors.append(
                FieldProblem(
                    loc=["query", name], message=_("Use true or false."), type="bool_parsing"
                )
            )
        elif _is_date(kind) and _NUMBER.fullmatch(value):
            errors.append(
                FieldProblem(
                    loc=["query", name], message=_("Enter a valid date."), type="date_parsing"
                )
            )
    if errors:
        raise invalid(errors)


# --- answering --------------------------------------------------------------------------------


def call_service(action: Callable[[], Any], *, body_refs: bool = False) -> Any:
    """Run one service call and turn its refusals into problems; nothing is kept on failure.

    With `body_refs`, a row that is not found was named in the body (a 422), not in the URL (404).
    """
    session = db_session()
    try:
        return action()
    except NotAllowed as error:
        session.rollback()
        raise from_rule_error(error, 403) from None
    except NotFound:
        session.rollback()
        if body_refs:
            raise invalid(
                [
                    FieldProblem(
                        loc=["body", "account_id"], message=_("No such account."), type="not_found"
                    )
                ]
            ) from None
        raise ApiProblem(404, _("There is nothing at this address.")) from None
    except Conflict as error:
        session.rollback()
        raise from_rule_error(error, 409) from None
    except RuleError as error:
        session.rollback()
        raise from_rule_error(error, 422) from None
    except ValidationError as error:
        session.rollback()
        raise from_validation_error(error) from None
    except IntegrityError:
        session.rollback()
        raise ApiProblem(409, _("This clashes with data that changed meanwhile.")) from None


def found(lookup: Callable[[], Any]) -> Any:
    """The row `lookup` returns, or a 404 problem."""
    try:
        return lookup()
    except NotFound:
        raise ApiProblem(404, _("There is nothing at this address.")) from None


def one(item: BaseModel, status: int = 200, location: str | None = None) -> tuple[Response, int]:
    response = jsonify(item.model_dump(mode="json"))
    if location:
        response.headers["Location"] = location
    return response, status


# The longest If-None-Match the OpenAPI document allows (a few of our ETags, quoted).
MAX_ETAG_HEADER = 200


def conditional(answer: tuple[Response, int]) -> Response:
    """The answer with a strong ETag over its body, or 304 Not Modified when the client already
    holds that body (If-None-Match). The body depends on the token's audience, hence Vary."""
    response, status = answer
    if len(request.headers.get("If-None-Match", "")) > MAX_ETAG_HEADER:
        raise invalid(
            [
                FieldProblem(
                    loc=["header", "If-None-Match"],
                    message=_("Use at most %(max)d characters.", max=MAX_ETAG_HEADER),
                    type="string_too_long",
                )
            ]
        )
    response.status_code = status
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest())
    response.vary.add("Authorization")
    return cast(Response, response.make_conditional(request))  # it returns the same object


def page(
    list_model: type[BaseModel],
    items: Sequence[BaseModel],
    more: bool,
    query: PageQuery | CursorQuery,
    last_id: int | None,
) -> tuple[Response, int]:
    """One page of `items` and the link to the next page (with the same filters), if any."""
    following = None
    if more and last_id is not None:
        args = {key: value for key, value in request.args.items() if key not in {"cursor", "page"}}
        if query.page is not None and not query.cursor:
            args["page"] = str(query.page + 1)
        else:
            args["cursor"] = encode_cursor(last_id)
        following = url_for(request.endpoint or "", _external=True, **args)
    return one(list_model(items=items, next=following))
