"""Forms of the referral and reference pages, and the names of their codes in the reader's language.

Forms check what a form can (a choice among the options, a date, a length); the services check the
rules (the pipeline, the cap, the bad camp), so the same refusals hold whichever page calls them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import DateInput

from advocacy.domain.references import Exclusion, Fit
from advocacy.domain.referrals import IntroPreference, ReferralStatus
from advocacy.models.accounts import SIZE_BANDS
from advocacy.web.client.pages import ClientForm

ADVOCACY_LABELS: Mapping[str, Mapping[str, Any]] = {
    "referral_status": {
        ReferralStatus.RECEIVED: _l("Received"),
        ReferralStatus.CONTACTED: _l("Contacted"),
        ReferralStatus.MEETING: _l("Meeting"),
        ReferralStatus.WON: _l("Won"),
        ReferralStatus.LOST: _l("Lost"),
    },
    "intro_preference": {
        IntroPreference.EMAIL: _l("By e-mail"),
        IntroPreference.CALL: _l("A call"),
        IntroPreference.MEETING: _l("A meeting"),
        IntroPreference.REFERRER: _l("Through me"),
    },
    "fit": {
        Fit.INDUSTRY: _l("Same industry"),
        Fit.SERVICE_LINE: _l("Bought the same service line"),
        Fit.SIZE_BAND: _l("Same size"),
        Fit.LANGUAGE: _l("Speaks the prospect's language"),
        Fit.GOOD_CAMP: _l("Good experience"),
        Fit.PROMOTER: _l("Recent positive survey"),
    },
    "exclusion": {
        Exclusion.INACTIVE: _l("Left the account"),
        Exclusion.BAD_CAMP: _l("Bad-camp account"),
        Exclusion.DO_NOT_ASK: _l("Do-not-ask account"),
        Exclusion.DETRACTOR_SURVEY: _l("Low survey score lately"),
        Exclusion.DETRACTOR_SIGNAL: _l("Open detractor signal on the account"),
        Exclusion.OVER_CAP: _l("Reached the cap of reference calls"),
        Exclusion.ALREADY_ASKED: _l("Already asked for this request"),
        Exclusion.REPAIR_OPEN: _l("Repair conversation still open"),
        Exclusion.NO_ADDRESS: _l("No e-mail address"),
        Exclusion.SUPPRESSED: _l("Asked not to receive such requests"),
        Exclusion.OBJECTED: _l("Withdrew a testimonial lately"),
        Exclusion.RECENTLY_ASKED: _l("Asked recently"),
    },
    "call_status": {
        "asked": _l("Asked"),
        "accepted": _l("Accepted"),
        "declined": _l("Declined"),
        "held": _l("Held"),
        "cancelled": _l("Cancelled"),
    },
    "request_status": {
        "open": _l("Open"),
        "fulfilled": _l("Fulfilled"),
        "cancelled": _l("Cancelled"),
    },
}


def advocacy_label(kind: str, value: str | None) -> Any:
    """The name of a referral or reference code on the page; the code itself when unknown."""
    return ADVOCACY_LABELS.get(kind, {}).get(value or "", value or "")


def install_advocacy_label(bp: Blueprint) -> None:
    """Let every template name an advocacy ask or contribution the way the forms do."""
    bp.add_app_template_global(advocacy_label, "advocacy_label")


def _valid_date(_form: FlaskForm, field: Field) -> None:
    if field.data:
        try:
            date.fromisoformat(field.data.strip())
        except ValueError:
            raise ValidationError(_l("Enter a valid date.")) from None


def parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value.strip()) if value and value.strip() else None


class IntroductionForm(ClientForm):
    """What a client tells us about the person they introduce."""

    name = StringField(_l("Their name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("Their e-mail (optional)"),
        validators=[Optional(), Email(_l("Enter a valid e-mail address.")), Length(max=254)],
    )
    company = StringField(_l("Their company"), validators=[DataRequired(), Length(max=200)])
    note = TextAreaField(
        _l("What they might need (optional)"), validators=[Optional(), Length(max=2000)]
    )
    intro_preference = RadioField(
        _l("How would you like the introduction to happen?"),
        choices=[
            SelectChoice(p.value, ADVOCACY_LABELS["intro_preference"][p]) for p in IntroPreference
        ],
        default=IntroPreference.EMAIL.value,
    )


class ReferenceAnswerForm(ClientForm):
    reason = TextAreaField(
        _l("If you decline, may we ask why? (optional)"), validators=[Optional(), Length(max=500)]
    )


class AskIntroductionForm(FlaskForm):
    # Filled with the account's active contacts who have an e-mail address.
    contact_id = SelectField(_l("Whom to ask"), choices=[])


class ReferralStatusForm(FlaskForm):
    status = SelectField(
        _l("New status"),
        choices=[
            SelectChoice(s.value, ADVOCACY_LABELS["referral_status"][s]) for s in ReferralStatus
        ],
    )
    lost_reason = StringField(
        _l("Why it was lost (when lost)"), validators=[Optional(), Length(max=500)]
    )


class ReferralOwnerForm(FlaskForm):
    owner_id = SelectField(_l("Give it to"), choices=[])


class ThankYouForm(FlaskForm):
    note = TextAreaField(_l("How you thanked them"), validators=[Optional(), Length(max=500)])
    send_email = BooleanField(_l("Also send them a thank-you e-mail"))


class ReferenceRequestForm(FlaskForm):
    prospect_name = StringField(_l("Prospect"), validators=[DataRequired(), Length(max=200)])
    industry = StringField(_l("Industry"), validators=[Optional(), Length(max=80)])
    service_line_id = SelectField(_l("Service line"), choices=[], default="")
    size_band = SelectField(
        _l("Size"),
        choices=[SelectChoice(band, band or _l("Any")) for band in SIZE_BANDS],
        default="",
    )
    language = SelectField(
        _l("Language"),
        choices=[
            SelectChoice("", _l("Any")),
            SelectChoice("en", _l("English")),
            SelectChoice("fr", _l("French")),
        ],
        default="",
    )
    deadline = StringField(_l("Needed by (optional)"), widget=DateInput(), validators=[_valid_date])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])


class AskReferenceForm(FlaskForm):
    contact_id = StringField(validators=[DataRequired()])


class CallHeldForm(FlaskForm):
    held_on = StringField(
        _l("Call held on"), widget=DateInput(), validators=[DataRequired(), _valid_date]
    )
    outcome = TextAreaField(_l("Outcome"), validators=[Optional(), Length(max=2000)])
