"""How the journey pages answer a missing row or a refused change: 404 and 403, never a 500."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import tzinfo
from typing import Any, TypeVar

from flask import abort
from flask_babel import get_timezone

from advocacy.db import db_session
from advocacy.domain.errors import NotAllowed, NotFound, RuleError
from advocacy.domain.time_zones import zone_or_fallback
from advocacy.http.validation import rule_message

F = TypeVar("F", bound=Callable[..., Any])


def found_and_allowed(view: F) -> F:
    """Turn NotFound into 404 and NotAllowed into 403 for the wrapped view."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except NotFound:
            abort(404)
        except NotAllowed:
            abort(403)

    return wrapper  # type: ignore[return-value]


def refusal(error: RuleError) -> str:
    """The message of a refused change, after forgetting what it left in the session.

    NotAllowed is raised again: the view's `found_and_allowed` turns it into a 403.
    """
    if isinstance(error, NotAllowed):
        raise error
    discard_changes()
    return rule_message(error)


def discard_changes() -> None:
    """Forget what a refused service call left in the session before the page is drawn again."""
    db_session().rollback()


def viewer_timezone() -> tzinfo:
    """The reader's time zone, for times typed into a form."""
    return zone_or_fallback(str(get_timezone()))
