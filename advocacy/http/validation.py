"""Turn schema and rule refusals into messages next to the form fields that caused them."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from pydantic import ValidationError

from advocacy.domain.errors import RuleError

# Parameters that name one of our own fields or things (marked with N_ where they are defined):
# they are translated too, while values typed by people (or read from files) are left as they are.
TRANSLATED_PARAMS = frozenset({"label"})


def translate_rule(message: str, params: dict[str, Any] | None = None) -> str:
    """A rule's message in the reader's language, with our own labels translated as well."""
    values = {
        key: _(value) if key in TRANSLATED_PARAMS and isinstance(value, str) else value
        for key, value in (params or {}).items()
    }
    return _(message, **values)


def rule_message(error: RuleError) -> str:
    """The refusal, translated before its values are put in."""
    return translate_rule(error.message, error.params)


def stored_text(text: str) -> str:
    """Text the system wrote into a row (a history reason): translated when it is one of ours.

    Done here rather than with `_()` in a template, because Jinja marks what `_()` returns as
    safe, and a reason may also be text a person typed.
    """
    return _(text) if text else text


def friendly(detail: dict[str, Any]) -> str:
    """A short message for one pydantic error, in the reader's language."""
    kind = detail.get("type", "")
    context = detail.get("ctx") or {}
    if kind in {"missing", "string_too_short", "too_short"}:
        return _("This field is required.")
    if kind == "string_too_long":
        return _("Use at most %(max)d characters.", max=context.get("max_length", 0))
    if kind in {"int_parsing", "int_type", "decimal_parsing", "float_parsing"}:
        return _("Enter a number.")
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        return _("This number is out of range.")
    if kind in {
        "date_from_datetime_parsing",
        "date_parsing",
        "date_type",
        "datetime_parsing",
        "datetime_from_date_parsing",
        "timezone_aware",
    }:
        return _("Enter a valid date.")
    if kind == "enum" or kind == "literal_error":
        return _("Choose one of the options.")
    if kind == "value_error" and "email" in str(detail.get("msg", "")).lower():
        return _("Enter a valid e-mail address.")
    if kind == "string_pattern_mismatch":
        return _("This value has the wrong format.")
    message = str(detail.get("msg", "")).removeprefix("Value error, ")
    # A rule's own message (marked with N_ where it is defined) is in the catalogue; any other
    # text comes back unchanged from gettext.
    return _(message) if message else _("This value is not valid.")


def apply_errors(form: FlaskForm, error: ValidationError) -> list[str]:
    """Attach each schema error to its form field; return the messages no field could take."""
    leftovers: list[str] = []
    for detail in error.errors():
        location = detail.get("loc") or ()
        name = str(location[0]) if location else ""
        field = getattr(form, name, None) if name else None
        message = friendly(dict(detail))
        if field is not None and hasattr(field, "errors"):
            if isinstance(field.errors, tuple):
                field.errors = list(field.errors)
            field.errors.append(message)
        else:
            leftovers.append(message)
    return leftovers
