"""The contact page (a person across employers), contact forms, and people who leave or retire."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from pydantic import ValidationError
from werkzeug.wrappers import Response

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import (
    ACCOUNT_WORKERS,
    may_edit_account,
    may_remove_from_campaign,
    sees_private_details,
)
from advocacy.domain.errors import RuleError
from advocacy.domain.identity import Role
from advocacy.http.security import allow, require_user, signed_in
from advocacy.http.validation import apply_errors
from advocacy.models import Account, ContactCreate, ContactUpdate
from advocacy.repository import mail
from advocacy.repository.journey import (
    get_account,
    get_contact,
    get_person,
    roles_of,
    team_user_ids,
)
from advocacy.repository.read_models import campaign_pages, contacts
from advocacy.services.journey import accounts, people
from advocacy.services.privacy import objection as marketing
from advocacy.services.scoring import objection
from advocacy.web.forms.journey import (
    ContactForm,
    DepartureForm,
    MarketingObjectionForm,
    ProfilingObjectionForm,
)
from advocacy.web.refusals import found_and_allowed, refusal

bp = Blueprint("contacts", __name__)


def _show(
    contact_id: int,
    form: DepartureForm | None = None,
    status: int = 200,
    errors: Iterable[str] = (),
    objection_errors: Iterable[str] = (),
    profiling_errors: Iterable[str] = (),
) -> tuple[str, int]:
    user = require_user()
    assert user.id is not None
    session = db_session()
    history = contacts.contact_history(session, contact_id)
    may_edit = may_edit_account(
        Role(user.role),
        user.id,
        owner_id=history.account.owner_id,
        team_user_ids=team_user_ids(session, history.account.id or 0),
    )
    may_remove = may_remove_from_campaign(
        Role(user.role),
        user.id,
        owner_id=history.account.owner_id,
        team_user_ids=team_user_ids(session, history.account.id or 0),
    )
    return render_template(
        "contacts/show.html",
        history=history,
        campaigns=campaign_pages.campaigns_of_contact(session, contact_id),
        may_remove_from_campaign=may_remove,
        contact=history.contact,
        may_edit=may_edit,
        private=sees_private_details(Role(user.role)),
        departure_form=form or DepartureForm(formdata=None),
        errors=list(errors),
        objection_errors=list(objection_errors),
        profiling_errors=list(profiling_errors),
        # Who was mailed what is contact detail: the same people who see the e-mail address.
        mail_history=mail.messages_for_contact(session, history.contact.id or 0)
        if sees_private_details(Role(user.role))
        else None,
        # Objected to direct marketing: no address left to mail and no score (see the service).
        marketing_objected=history.contact.profiling_objected_at is not None
        and (
            not history.contact.email
            or "all" in mail.suppressed_categories(session, history.contact.email)
        ),
        consent=mail.consent_for_contact(session, history.contact.id or 0, history.contact.email)
        if sees_private_details(Role(user.role))
        else None,
    ), status


@bp.get("/contacts/<id:contact_id>")
@signed_in
@found_and_allowed
def show(contact_id: int) -> tuple[str, int]:
    return _show(contact_id)


@bp.post("/contacts/<id:contact_id>/departure")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def departure(contact_id: int) -> Response | tuple[str, int]:
    session = db_session()
    user = require_user()
    contact = get_contact(session, contact_id)
    accounts.check_may_edit(session, get_account(session, contact.account_id), user)
    form = DepartureForm()
    if not form.validate_on_submit():
        return _show(contact_id, form, 400)
    now = utcnow()
    on = form.departure_date(now.date())
    if on is None:
        form.on.errors = [*form.on.errors, _("Enter a valid date.")]
        return _show(contact_id, form, 422)
    try:
        result = people.record_departure(
            session,
            contact_id,
            retired=form.outcome.data == "retired",
            on=on,
            new_employer=form.new_employer.data,
            new_title=(form.new_title.data or "").strip()[:200],
            by=user,
            now=now,
        )
    except RuleError as error:
        message = refusal(error)
        return _show(contact_id, form, 422, [message])
    if result.new_account is not None:
        flash(
            _(
                "%(name)s moved to %(account)s: their new position is on their history below.",
                name=get_person(session, result.contact.person_id).full_name,
                account=result.new_account.name,
            ),
            "success",
        )
    elif form.outcome.data == "retired":
        flash(_("Marked as retired: they stay in your alumni."), "success")
    else:
        flash(_("Marked as left."), "success")
    return redirect(url_for("contacts.show", contact_id=contact_id))


@bp.post("/contacts/<id:contact_id>/profiling-objection")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def profiling_objection(contact_id: int) -> Response | tuple[str, int]:
    """The person told us they object to profiling: never score them, forget their scores."""
    session = db_session()
    form = ProfilingObjectionForm()
    if not form.validate_on_submit():
        expired = [_("This page has expired. Try again.")]
        return _show(contact_id, status=400, profiling_errors=expired)
    try:
        objection.object_by_staff(session, contact_id, by=require_user(), now=utcnow())
    except RuleError as error:
        return _show(contact_id, status=422, profiling_errors=[refusal(error)])
    flash(_("Objection to profiling recorded: their score and its history are deleted."), "success")
    return redirect(url_for("contacts.show", contact_id=contact_id))


@bp.post("/contacts/<id:contact_id>/marketing-objection")
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def marketing_objection(contact_id: int) -> Response | tuple[str, int]:
    """The person told us they object to direct marketing: no nurture, no asks, no score."""
    session = db_session()
    form = MarketingObjectionForm()
    if not form.validate_on_submit():
        expired = [_("This page has expired. Try again.")]
        return _show(contact_id, status=400, objection_errors=expired)
    try:
        marketing.object_to_marketing_by_staff(session, contact_id, by=require_user(), now=utcnow())
    except RuleError as error:
        return _show(contact_id, status=422, objection_errors=[refusal(error)])
    flash(
        _(
            "Objection to direct marketing recorded: no nurture, no advocacy asks and no score, "
            "at every employer they had."
        ),
        "success",
    )
    return redirect(url_for("contacts.show", contact_id=contact_id))


def _render_form(
    form: ContactForm,
    account: Account,
    contact_id: int | None,
    status: int = 200,
    errors: Iterable[str] = (),
) -> tuple[str, int]:
    return render_template(
        "contacts/form.html",
        form=form,
        account=account,
        contact_id=contact_id,
        errors=list(errors),
    ), status


@bp.route("/accounts/<id:account_id>/contacts/new", methods=["GET", "POST"])
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def new(account_id: int) -> Response | tuple[str, int]:
    session = db_session()
    user = require_user()
    account = get_account(session, account_id)
    accounts.check_may_edit(session, account, user)
    form = ContactForm()
    if request.method == "GET":
        return _render_form(form, account, None)
    if not form.validate_on_submit():
        return _render_form(form, account, None, 400)
    try:
        data = ContactCreate.model_validate(form.payload(creating=True))
        contact = people.add_contact(session, account_id, data, by=user, now=utcnow())
    except ValidationError as error:
        return _render_form(form, account, None, 422, apply_errors(form, error))
    except RuleError as error:
        message = refusal(error)
        return _render_form(form, account, None, 422, [message])
    flash(_("Contact added."), "success")
    return redirect(url_for("contacts.show", contact_id=contact.id))


@bp.route("/contacts/<id:contact_id>/edit", methods=["GET", "POST"])
@allow(*ACCOUNT_WORKERS)
@found_and_allowed
def edit(contact_id: int) -> Response | tuple[str, int]:
    session = db_session()
    user = require_user()
    contact = get_contact(session, contact_id)
    account = get_account(session, contact.account_id)
    accounts.check_may_edit(session, account, user)
    if request.method == "GET":
        form = ContactForm(
            obj=contact,
            data={
                "full_name": get_person(session, contact.person_id).full_name,
                "roles": sorted(roles_of(session, [contact_id])[contact_id]),
            },
        )
        return _render_form(form, account, contact_id)
    form = ContactForm()
    if not form.validate_on_submit():
        return _render_form(form, account, contact_id, 400)
    try:
        data = ContactUpdate.model_validate(form.payload(creating=False))
        people.update_contact(session, contact_id, data, by=user, now=utcnow())
    except ValidationError as error:
        return _render_form(form, account, contact_id, 422, apply_errors(form, error))
    except RuleError as error:
        message = refusal(error)
        return _render_form(form, account, contact_id, 422, [message])
    flash(_("Contact saved."), "success")
    return redirect(url_for("contacts.show", contact_id=contact_id))
