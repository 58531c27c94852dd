"""Nurture campaign pages: the list, the campaign with its audience (segment builder and its
size), its page (steps, status, enrolled contacts), the status changes and taking a contact out.

Marketing and administrators manage campaigns; account managers see those touching their accounts,
read only, and may take one of their contacts out. The steps editor, the preview and the results
have their own modules (`campaign_steps`, `campaign_reports`).
"""

from __future__ import annotations

from typing import Final

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from pydantic import ValidationError
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import MARKETERS, STAFF, may_manage_campaigns, sees_every_campaign
from advocacy.domain.campaigns import TRANSITIONS, CampaignStatus, StepKind
from advocacy.domain.errors import RuleError
from advocacy.domain.identity import Role
from advocacy.domain.paging import page_number
from advocacy.http.security import allow, require_user
from advocacy.models import Campaign
from advocacy.models.fields import saved_id
from advocacy.repository import content, nurture
from advocacy.repository.journey import list_service_lines
from advocacy.repository.read_models import campaign_pages
from advocacy.repository.staff import list_users
from advocacy.services.nurture import campaign_setup, campaigns, planner
from advocacy.settings import Settings
from advocacy.web.forms.campaigns import CampaignForm, attach_errors
from advocacy.web.forms.common import ActionForm
from advocacy.web.refusals import found_and_allowed, refusal

bp = Blueprint("campaigns", __name__)

PAGE_SIZE: Final = 25
# The status changes a button may ask for, and the status each one leads to.
MOVES: Final = {
    "activate": CampaignStatus.ACTIVE,
    "pause": CampaignStatus.PAUSED,
    "resume": CampaignStatus.ACTIVE,
    "finish": CampaignStatus.FINISHED,
}


def settings() -> Settings:
    return current_app.config["ADVOCACY"]


def moves_from(status: str) -> list[str]:
    """The status buttons a campaign in `status` shows."""
    current = CampaignStatus(status)
    allowed = TRANSITIONS[current]
    found = []
    for move, wanted in MOVES.items():
        if wanted not in allowed:
            continue
        if move == "activate" and current is CampaignStatus.PAUSED:
            continue  # a paused campaign resumes
        if move == "resume" and current is not CampaignStatus.PAUSED:
            continue
        found.append(move)
    return found


@bp.get("/campaigns")
@allow(*STAFF)
def index() -> str:
    session = db_session()
    user = require_user()
    shown = campaigns.visible_campaigns(session, user)
    return render_template(
        "campaigns/index.html",
        campaigns=shown,
        figures=campaign_pages.campaign_figures(session, [saved_id(c) for c in shown]),
        may_manage=may_manage_campaigns(Role(user.role)),
    )


def _fill_choices(form: CampaignForm) -> None:
    session = db_session()
    chosen_lines = {*(form.bought_line_ids.data or []), *(form.not_bought_line_ids.data or [])}
    lines = [
        SelectChoice(line.id, line.name)
        for line in list_service_lines(session)
        if line.active or line.id in chosen_lines
    ]
    form.bought_line_ids.choices = lines
    form.not_bought_line_ids.choices = list(lines)
    industries = {name: name for name in content.known_industries(session)}
    for name in form.industries.data or []:
        industries.setdefault(name, name)
    form.industries.choices = [SelectChoice(name, name) for name in sorted(industries)]
    chosen_owners = set(form.owner_ids.data or [])
    form.owner_ids.choices = [
        SelectChoice(user.id, user.name or user.email)
        for user in list_users(session)
        if user.id in chosen_owners or (user.active and user.role != Role.MARKETING.value)
    ]


def _render_form(
    form: CampaignForm,
    campaign: Campaign | None,
    *,
    status: int = 200,
    errors: list[str] | None = None,
    size: int | None = None,
) -> tuple[str, int]:
    return render_template(
        "campaigns/form.html", form=form, campaign=campaign, errors=errors or [], size=size
    ), status


def _count(form: CampaignForm, campaign: Campaign | None) -> tuple[str, int]:
    """The audience's size as typed, without saving anything."""
    try:
        setup = campaign_setup.CampaignSetup.model_validate({**form.payload(), "name": "count"})
    except ValidationError as error:
        return _render_form(form, campaign, status=422, errors=attach_errors(form, error))
    size = campaigns.segment_size(
        db_session(),
        setup.criteria.to_segment(),
        utcnow(),
        threshold=settings().typecasting_relevance_threshold,
    )
    return _render_form(form, campaign, size=size)


def _submit(form: CampaignForm, campaign: Campaign | None) -> Response | tuple[str, int]:
    if not form.validate_on_submit():
        return _render_form(form, campaign, status=400)
    if request.form.get("action") == "count":
        return _count(form, campaign)
    session, user = db_session(), require_user()
    try:
        setup = campaign_setup.CampaignSetup.model_validate(form.payload())
        if campaign is None:
            saved = campaign_setup.create_with_audience(session, setup, by=user, now=utcnow())
        else:
            saved = campaign_setup.update_with_audience(
                session, saved_id(campaign), setup, by=user, now=utcnow()
            )
    except ValidationError as error:
        return _render_form(form, campaign, status=422, errors=attach_errors(form, error))
    except RuleError as error:
        return _render_form(form, campaign, status=422, errors=[refusal(error)])
    flash(_("Campaign %(name)s saved.", name=saved.name), "success")
    if campaign is None:
        return redirect(url_for("campaign_steps.edit", campaign_id=saved_id(saved)))
    return redirect(url_for("campaigns.show", campaign_id=saved_id(saved)))


@bp.route("/campaigns/new", methods=["GET", "POST"])
@allow(*MARKETERS)
@found_and_allowed
def new() -> Response | tuple[str, int]:
    form = CampaignForm()
    _fill_choices(form)
    if request.method == "GET":
        return _render_form(form, None)
    return _submit(form, None)


@bp.route("/campaigns/<id:campaign_id>/edit", methods=["GET", "POST"])
@allow(*MARKETERS)
@found_and_allowed
def edit(campaign_id: int) -> Response | tuple[str, int]:
    session = db_session()
    campaign = nurture.get_campaign(session, campaign_id)
    if request.method == "GET":
        form = CampaignForm(obj=campaign)
        form.reenter_after_days.data = str(campaign.reenter_after_days or "")
        form.fill_from(nurture.get_segment(session, campaign.segment_id).criteria())
        _fill_choices(form)
        return _render_form(form, campaign)
    form = CampaignForm()
    _fill_choices(form)
    return _submit(form, campaign)


@bp.get("/campaigns/<id:campaign_id>")
@allow(*STAFF)
@found_and_allowed
def show(campaign_id: int) -> str:
    session, user = db_session(), require_user()
    campaign = campaigns.get_visible_campaign(session, campaign_id, user)
    manager = may_manage_campaigns(Role(user.role))
    segment = nurture.get_segment(session, campaign.segment_id).criteria()
    steps = nurture.steps_of(session, [campaign_id])[campaign_id]
    size = campaigns.segment_size(
        session,
        segment.to_segment(),
        utcnow(),
        threshold=settings().typecasting_relevance_threshold,
    )
    people = campaign_pages.enrolments(
        session,
        campaign_id,
        page=page_number(request.args.get("page")),
        size=PAGE_SIZE,
        only_for_user=None if sees_every_campaign(Role(user.role)) else saved_id(user),
    )
    return render_template(
        "campaigns/show.html",
        campaign=campaign,
        criteria=segment,
        steps=steps,
        size=size,
        people=people,
        may_manage=manager,
        moves=moves_from(campaign.status) if manager else [],
        line_names={line.id: line.name for line in list_service_lines(session)},
        item_titles={
            item.id: item.title
            for item in campaign_pages.content_choices(
                session, [s.content_item_id for s in steps if s.content_item_id]
            )
        },
        owner_names={u.id: u.name or u.email for u in list_users(session)},
        email_steps=[
            s.position for s in steps if s.kind in (StepKind.EMAIL, StepKind.NEXT_LINE_EMAIL)
        ],
        action_form=ActionForm(),
    )


@bp.route(
    "/campaigns/<id:campaign_id>/status/<move>",
    methods=["GET", "POST"],
)
@allow(*MARKETERS)
@found_and_allowed
def change_status(campaign_id: int, move: str) -> Response | str:
    if move not in MOVES:
        abort(404)
    session, user = db_session(), require_user()
    campaign = nurture.get_campaign(session, campaign_id)
    if request.method == "GET":
        return render_template(
            "campaigns/confirm.html", campaign=campaign, move=move, action_form=ActionForm()
        )
    if not ActionForm().validate_on_submit():
        abort(400)
    action = getattr(campaigns, move)
    try:
        action(session, campaign_id, by=user, now=utcnow())
    except RuleError as error:
        flash(refusal(error), "error")
    else:
        flash(
            {
                "activate": _(
                    "%(name)s is running: the next run enrols its audience.", name=campaign.name
                ),
                "pause": _(
                    "%(name)s is paused: the next run sends nothing for it.", name=campaign.name
                ),
                "resume": _("%(name)s is running again.", name=campaign.name),
                "finish": _("%(name)s is finished; its results stay.", name=campaign.name),
            }[move],
            "success",
        )
    return redirect(url_for("campaigns.show", campaign_id=campaign_id))


@bp.post("/campaigns/<id:campaign_id>/test-send")
@allow(*MARKETERS)
@found_and_allowed
def test_send(campaign_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    position = page_number(request.form.get("position"))
    user = require_user()
    try:
        planner.send_test(db_session(), campaign_id, position, user, utcnow(), settings=settings())
    except RuleError as error:
        flash(refusal(error), "error")
    else:
        flash(
            _(
                "Step %(position)s is on its way to %(email)s.",
                position=str(position),
                email=user.email,
            ),
            "success",
        )
    return redirect(url_for("campaigns.show", campaign_id=campaign_id))


def _back(campaign_id: int) -> Response:
    # Back where the button was (the campaign or the contact page), never to another site.
    target = request.form.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("campaigns.show", campaign_id=campaign_id)
    return redirect(target)


@bp.route("/campaigns/<id:campaign_id>/contacts/<id:contact_id>/remove", methods=["GET", "POST"])
@allow(*STAFF)
@found_and_allowed
def remove_contact(campaign_id: int, contact_id: int) -> Response | str:
    session, user = db_session(), require_user()
    campaign = campaigns.get_visible_campaign(session, campaign_id, user)
    contact_name = campaign_pages.names_of(session, [contact_id]).get(contact_id)
    if contact_name is None:
        abort(404)
    if request.method == "GET":
        return render_template(
            "campaigns/remove.html",
            campaign=campaign,
            contact_id=contact_id,
            named=contact_name,
            next=request.args.get("next", ""),
            action_form=ActionForm(),
        )
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        campaigns.remove_contact(session, campaign_id, contact_id, by=user, now=utcnow())
    except RuleError as error:
        flash(refusal(error), "error")
    else:
        flash(
            _(
                "%(contact)s is out of %(campaign)s: removed by hand, they do not come back by themselves.",
                contact=contact_name.contact_name,
                campaign=campaign.name,
            ),
            "success",
        )
    return _back(campaign_id)
