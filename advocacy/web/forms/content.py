"""Forms of the content library: the item form, and the list's filters read from the address.

The item form only carries what was typed (and the CSRF token): the pydantic Create schema
validates it, so the rules live in one place."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import SelectField, StringField, TextAreaField
from wtforms.widgets import DateInput, URLInput

from advocacy.domain.content import MAX_INDUSTRY_LENGTH, ContentKind, ContentLanguage
from advocacy.domain.journey import Stage
from advocacy.domain.numbers import whole_number
from advocacy.domain.paging import page_number
from advocacy.repository.content import ContentFilter
from advocacy.web.forms.journey import CheckboxesField
from advocacy.web.labels import choices


def _or_none(value: str | None) -> str | None:
    return (value or "").strip() or None


class ContentForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices("content_kind"), default=ContentKind.ARTICLE)
    title = StringField(_l("Title"))
    url = StringField(_l("Web address"), widget=URLInput())
    summary = TextAreaField(_l("Summary"))
    language = SelectField(
        _l("Language"), choices=choices("content_language"), default=ContentLanguage.EN
    )
    service_line_ids = CheckboxesField(_l("Service lines it introduces"), choices=[], coerce=int)
    industries = CheckboxesField(_l("Industries (none: every industry)"), choices=[])
    stages = CheckboxesField(
        _l("Journey stages (none: every stage)"), choices=choices("stage", list(Stage))
    )
    valid_from = StringField(_l("Valid from"), widget=DateInput())
    valid_until = StringField(_l("Valid until (the last day)"), widget=DateInput())

    def payload(self) -> dict[str, Any]:
        return {
            "kind": self.kind.data,
            "title": self.title.data or "",
            "url": self.url.data or "",
            "summary": self.summary.data or "",
            "language": self.language.data,
            "service_line_ids": list(self.service_line_ids.data or []),
            "industries": list(self.industries.data or []),
            "stages": list(self.stages.data or []),
            "valid_from": _or_none(self.valid_from.data),
            "valid_until": _or_none(self.valid_until.data),
        }


# The list's filters in the address bar, in the order the page keeps them in its links.
FILTER_ARGS = ("q", "service_line", "kind", "language", "industry", "stage", "valid_on", "archived")


def content_filter(args: MultiDict[str, str]) -> tuple[ContentFilter, int, list[str]]:
    """The list's filters and page as typed in the address bar, and what was wrong with them."""
    errors: list[str] = []

    def one_of(name: str, allowed: set[str], message: str) -> str | None:
        value = args.get(name, "").strip()
        if value and value not in allowed:
            errors.append(message)
            return None
        return value or None

    line_text = args.get("service_line", "").strip()
    line = whole_number(line_text) if line_text else None
    if line_text and line is None:
        errors.append(_("Choose a service line from the list."))
    day: date | None = None
    day_text = args.get("valid_on", "").strip()
    if day_text:
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            errors.append(_("Enter the date as YYYY-MM-DD."))
    archived = one_of("archived", {"yes", "all"}, _("Choose whether to show archived items."))
    wanted = ContentFilter(
        service_line_id=line,
        kind=one_of("kind", {k.value for k in ContentKind}, _("Unknown kind of content.")),
        language=one_of("language", {v.value for v in ContentLanguage}, _("Unknown language.")),
        industry=args.get("industry", "").strip()[:MAX_INDUSTRY_LENGTH] or None,
        stage=one_of("stage", {s.value for s in Stage}, _("Unknown stage.")),
        valid_on=day,
        text=args.get("q", "").strip()[:200],
        archived={"yes": True, "all": None}.get(archived or "", False),
    )
    return wanted, page_number(args.get("page")), errors
