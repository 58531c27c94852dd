"""Forms of the check-in pages and the names of check-in codes in the reader's language.

The forms check what a form can (a choice among the options, a date, a length); the services
check the rules (a snooze within a year, a rhythm between 1 and 730 days), so those live in one
place and the API can reuse them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import Blueprint
from flask_babel import format_date, format_percent
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import DateInput

from advocacy.adapters.reason_sentences import talking_point_sentence
from advocacy.domain.cadence import CheckInKind, CheckInOutcome, CheckInStatus
from advocacy.domain.numbers import whole_number
from advocacy.domain.touchpoints import Channel
from advocacy.services.check_ins.my_week import DEFAULT_TEAM_PERIOD, TEAM_PERIODS
from advocacy.services.check_ins.work import CHECK_IN_CHANNELS
from advocacy.web.labels import LABELS as JOURNEY_LABELS

# The models' column limits: longer text is refused with a reason instead of cut silently.
NOTES_MAX = 5000
NEXT_STEP_MAX = 500
REASON_MAX = 500

CHECK_IN_LABELS: Mapping[str, Mapping[str, Any]] = {
    "check_in_kind": {
        CheckInKind.ROUTINE: _l("Routine check-in"),
        CheckInKind.REVISIT: _l("Revisit a “not now”"),
        CheckInKind.REPAIR: _l("Repair conversation"),
    },
    "check_in_status": {
        CheckInStatus.OPEN: _l("Open"),
        CheckInStatus.DONE: _l("Done"),
        CheckInStatus.SKIPPED: _l("Skipped"),
    },
    "outcome": {
        CheckInOutcome.SPOKE: _l("We spoke"),
        CheckInOutcome.NEW_NEED: _l("We spoke and found a new need"),
        CheckInOutcome.LEFT_MESSAGE: _l("Left a message"),
        CheckInOutcome.NO_ANSWER: _l("No answer"),
    },
}


def check_in_label(kind: str, value: str | None) -> Any:
    """The name of a check-in code on the page; the code itself when it is unknown."""
    return CHECK_IN_LABELS.get(kind, {}).get(value or "", value or "")


def iso_day(value: str) -> str:
    """A date stored as ISO text (talking points), in the reader's language."""
    try:
        return format_date(date.fromisoformat(value), "medium")
    except (TypeError, ValueError):
        return value


def install(bp: Blueprint) -> None:
    """Make the check-in labels available to every template (the home page uses them too)."""
    bp.add_app_template_global(check_in_label, "check_in_label")
    bp.add_app_template_filter(iso_day, "iso_day")
    bp.add_app_template_global(format_percent, "percent")
    bp.add_app_template_global(talking_point_sentence, "talking_point_sentence")


def _valid_date(_form: FlaskForm, field: Field) -> None:
    if field.data:
        try:
            date.fromisoformat(field.data.strip())
        except ValueError:
            raise ValidationError(_l("Enter a valid date.")) from None


def _parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value.strip()) if value and value.strip() else None


def _whole_days(_form: FlaskForm, field: Field) -> None:
    raw = (field.data or "").strip()
    if raw and whole_number(raw, max_digits=4) is None:
        raise ValidationError(_l("Enter a whole number of days."))


class WithIds:
    """Several copies of a form on one page (one per check-in) need their own element ids."""

    def with_ids(self, suffix: object) -> Any:
        for name in self._fields:  # type: ignore[attr-defined]
            field = self._fields[name]  # type: ignore[attr-defined]
            field.id = f"{field.id}-{suffix}"
            field.label.field_id = field.id
        return self


class CompleteForm(WithIds, FlaskForm):
    outcome = SelectField(
        _l("Outcome"),
        choices=[SelectChoice(o.value, CHECK_IN_LABELS["outcome"][o]) for o in CheckInOutcome],
        default=CheckInOutcome.SPOKE.value,
    )
    channel = SelectField(
        _l("How"),
        choices=[SelectChoice(c.value, JOURNEY_LABELS["channel"][c]) for c in CHECK_IN_CHANNELS],
        default=Channel.PHONE.value,
    )
    # Filled per check-in with the account's active contacts; empty keeps the suggested one.
    contact_id = SelectField(_l("With"), choices=[], default="")
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=NOTES_MAX)])
    next_step = StringField(_l("Next step"), validators=[Optional(), Length(max=NEXT_STEP_MAX)])
    next_on = StringField(
        _l("Next check-in on (optional)"), widget=DateInput(), validators=[_valid_date]
    )

    def next_on_date(self) -> date | None:
        return _parse_date(self.next_on.data)

    def contact(self) -> int | None:
        return int(self.contact_id.data) if self.contact_id.data else None


class SnoozeForm(WithIds, FlaskForm):
    until = StringField(
        _l("Snooze until"), widget=DateInput(), validators=[DataRequired(), _valid_date]
    )

    def until_date(self) -> date:
        found = _parse_date(self.until.data)
        assert found is not None  # the validators required a date
        return found


class ReassignForm(WithIds, FlaskForm):
    # Choices are the active account managers and administrators, filled per page.
    user_id = SelectField(_l("Give it to"), choices=[], default="")


class SkipForm(WithIds, FlaskForm):
    reason = StringField(_l("Why skip it"), validators=[Optional(), Length(max=REASON_MAX)])


class CadenceForm(FlaskForm):
    every_days = StringField(
        _l("Check in every … days (empty: the stage's rhythm)"),
        render_kw={"inputmode": "numeric"},
        validators=[_whole_days],
    )
    paused_until = StringField(
        _l("Pause check-ins until (optional)"), widget=DateInput(), validators=[_valid_date]
    )

    def every(self) -> int | None:
        raw = (self.every_days.data or "").strip()
        return int(raw) if raw else None

    def paused(self) -> date | None:
        return _parse_date(self.paused_until.data)


def team_period(value: str | None) -> int:
    """The team view's period in days from the query string; unknown values give the default."""
    return int(value) if value in {str(days) for days in TEAM_PERIODS} else DEFAULT_TEAM_PERIOD
