"""A person's data on request (right of access): a readable summary and the JSON document."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from advocacy.adapters.images import PictureStore
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import ADMINS
from advocacy.domain.errors import RuleError
from advocacy.http.security import allow, require_user
from advocacy.services.privacy import access, erasure
from advocacy.web.forms.common import ErasureForm
from advocacy.web.refusals import found_and_allowed, refusal

bp = Blueprint("personal_data", __name__)

# What each table is, in words; a table not named here shows under its own name.
TABLE_LABELS = {
    "people": _l("The person"),
    "contacts": _l("Contacts (one per employer)"),
    "contact_roles": _l("Buying-group roles"),
    "touchpoints": _l("Touchpoints"),
    "engagement_contacts": _l("Engagements they took part in"),
    "check_ins": _l("Check-ins"),
    "journey_signals": _l("Journey signals"),
    "surveys": _l("Surveys and answers"),
    "testimonials": _l("Testimonials"),
    "testimonial_permissions": _l("Testimonial permissions"),
    "testimonial_service_lines": _l("Testimonial service lines"),
    "permission_changes": _l("Consent history of testimonials"),
    "collection_items": _l("Library collections holding their testimonials"),
    "referrals": _l("Referrals"),
    "reference_calls": _l("Reference calls"),
    "outbox_messages": _l("E-mails sent"),
    "mail_events": _l("Delivery events of those e-mails"),
    "suppressions": _l("Suppressions"),
    "consent_changes": _l("Mail consent history"),
    "client_links": _l("Links sent to them"),
    "contact_scores": _l("Advocacy score"),
    "score_snapshots": _l("Advocacy score history"),
    "contact_line_awareness": _l("Service lines they know the firm for"),
    "nurture_enrolments": _l("Nurture campaigns"),
    "nurture_step_records": _l("Nurture steps"),
}


def table_label(table: str) -> str:
    return str(TABLE_LABELS.get(table, table))


@bp.get("/contacts/<id:contact_id>/personal-data")
@allow(*ADMINS)
@found_and_allowed
def summary(contact_id: int) -> str:
    data = access.personal_data_of_contact(
        db_session(), contact_id, by=require_user(), shown_as="html", now=utcnow()
    )
    return render_template(
        "contacts/personal_data.html", contact_id=contact_id, data=data, table_label=table_label
    )


@bp.get("/contacts/<id:contact_id>/personal-data.json")
@allow(*ADMINS)
@found_and_allowed
def document(contact_id: int) -> Response:
    data = access.personal_data_of_contact(
        db_session(), contact_id, by=require_user(), shown_as="json", now=utcnow()
    )
    body = json.dumps(data.as_json(), ensure_ascii=False, indent=2, default=str)
    name = f"personal-data-person-{data.person_id}-{data.exported_at:%Y%m%d}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/contacts/<id:contact_id>/erase", methods=["GET", "POST"])
@allow(*ADMINS)
@found_and_allowed
def erase(contact_id: int) -> Response | tuple[str, int] | str:
    """Say exactly what erasure will do, then do it once the admin types the person's name."""
    session = db_session()
    try:
        plan = erasure.erasure_plan(session, contact_id)
    except RuleError as error:
        flash(refusal(error), "error")
        return redirect(url_for("contacts.show", contact_id=contact_id))
    form = ErasureForm()
    errors: list[str] = []
    if form.validate_on_submit():
        uploads = Path(current_app.config["ADVOCACY"].instance_path) / "uploads"
        try:
            erasure.erase_person(
                session,
                contact_id,
                by=require_user(),
                now=utcnow(),
                pictures=PictureStore(uploads),
                confirm_name=form.confirm_name.data or "",
            )
        except RuleError as error:
            errors.append(refusal(error))
        else:
            flash(_("Erased. Nothing that identifies this person is left."), "success")
            return redirect(url_for("journey.show", account_id=plan.account_id))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "contacts/erase.html",
        contact_id=contact_id,
        plan=plan,
        form=form,
        errors=errors,
        table_label=table_label,
    ), status
