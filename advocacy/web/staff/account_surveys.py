"""The surveys panel of the account page: what was asked and answered, and a survey on demand.

Survey comments are internal: the panel is for account managers and admins (marketing sees
none of it). The panel's data comes from a template global, so the account page's view stays
as it is and the panel is one `{% include %}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectChoice, SelectField
from wtforms.validators import InputRequired

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import ACCOUNT_WORKERS
from advocacy.domain.errors import RuleError
from advocacy.domain.people import ContactStatus
from advocacy.domain.surveys import Refusal, SurveyKind, SurveyStatus, Trigger
from advocacy.http.security import allow, require_user
from advocacy.repository.read_models import accounts
from advocacy.repository.surveys import SurveyRow, surveys_of_account
from advocacy.services.voice import surveys
from advocacy.web.refusals import found_and_allowed, refusal
from advocacy.web.staff.account_page import _editable, _page

bp = Blueprint("account_surveys", __name__)

SURVEY_LABELS: Mapping[str, Mapping[str, Any]] = {
    "kind": {SurveyKind.NPS: _l("NPS (0–10)"), SurveyKind.CSAT: _l("Satisfaction (1–5)")},
    "trigger": {
        Trigger.COMPLETED: _l("After completion"),
        Trigger.MILESTONE: _l("Milestone"),
        Trigger.ON_DEMAND: _l("On demand"),
    },
    "status": {
        SurveyStatus.PLANNED: _l("Planned"),
        SurveyStatus.SENT: _l("Sent"),
        SurveyStatus.ANSWERED: _l("Answered"),
        SurveyStatus.EXPIRED: _l("Expired"),
        SurveyStatus.REFUSED: _l("Not sent"),
    },
    "refusal": {
        Refusal.NO_ADDRESS: _l("no e-mail address"),
        Refusal.CONTACT_LEFT: _l("the contact has left"),
        Refusal.NO_CONSENT: _l("no consent basis"),
        Refusal.SUPPRESSED: _l("the address does not accept surveys"),
        Refusal.THROTTLE: _l("surveyed recently"),
        Refusal.PRESSURE: _l("enough e-mails and conversations lately"),
    },
}


class OnDemandForm(FlaskForm):
    """Prefixed: the touchpoint form on the same page has fields of the same names."""

    contact_id = SelectField(_l("Contact"), validators=[InputRequired()])
    kind = SelectField(
        _l("Survey"),
        choices=[SelectChoice(kind.value, SURVEY_LABELS["kind"][kind]) for kind in SurveyKind],
        validators=[InputRequired()],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "survey")
        super().__init__(*args, **kwargs)


@dataclass(frozen=True)
class SurveyPanel:
    rows: list[SurveyRow]
    form: OnDemandForm


def _contact_choices(form: OnDemandForm, account_id: int) -> None:
    form.contact_id.choices = [
        SelectChoice(str(row.contact.id), row.name)
        for row in accounts.contacts_at(db_session(), account_id)
        if row.contact.status == ContactStatus.ACTIVE and row.contact.email
    ]


def survey_panel(account_id: int, form: OnDemandForm | None = None) -> SurveyPanel:
    """The account's surveys and the on-demand form (the one sent back with errors, if any)."""
    if form is None:
        form = OnDemandForm(formdata=None)
        _contact_choices(form, account_id)
    return SurveyPanel(surveys_of_account(db_session(), account_id), form)


def survey_label(kind: str, value: str | None) -> Any:
    return SURVEY_LABELS.get(kind, {}).get(value or "", value or "")


@bp.record_once
def _install(state: Any) -> None:
    state.app.add_template_global(survey_panel, "survey_panel")
    state.app.add_template_global(survey_label, "survey_label")


@bp.post("/accounts/<id:account_id>/surveys")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def send(account_id: int) -> Response | tuple[str, int]:
    _editable(account_id)
    form = OnDemandForm()
    _contact_choices(form, account_id)
    if not form.validate_on_submit():
        return _page(account_id, 400, survey_form=form)
    try:
        survey = surveys.send_on_demand(
            db_session(),
            current_app.config["ADVOCACY"],
            account_id,
            contact_id=int(form.contact_id.data),
            kind=SurveyKind(form.kind.data),
            by=require_user(),
            now=utcnow(),
        )
    except RuleError as error:
        form.contact_id.errors = [*form.contact_id.errors, refusal(error)]
        return _page(account_id, 422, survey_form=form)
    if survey.status == SurveyStatus.REFUSED:
        # Not a wrong field but a rule saying no: said above the form, where the page lands.
        why = _("Not sent: %(why)s.", why=survey_label("refusal", survey.refusal))
        return _page(account_id, 422, survey_form=form, errors={"survey": [why]})
    flash(_("Survey sent."), "success")
    return redirect(url_for("journey.show", account_id=account_id, _anchor="surveys"))
