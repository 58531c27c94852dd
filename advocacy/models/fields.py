"""Field types shared by the Create/Update schemas: trimmed text, known codes, bounded numbers."""

from __future__ import annotations

from typing import Annotated, Protocol

from babel import Locale
from pydantic import AfterValidator, BeforeValidator, StringConstraints, WithJsonSchema


class _Stored(Protocol):
    id: int | None


def saved_id(row: _Stored) -> int:
    """The primary key of a row read from, or flushed to, the database.

    Tables declare `id: int | None` because a new row has none until it is flushed; a row that
    reaches this function without one is a bug, not a value to carry on with.
    """
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: it was never flushed")
    return row.id


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _empty_to_none(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        return None
    return value


# Babel's territories include groupings (EU, UN, ZZ "unknown"...) that are not countries.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"})
_COUNTRIES = frozenset(
    code
    for code in Locale("en").territories
    if isinstance(code, str) and len(code) == 2 and code not in _NOT_COUNTRIES
)


def _country(value: str) -> str:
    code = value.upper()
    if code and code not in _COUNTRIES:
        raise ValueError("expected a two-letter country code such as FR, GB or US")
    return code


Text = Annotated[str, BeforeValidator(_strip)]
Name = Annotated[str, BeforeValidator(_strip), StringConstraints(min_length=1, max_length=200)]
ShortText = Annotated[str, BeforeValidator(_strip), StringConstraints(max_length=200)]
LongText = Annotated[str, BeforeValidator(_strip), StringConstraints(max_length=10000)]
Country = Annotated[
    str,
    BeforeValidator(_strip),
    StringConstraints(max_length=2),
    AfterValidator(_country),
    # The document lists the codes the validator accepts, so a client can know them beforehand.
    WithJsonSchema({"type": "string", "enum": ["", *sorted(_COUNTRIES)]}),
]


def _optional_id(value: object) -> object:
    # The length is checked here, not with StringConstraints: SQLModel hoists constraints of an
    # optional field to the union, where they would be applied to None.
    value = _empty_to_none(_strip(value))
    if isinstance(value, str) and len(value) > 100:
        raise ValueError("an external id has at most 100 characters")
    return value


OptionalId = Annotated[str | None, BeforeValidator(_optional_id)]
