"""The steps editor of a nurture campaign: add, change, remove and reorder its steps.

The whole list is one form (no script needed): each step is a row, "Add a step" brings an empty
row, "Order" reorders, "Remove this step" leaves a row out. Saving replaces the list through
`services.nurture.campaigns.set_steps`, which refuses to rewrite a step some contacts have reached.
"""

from __future__ import annotations

from typing import Any, Final

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from pydantic import ValidationError
from werkzeug.wrappers import Response

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import MARKETERS
from advocacy.domain.campaigns import MAX_STEPS, CampaignStatus, Step
from advocacy.domain.errors import RuleError
from advocacy.http.security import allow, require_user
from advocacy.models import Campaign, StepInput
from advocacy.repository import nurture
from advocacy.repository.read_models import campaign_pages
from advocacy.services.nurture import campaigns
from advocacy.web.forms.campaigns import StepsForm, attach_step_errors
from advocacy.web.refusals import found_and_allowed, refusal

bp = Blueprint("campaign_steps", __name__)

BLANK: Final[dict[str, Any]] = {"order": "", "kind": "", "remove": False}


def _row(step: Step) -> dict[str, Any]:
    return {
        "order": str(step.position),
        "kind": step.kind.value,
        "wait_days": str(step.wait_days or ""),
        "wait_until": step.wait_until.isoformat() if step.wait_until else "",
        "content_item_id": str(step.content_item_id or ""),
        "ask_kind": step.ask_kind.value if step.ask_kind else "",
        "task_text": step.task_text,
        "remove": False,
    }


def _fill(form: StepsForm, steps: tuple[Step, ...]) -> None:
    session = db_session()
    # An archived item a step still names stays in its list, so the row shows what it sends.
    typed = (str(row.form.content_item_id.data or "") for row in form.steps)
    keep = [int(text) for text in typed if text.isdigit() and len(text) <= 9]
    keep += [step.content_item_id for step in steps if step.content_item_id]
    form.fill_content(
        (choice.id, f"{choice.title} ({choice.language})")
        for choice in campaign_pages.content_choices(session, keep)
    )


def _render(
    form: StepsForm,
    campaign: Campaign,
    steps: tuple[Step, ...],
    status: int = 200,
    errors: list[str] | None = None,
) -> tuple[str, int]:
    reached = nurture.furthest_reached(db_session(), campaign.id or 0)
    return render_template(
        "campaigns/steps.html",
        form=form,
        campaign=campaign,
        errors=errors or [],
        reached=reached,
        max_steps=MAX_STEPS,
    ), status


@bp.route("/campaigns/<id:campaign_id>/steps", methods=["GET", "POST"])
@allow(*MARKETERS)
@found_and_allowed
def edit(campaign_id: int) -> Response | tuple[str, int]:
    session = db_session()
    campaign = nurture.get_campaign(session, campaign_id)
    steps = nurture.steps_of(session, [campaign_id])[campaign_id]
    if campaign.status == CampaignStatus.FINISHED.value:
        flash(_("A finished campaign cannot change any more."), "error")
        return redirect(url_for("campaigns.show", campaign_id=campaign_id))
    if request.method == "GET":
        form = StepsForm(data={"steps": [*(_row(step) for step in steps), BLANK]})
        _fill(form, steps)
        return _render(form, campaign, steps)
    form = StepsForm()
    _fill(form, steps)
    if request.form.get("action") == "add":
        if len(form.steps) < MAX_STEPS + 1:
            form.steps.append_entry(BLANK)
            _fill(form, steps)
        return _render(form, campaign, steps)
    if not form.validate_on_submit():
        return _render(form, campaign, steps, 400)
    wanted: list[StepInput] = []
    refused = False
    for row, payload in form.wanted():
        try:
            wanted.append(StepInput.model_validate(payload))
        except ValidationError as error:
            attach_step_errors(row, error)
            refused = True
    if refused:
        return _render(form, campaign, steps, 422, [_("Some steps need a correction: see below.")])
    try:
        campaigns.set_steps(session, campaign_id, wanted, by=require_user(), now=utcnow())
    except RuleError as error:
        return _render(form, campaign, steps, 422, [refusal(error)])
    flash(_("The steps of %(name)s are saved.", name=campaign.name), "success")
    return redirect(url_for("campaigns.show", campaign_id=campaign_id))
