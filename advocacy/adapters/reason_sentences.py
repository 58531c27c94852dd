"""Why a service line is proposed, as one sentence in the reader's language (docs/nurture.md).

The next-service-line ranking keeps its reasons as plain data (`Reason.as_data()`, stored with a
check-in or a planned send); this turns one into a sentence with Flask-Babel, in the language of
the moment: the request's on a page, the recipient's inside `force_locale` (e-mails, calendar
feeds: `adapters.translations.speaking`). It sits with the adapters because every layer that
shows a reason may import one: the pages, the API, and the services that write e-mails and feeds.
Needs an application context.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime

from flask_babel import format_date, gettext, ngettext

from advocacy.domain.next_service_line import ReasonKind
from advocacy.domain.talking_points import NextLinePoint

LineName = Callable[[int], str | None]


def _text(reason: Mapping[str, object], key: str) -> str | None:
    value = reason.get(key)
    return value if isinstance(value, str) and value else None


def _count(reason: Mapping[str, object], key: str) -> int | None:
    value = reason.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _day(reason: Mapping[str, object]) -> date | None:
    since = _text(reason, "since")
    if since is None:
        return None
    try:
        return datetime.fromisoformat(since).date()
    except ValueError:
        return None


def _kind(reason: Mapping[str, object]) -> ReasonKind | None:
    try:
        return ReasonKind(str(reason.get("kind")))
    except ValueError:
        return None


def reason_sentence(reason: Mapping[str, object], line: str, line_name: LineName) -> str:
    """The sentence saying why `line` is proposed; `line_name` names the lines a reason mentions.

    Stored data may be older or odder than the code: a reason missing what its sentence needs
    reads as the plainest one rather than failing.
    """
    kind = _kind(reason)
    industry = _text(reason, "industry")
    count, out_of = _count(reason, "count"), _count(reason, "out_of")
    if kind is ReasonKind.ENGAGED:
        day = _day(reason)
        if day is None:
            return gettext("They showed interest in %(line)s.", line=line)
        when = format_date(day, "long")
        return gettext("They showed interest in %(line)s (%(date)s).", line=line, date=when)
    if kind in (ReasonKind.CO_BOUGHT, ReasonKind.CO_BOUGHT_FIRM_WIDE) and count and out_of:
        bought_id = _count(reason, "bought_line_id")
        bought = (line_name(bought_id) if bought_id is not None else None) or gettext(
            "another of our services"
        )
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


def talking_point_sentence(point: NextLinePoint) -> str:
    """Why a check-in raises this line, with the names stored when it was chosen."""
    return reason_sentence(point.reason, point.name, point.line_names.get)


def send_reasons(
    stored: Mapping[str, object], line: str, line_names: Mapping[int, str]
) -> list[str]:
    """Every sentence of a planned send's stored reason (`{"reasons": [...]}`), strongest first."""
    reasons = stored.get("reasons")
    if not isinstance(reasons, list):
        return []
    return [
        reason_sentence(reason, line, line_names.get)
        for reason in reasons
        if isinstance(reason, Mapping)
    ]
