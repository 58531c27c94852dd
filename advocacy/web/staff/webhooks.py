"""Admin webhook pages: the endpoints and their registration (the secret shown once), one
endpoint's delivery log, replay, test event, switching on and off, deletion."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import ADMINS
from advocacy.domain.errors import NotFound, RuleError
from advocacy.domain.webhooks import SUBSCRIBABLE, EventType, Scope, events_for_scope
from advocacy.http.security import allow, require_user
from advocacy.http.validation import rule_message
from advocacy.models import WebhookEndpoint
from advocacy.repository import webhooks as queries
from advocacy.services.webhooks import endpoints
from advocacy.web.forms.common import ActionForm
from advocacy.web.forms.journey import CheckboxesField
from advocacy.web.refusals import discard_changes

bp = Blueprint("webhook_admin", __name__, url_prefix="/admin/webhooks")

EVENT_LABELS: dict[str, Any] = {
    EventType.TESTIMONIAL_PUBLISHED: _l("Testimonial published"),
    EventType.TESTIMONIAL_WITHDRAWN: _l("Testimonial withdrawn"),
    EventType.TESTIMONIAL_CONSENT_CHANGED: _l("Testimonial consent changed"),
    EventType.REFERRAL_RECEIVED: _l("Referral received"),
    EventType.REFERRAL_WON: _l("Referral won"),
    EventType.REFERENCE_REQUEST_ANSWERED: _l("Reference request answered"),
    EventType.SURVEY_ANSWERED: _l("Survey answered"),
    EventType.CONTACT_MOVED: _l("Contact moved to another company"),
    EventType.CONTACT_RETIRED: _l("Contact retired"),
    EventType.ACCOUNT_STAGE_CHANGED: _l("Account stage changed"),
    EventType.TEST: _l("Test event"),
}
SCOPE_LABELS: dict[str, Any] = {
    Scope.PUBLISH: _l("Publish: the website sees only what clients allowed to be published"),
    Scope.INTERNAL: _l("Internal: the firm's own systems also see names and e-mail addresses"),
}
STATUS_LABELS: dict[str, Any] = {
    "pending": _l("Waiting"),
    "sending": _l("Sending"),
    "delivered": _l("Delivered"),
    "failed": _l("Failed"),
}


class EndpointForm(FlaskForm):
    url = StringField(
        _l("Address (URL)"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[DataRequired(), Length(max=endpoints.MAX_URL_LENGTH)],
    )
    description = StringField(_l("Description"), validators=[Length(max=200)])
    scope = RadioField(
        _l("Scope"),
        choices=[SelectChoice(scope.value, SCOPE_LABELS[scope]) for scope in Scope],
        default=Scope.PUBLISH.value,
        validators=[InputRequired()],
    )
    events = CheckboxesField(
        _l("Events"),
        choices=[SelectChoice(event.value, EVENT_LABELS[event]) for event in SUBSCRIBABLE],
    )


def _index_page(form: EndpointForm | None = None, **extra: Any) -> str:
    return render_template(
        "webhooks/index.html",
        endpoints=queries.list_endpoints(db_session()),
        form=form or EndpointForm(),
        publish_events=[event.value for event in events_for_scope(Scope.PUBLISH)],
        event_labels=EVENT_LABELS,
        **extra,
    )


def _endpoint_or_404(endpoint_id: int) -> WebhookEndpoint:
    endpoint = db_session().get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        abort(404)
    return endpoint


@bp.get("")
@allow(*ADMINS)
def index() -> str:
    return _index_page()


@bp.post("")
@allow(*ADMINS)
def register() -> str | tuple[str, int]:
    form = EndpointForm()
    if not form.validate_on_submit():
        return _index_page(form), 400
    try:
        registered = endpoints.register_endpoint(
            db_session(),
            current_app.config["ADVOCACY"],
            url=form.url.data or "",
            events=form.events.data or [],
            scope=form.scope.data or "",
            description=form.description.data or "",
            by=require_user(),
            now=utcnow(),
        )
    except RuleError as error:
        discard_changes()
        target = form.events if "event" in error.message.lower() else form.url
        target.errors = [*target.errors, rule_message(error)]
        return _index_page(form), 422
    # The secret is on this answer and nowhere else: it is not kept in the session or a URL.
    return _index_page(EndpointForm(formdata=None), created=registered)


@bp.get("/<id:endpoint_id>")
@allow(*ADMINS)
def show(endpoint_id: int) -> str:
    endpoint = _endpoint_or_404(endpoint_id)
    session = db_session()
    return render_template(
        "webhooks/endpoint.html",
        endpoint=endpoint,
        deliveries=queries.deliveries_of(session, endpoint_id),
        counts=queries.status_counts(session, endpoint_id),
        action_form=ActionForm(),
        event_labels=EVENT_LABELS,
        scope_labels=SCOPE_LABELS,
        status_labels=STATUS_LABELS,
    )


def _act(endpoint_id: int, action: Any, done: str) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    _endpoint_or_404(endpoint_id)
    try:
        action()
    except NotFound:
        abort(404)
    except RuleError as error:
        discard_changes()
        flash(rule_message(error), "error")
        return redirect(url_for("webhook_admin.show", endpoint_id=endpoint_id))
    flash(done, "success")
    return redirect(url_for("webhook_admin.show", endpoint_id=endpoint_id))


@bp.post("/<id:endpoint_id>/test")
@allow(*ADMINS)
def send_test(endpoint_id: int) -> Response:
    return _act(
        endpoint_id,
        lambda: endpoints.send_test_event(
            db_session(), endpoint_id, by=require_user(), now=utcnow()
        ),
        _("A test event is on its way; it appears in the log below."),
    )


@bp.post("/<id:endpoint_id>/enable")
@allow(*ADMINS)
def enable(endpoint_id: int) -> Response:
    return _act(
        endpoint_id,
        lambda: endpoints.set_enabled(
            db_session(), endpoint_id, True, by=require_user(), now=utcnow()
        ),
        _("The endpoint is switched on."),
    )


@bp.post("/<id:endpoint_id>/disable")
@allow(*ADMINS)
def disable(endpoint_id: int) -> Response:
    return _act(
        endpoint_id,
        lambda: endpoints.set_enabled(
            db_session(), endpoint_id, False, by=require_user(), now=utcnow()
        ),
        _("The endpoint is switched off: its events wait until it is switched on again."),
    )


@bp.post("/<id:endpoint_id>/deliveries/<id:delivery_id>/replay")
@allow(*ADMINS)
def replay(endpoint_id: int, delivery_id: int) -> Response:
    return _act(
        endpoint_id,
        lambda: endpoints.replay_delivery(
            db_session(), endpoint_id, delivery_id, by=require_user(), now=utcnow()
        ),
        _("The delivery will be sent again, with the same webhook-id."),
    )


@bp.post("/<id:endpoint_id>/delete")
@allow(*ADMINS)
def delete(endpoint_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    endpoint = _endpoint_or_404(endpoint_id)
    url = endpoint.url
    endpoints.delete_endpoint(db_session(), endpoint_id, by=require_user())
    flash(_("The endpoint %(url)s and its delivery log are deleted.", url=url), "success")
    return redirect(url_for("webhook_admin.index"))
