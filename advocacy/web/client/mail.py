"""Client-facing mail pages under /c/: the RFC 8058 one-click unsubscribe and the preference page.

No sign-in: the opaque link is the key. Pages speak the contact's language and never show a stack
trace for a bad link: an unknown or expired one gets a friendly page.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.mail import Category
from advocacy.http.extensions import csrf, limiter
from advocacy.http.security import public
from advocacy.services.mail import consent
from advocacy.services.scoring import objection
from advocacy.web.client.pages import PAGE_LIMIT, client_page, form_expired, in_language

bp = Blueprint("client_mail", __name__, url_prefix="/c")

# Per client address. Mail providers post one-click unsubscribes from a few servers for many
# people, so that limit is higher: refusing an unsubscribe is worse than serving a page.
ONE_CLICK_LIMIT = "300 per minute"
CATEGORY_FIELDS = {
    Category.NURTURE: "nurture",
    Category.SURVEY: "survey",
    Category.ADVOCACY_ASK: "advocacy_ask",
    Category.REFERENCE_REQUEST: "reference_request",
}


class PreferenceForm(FlaskForm):
    nurture = BooleanField(_l("News and insights from us"))
    survey = BooleanField(_l("Short surveys about our work together"))
    advocacy_ask = BooleanField(_l("Requests for a testimonial or a review"))
    reference_request = BooleanField(_l("Requests to speak with a prospective client"))

    def wanted(self) -> set[Category]:
        return {category for category, name in CATEGORY_FIELDS.items() if self[name].data}


class ProfilingObjectionForm(FlaskForm):
    """The objection to profiling: one button, its CSRF token the only field."""


def _unknown_link() -> Response:
    return client_page("client_mail/link_invalid.html", 404)


def expired_form() -> Response:
    """A preference form left open too long: reload the preferences in the recipient's language."""
    token = (request.view_args or {}).get("token")
    if not isinstance(token, str):
        return form_expired(reload_url=None)
    recipient = consent.recipient_for(db_session(), token, now=utcnow())
    return form_expired(
        url_for("client_mail.preferences", token=token),
        language=recipient.language if recipient is not None else None,
    )


def _preferences(
    recipient: consent.Recipient, token: str, form: PreferenceForm | None = None, **context: Any
) -> Response:
    if form is None:
        form = PreferenceForm(
            data={name: category in recipient.allowed for category, name in CATEGORY_FIELDS.items()}
        )
    return client_page(
        "client_mail/preferences.html",
        language=recipient.language,
        recipient=recipient,
        token=token,
        form=form,
        fields=CATEGORY_FIELDS,
        objection_form=ProfilingObjectionForm(formdata=None),
        objected=objection.has_objected(db_session(), token, now=utcnow()),
        **context,
    )


@bp.get("/unsubscribe/<token>")
@public
@limiter.limit(PAGE_LIMIT)
def preferences(token: str) -> Response:
    recipient = consent.recipient_for(db_session(), token, now=utcnow())
    if recipient is None:
        return _unknown_link()
    return _preferences(recipient, token)


@bp.post("/unsubscribe/<token>")
@public
@csrf.exempt  # RFC 8058: the mail provider posts this without our cookies or a form token
@limiter.limit(ONE_CLICK_LIMIT)
def one_click(token: str) -> Response:
    if request.form.get("List-Unsubscribe") != "One-Click":
        return client_page("client_mail/link_invalid.html", 400, bad_request=True)
    recipient = consent.unsubscribe_all(db_session(), token, via="one_click", now=utcnow())
    if recipient is None:
        return _unknown_link()
    return client_page("client_mail/unsubscribed.html", language=recipient.language, token=token)


@bp.post("/unsubscribe/<token>/preferences")
@public
@limiter.limit(PAGE_LIMIT)
def save_preferences(token: str) -> Response:
    session, now = db_session(), utcnow()
    recipient = consent.recipient_for(session, token, now=now)
    if recipient is None:
        return _unknown_link()
    with in_language(recipient.language):
        form = PreferenceForm()
        valid = form.validate_on_submit()
    if not valid:
        return _preferences(recipient, token, form)
    if request.form.get("action") == "unsubscribe_all":
        done = consent.unsubscribe_all(session, token, via="preference_page", now=now)
        if done is None:
            return _unknown_link()
        return client_page("client_mail/unsubscribed.html", language=done.language, token=token)
    saved = consent.set_preferences(session, token, form.wanted(), now=now)
    if saved is None:
        return _unknown_link()
    return _preferences(
        saved.recipient,
        token,
        saved_form(saved.recipient),
        saved=True,
        still_held=saved.still_held,
    )


def saved_form(recipient: consent.Recipient) -> PreferenceForm:
    """The form as the choices now stand (a fresh CSRF token for the next change)."""
    return PreferenceForm(
        formdata=None,
        data={name: category in recipient.allowed for category, name in CATEGORY_FIELDS.items()},
    )


@bp.post("/unsubscribe/<token>/profiling")
@public
@limiter.limit(PAGE_LIMIT)
def object_to_profiling(token: str) -> Response:
    """GDPR Art. 21: the client objects to being scored; the score and its history go at once."""
    session, now = db_session(), utcnow()
    recipient = consent.recipient_for(session, token, now=now)
    if recipient is None:
        return _unknown_link()
    with in_language(recipient.language):
        valid = ProfilingObjectionForm().validate_on_submit()
    if not valid:
        return _preferences(recipient, token, objection_expired=True)
    if not objection.object_by_link(session, token, now=now):
        return _unknown_link()
    return _preferences(recipient, token, objection_saved=True)
