"""Client pages under /c/ for advocacy by link: introduce someone, and answer a reference request.

No sign-in: the opaque link is the key, and a submitted form uses it up. Unknown, expired or used
links get the friendly page, never a stack trace; a form with errors comes back as typed.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.errors import RuleError
from advocacy.domain.referrals import IntroPreference
from advocacy.http.security import public
from advocacy.http.validation import rule_message
from advocacy.services.voice import references, referrals
from advocacy.web.client.pages import client_limits, client_page, form_expired, in_language
from advocacy.web.forms.advocacy import IntroductionForm, ReferenceAnswerForm
from advocacy.web.refusals import discard_changes

bp = Blueprint("client_advocacy", __name__, url_prefix="/c")


def _unknown_link() -> Response:
    return client_page("client_mail/link_invalid.html", 404)


@bp.errorhandler(CSRFError)
def _expired(_error: CSRFError) -> Response:
    # The staff error page would send a client to our sign-in: offer the same link again instead.
    return form_expired(request.path)


def _introduction_page(
    referrer: referrals.Referrer,
    token: str,
    form: IntroductionForm,
    status: int = 200,
    **ctx: object,
) -> Response:
    return client_page(
        "client_advocacy/referral.html",
        status,
        language=referrer.contact.language,
        referrer=referrer,
        token=token,
        form=form,
        **ctx,
    )


@bp.get("/referral/new/<token>")
@public
@client_limits
def introduction(token: str) -> Response:
    referrer = referrals.referrer_for(db_session(), token, now=utcnow())
    if referrer is None:
        return _unknown_link()
    with in_language(referrer.contact.language):
        form = IntroductionForm(formdata=None)
    return _introduction_page(referrer, token, form)


@bp.post("/referral/new/<token>")
@public
@client_limits
def introduce(token: str) -> Response:
    session, now = db_session(), utcnow()
    referrer = referrals.referrer_for(session, token, now=now)
    if referrer is None:
        return _unknown_link()
    with in_language(referrer.contact.language):
        form = IntroductionForm()
        valid = form.validate_on_submit()
    if not valid:
        return _introduction_page(referrer, token, form, 400)
    language = referrer.contact.language
    intro = referrals.Introduction(
        name=form.name.data or "",
        company=form.company.data or "",
        email=form.email.data or "",
        note=form.note.data or "",
        intro_preference=IntroPreference(form.intro_preference.data),
    )
    try:
        referral = referrals.introduce(
            session, current_app.config["ADVOCACY"], token, intro, now=now
        )
    except RuleError as error:
        discard_changes()
        with in_language(language):
            message = rule_message(error)
        return _introduction_page(referrer, token, form, 422, errors=[message])
    if referral is None:
        return _unknown_link()
    return client_page("client_advocacy/referral_sent.html", language=language, name=referral.name)


def _reference_page(
    invitation: references.CallInvitation,
    token: str,
    form: ReferenceAnswerForm,
    status: int = 200,
) -> Response:
    return client_page(
        "client_advocacy/reference.html",
        status,
        language=invitation.contact.language,
        invitation=invitation,
        request_row=invitation.request,
        token=token,
        form=form,
    )


@bp.get("/reference/<token>")
@public
@client_limits
def reference(token: str) -> Response:
    invitation = references.invitation_for(db_session(), token, now=utcnow())
    if invitation is None:
        return _unknown_link()
    with in_language(invitation.contact.language):
        form = ReferenceAnswerForm(formdata=None)
    return _reference_page(invitation, token, form)


@bp.post("/reference/<token>")
@public
@client_limits
def answer_reference(token: str) -> Response:
    session, now = db_session(), utcnow()
    invitation = references.invitation_for(session, token, now=now)
    if invitation is None:
        return _unknown_link()
    language = invitation.contact.language
    with in_language(language):
        form = ReferenceAnswerForm()
        valid = form.validate_on_submit()
    answer = request.form.get("answer")
    if not valid or answer not in {"accept", "decline"}:
        return _reference_page(invitation, token, form, 400)
    call = references.answer_reference(
        session, token, accept=answer == "accept", reason=form.reason.data or "", now=now
    )
    if call is None:
        return _unknown_link()
    return client_page(
        "client_advocacy/reference_answered.html", language=language, accepted=answer == "accept"
    )
