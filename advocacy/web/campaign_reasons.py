"""Why the planner proposes a service line to a contact, as one sentence in the reader's language.

The planner stores its reasons as plain data (`Reason.as_data()`); the preview and the campaign
pages say them with these sentences. The same sentences (same words, same catalogue entries) as
the check-in talking points, so a client's "why" reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from flask_babel import format_date, gettext, ngettext

from advocacy.domain.next_service_line import ReasonKind


def _text(reason: Mapping[str, object], key: str) -> str | None:
    value = reason.get(key)
    return value if isinstance(value, str) and value else None


def _count(reason: Mapping[str, object], key: str) -> int | None:
    value = reason.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _kind(reason: Mapping[str, object]) -> ReasonKind | None:
    try:
        return ReasonKind(str(reason.get("kind")))
    except ValueError:
        return None


def _engaged(reason: Mapping[str, object], line: str) -> str:
    since = _text(reason, "since")
    try:
        day = datetime.fromisoformat(since).date() if since else None
    except ValueError:
        day = None
    if day is None:
        return gettext("They showed interest in %(line)s.", line=line)
    when = format_date(day, "long")
    return gettext("They showed interest in %(line)s (%(date)s).", line=line, date=when)


def reason_sentence(reason: Mapping[str, object], line: str, line_names: Mapping[int, str]) -> str:
    """The sentence saying why `line` is proposed; a reason missing what its sentence needs
    (older or odder stored data) reads as the plainest one rather than failing."""
    kind = _kind(reason)
    industry = _text(reason, "industry")
    count, out_of = _count(reason, "count"), _count(reason, "out_of")
    if kind is ReasonKind.ENGAGED:
        return _engaged(reason, line)
    if kind in (ReasonKind.CO_BOUGHT, ReasonKind.CO_BOUGHT_FIRM_WIDE) and count and out_of:
        bought_id = _count(reason, "bought_line_id")
        bought = line_names.get(bought_id or 0) or gettext("another of our services")
        values = {"line": line, "bought": bought, "count": count, "out_of": out_of}
        if kind is ReasonKind.CO_BOUGHT and industry:
            return gettext(
                "Clients in %(industry)s who bought %(bought)s often also bought %(line)s"
                " (%(count)d of %(out_of)d).",
                industry=industry,
                **values,
            )
        return gettext(
            "Our clients who bought %(bought)s often also bought %(line)s"
            " (%(count)d of %(out_of)d).",
            **values,
        )
    if kind is ReasonKind.POPULAR and count and out_of and industry:
        return ngettext(
            "%(num)d of %(out_of)d clients in %(industry)s bought %(line)s.",
            "%(num)d of %(out_of)d clients in %(industry)s bought %(line)s.",
            count,
            out_of=out_of,
            industry=industry,
            line=line,
        )
    if kind in (ReasonKind.POPULAR, ReasonKind.POPULAR_FIRM_WIDE) and count and out_of:
        return ngettext(
            "%(num)d of our %(out_of)d clients bought %(line)s.",
            "%(num)d of our %(out_of)d clients bought %(line)s.",
            count,
            out_of=out_of,
            line=line,
        )
    relevance = _count(reason, "relevance")
    if kind is ReasonKind.RELEVANT_TO_INDUSTRY and relevance and industry:
        return gettext(
            "%(line)s is rated %(relevance)d/5 for %(industry)s.",
            line=line,
            relevance=relevance,
            industry=industry,
        )
    return gettext("%(line)s is part of what we do that they do not know us for yet.", line=line)


def send_reasons(
    stored: Mapping[str, object], line: str, line_names: Mapping[int, str]
) -> list[str]:
    """Every sentence of a planned send's stored reason (`{"reasons": [...]}`), strongest first."""
    reasons = stored.get("reasons")
    if not isinstance(reasons, list):
        return []
    return [reason_sentence(r, line, line_names) for r in reasons if isinstance(r, Mapping)]
