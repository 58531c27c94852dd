"""Forms of the journey pages. They only carry what was typed (and the CSRF token): the pydantic
Create/Update schemas validate it, so the rules live in one place."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, tzinfo
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, DateInput, DateTimeLocalInput, ListWidget

from advocacy.domain.journey import Camp, Stage
from advocacy.domain.numbers import whole_number
from advocacy.domain.paging import page_number
from advocacy.domain.people import BuyingRole
from advocacy.domain.touchpoints import Initiative, TouchpointKind
from advocacy.models.accounts import SIZE_BANDS
from advocacy.repository.read_models.accounts import SORTS, AccountFilter
from advocacy.web.labels import choices


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (rendered inside a fieldset by the template)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _text(value: str | None) -> str:
    return (value or "").strip()


def _or_none(value: str | None) -> str | None:
    return _text(value) or None


class AccountForm(FlaskForm):
    name = StringField(_l("Name"))
    industry = StringField(_l("Industry"))
    size_band = SelectField(
        _l("Size"),
        choices=[SelectChoice(band, band or _l("Unknown")) for band in SIZE_BANDS],
        default="",
    )
    country = StringField(_l("Country code"))
    owner_id = SelectField(_l("Owner"), choices=[])
    stage = SelectField(_l("Journey stage"), choices=choices("stage"), default=Stage.PROSPECT)
    notes = TextAreaField(_l("Private notes"))

    def payload(self, *, creating: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name.data or "",
            "industry": self.industry.data or "",
            "size_band": self.size_band.data or "",
            "country": self.country.data or "",
            "notes": self.notes.data or "",
        }
        if creating:
            data["owner_id"] = _or_none(self.owner_id.data)
            data["stage"] = self.stage.data
        return data


class ContactForm(FlaskForm):
    full_name = StringField(_l("Full name"))
    title = StringField(_l("Job title"))
    email = StringField(_l("E-mail"), render_kw={"type": "email"})
    phone = StringField(_l("Phone"), render_kw={"type": "tel"})
    seniority = SelectField(_l("Seniority"), choices=choices("seniority"), default="manager")
    influence = SelectField(
        _l("Influence (1 low, 5 high)"),
        choices=[SelectChoice(str(n), str(n)) for n in range(1, 6)],
        default="3",
    )
    roles = CheckboxesField(_l("Buying-group roles"), choices=choices("role", list(BuyingRole)))
    language = SelectField(
        _l("Language"),
        choices=[SelectChoice("en", "English"), SelectChoice("fr", "Français")],
        default="en",
    )
    timezone = StringField(_l("Time zone"))
    started_on = StringField(_l("In this position since"), widget=DateInput())
    consent_basis = SelectField(
        _l("May we send them client e-mails?"),
        choices=choices("consent_basis", blank=_l("No: no basis recorded")),
        default="",
    )
    consent_source = StringField(_l("How we know (source of the consent)"))

    def payload(self, *, creating: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "full_name": self.full_name.data or "",
            "title": self.title.data or "",
            "email": _or_none(self.email.data),
            "phone": self.phone.data or "",
            "seniority": self.seniority.data,
            "influence": self.influence.data,
            "roles": list(self.roles.data or []),
            "language": self.language.data,
            "timezone": self.timezone.data or "",
            "consent_basis": self.consent_basis.data or "",
            "consent_source": self.consent_source.data or "",
        }
        if creating:
            data["started_on"] = _or_none(self.started_on.data)
        return data


class EngagementForm(FlaskForm):
    title = StringField(_l("Title"))
    status = SelectField(_l("Status"), choices=choices("engagement_status"), default="proposed")
    value = StringField(_l("Value"), render_kw={"inputmode": "decimal"})
    currency = StringField(_l("Currency"), default="EUR")
    start_date = StringField(_l("Start date"), widget=DateInput())
    end_date = StringField(_l("End date"), widget=DateInput())
    revisit_on = StringField(_l("Revisit on (for “not now”)"), widget=DateInput())
    service_line_ids = CheckboxesField(_l("Service lines"), choices=[], coerce=int)
    contact_ids = CheckboxesField(_l("People involved"), choices=[], coerce=int)

    def payload(self) -> dict[str, Any]:
        return {
            "title": self.title.data or "",
            "status": self.status.data,
            "value": _or_none(self.value.data),
            "currency": _text(self.currency.data).upper(),
            "start_date": _or_none(self.start_date.data),
            "end_date": _or_none(self.end_date.data),
            "revisit_on": _or_none(self.revisit_on.data),
            "service_line_ids": list(self.service_line_ids.data or []),
            "contact_ids": list(self.contact_ids.data or []),
        }


class TouchpointForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices("kind"), default="call")
    initiative = SelectField(_l("Started by"), choices=choices("initiative"), default="firm")
    channel = SelectField(_l("Channel"), choices=choices("channel", blank="—"), default="")
    contact_id = SelectField(_l("With"), choices=[], default="")
    summary = TextAreaField(_l("Summary"))
    occurred_at = StringField(
        _l("When (leave empty for now)"), widget=DateTimeLocalInput(), validators=[Optional()]
    )

    def payload(self, *, now: datetime, tz: tzinfo) -> dict[str, Any]:
        raw = _text(self.occurred_at.data)
        when: Any = now
        if raw:
            try:
                when = datetime.fromisoformat(raw)
            except ValueError:
                when = raw  # pydantic says what is wrong with it
            else:
                if when.tzinfo is None:
                    when = when.replace(tzinfo=tz)
        return {
            "kind": self.kind.data,
            "initiative": self.initiative.data,
            "channel": _or_none(self.channel.data),
            "contact_id": _or_none(self.contact_id.data),
            "summary": self.summary.data or "",
            "occurred_at": when,
        }


class StageForm(FlaskForm):
    stage = SelectField(_l("Move to"), choices=choices("stage"))
    reason = StringField(_l("Why"))


class CampForm(FlaskForm):
    camp = SelectField(_l("Camp"), choices=choices("camp", list(Camp)))
    camp_reason = StringField(_l("Why"))


class DoNotAskForm(FlaskForm):
    do_not_ask = HiddenField()


class OwnerForm(FlaskForm):
    new_owner_id = SelectField(_l("New owner"), choices=[], default="")


class DepartureForm(FlaskForm):
    outcome = RadioField(
        _l("What happened"),
        choices=[
            SelectChoice("left", _l("Left for another employer (or unknown)")),
            SelectChoice("retired", _l("Retired")),
        ],
        default="left",
    )
    on = StringField(_l("On"), widget=DateInput())
    new_employer = StringField(_l("New employer (optional)"))
    new_title = StringField(_l("New job title (optional)"))

    def departure_date(self, today: date) -> date | None:
        """The date typed, today when empty, None when it is not a date."""
        raw = _text(self.on.data)
        if not raw:
            return today
        try:
            return date.fromisoformat(raw)
        except ValueError:
            return None


class ServiceLineForm(FlaskForm):
    name = StringField(_l("Name"))
    description = TextAreaField(_l("Description"))


class ServiceLineStatusForm(FlaskForm):
    active = HiddenField()


def _int_arg(value: str | None) -> int | None:
    return whole_number(value)


def page_arg(args: MultiDict[str, str]) -> int:
    """The page asked for in the query string; 1 for anything that is not a page number."""
    return page_number(args.get("page"))


def _one_of(value: str | None, allowed: Iterable[str]) -> str | None:
    return value if value in set(allowed) else None


def account_filter(args: MultiDict[str, str]) -> AccountFilter:
    """The accounts list's filters from the query string; unknown values are ignored."""
    sort = args.get("sort", "name")
    return AccountFilter(
        stage=_one_of(args.get("stage"), (s.value for s in Stage)),
        owner_id=_int_arg(args.get("owner")),
        industry=_text(args.get("industry"))[:80] or None,
        service_line_id=_int_arg(args.get("service_line")),
        camp=_one_of(args.get("camp"), (c.value for c in Camp)),
        search=_text(args.get("q"))[:200],
        sort=sort if sort in SORTS else "name",
        page=page_arg(args),
        after=_int_arg(args.get("after")),
        before=_int_arg(args.get("before")),
    )


def touchpoint_filter(args: MultiDict[str, str]) -> tuple[str | None, str | None]:
    """(initiative, kind) to show on the journey map; unknown values are ignored."""
    return (
        _one_of(args.get("initiative"), (i.value for i in Initiative)),
        _one_of(args.get("kind"), (k.value for k in TouchpointKind)),
    )


class TeamForm(FlaskForm):
    # Choices are filled per page (active account managers); the POST checks the id itself.
    user_id = SelectField(_l("Colleague"), choices=[], default="", validate_choice=False)


class ProfilingObjectionForm(FlaskForm):
    """A person's objection to profiling, recorded by staff: one button, its CSRF token."""


class MarketingObjectionForm(FlaskForm):
    """A person's objection to direct marketing, recorded by staff: one button, its CSRF token."""
