"""The client's survey page under /c/survey/<token>: one question, a "why", and thanks.

The link is the key (no sign-in). A submitted answer consumes it; reopening it thanks the client
again; an unknown or expired one gets the friendly page. A promoter is offered, on the thank-you
page, to write a testimonial or introduce someone.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.surveys import COMMENT_MAX, SCALES, AnswerRefused, SurveyKind
from advocacy.http.security import public
from advocacy.services.voice import survey_answers
from advocacy.services.voice.survey_answers import AlreadyAnswered, LinkGone, OpenSurvey
from advocacy.web.client.pages import (
    ClientForm,
    client_limits,
    client_page,
    form_expired,
    in_language,
)

bp = Blueprint("client_surveys", __name__, url_prefix="/c")


class SurveyForm(ClientForm):
    score = RadioField(coerce=int, validators=[InputRequired(_l("Choose a score."))])
    comment = TextAreaField(
        _l("Why? (optional)"),
        validators=[
            Length(
                max=COMMENT_MAX,
                message=_l("Keep the comment under %(max)d characters, please.", max=COMMENT_MAX),
            )
        ],
        render_kw={"rows": 5, "maxlength": COMMENT_MAX},
    )

    def for_kind(self, kind: SurveyKind) -> SurveyForm:
        low, high = SCALES[kind]
        self.score.choices = [(n, str(n)) for n in range(low, high + 1)]
        return self


def _question(kind: SurveyKind, firm: str) -> str:
    if kind is SurveyKind.NPS:
        return _("How likely are you to recommend %(firm)s to a colleague?", firm=firm)
    return _("How satisfied are you with our work so far?")


def _form_page(opened: OpenSurvey, token: str, form: SurveyForm, status: int = 200) -> Response:
    kind = SurveyKind(opened.survey.kind)
    with in_language(opened.language):
        question = _question(kind, current_app.config["ADVOCACY"].firm_name)
    return client_page(
        "client_surveys/survey.html",
        status,
        language=opened.language,
        form=form,
        kind=kind.value,
        low=SCALES[kind][0],
        high=SCALES[kind][1],
        question=question,
        token=token,
    )


def _closed(error: LinkGone | AlreadyAnswered) -> Response:
    if isinstance(error, AlreadyAnswered):
        return client_page("client_surveys/answered.html", language=error.language)
    return client_page("client_mail/link_invalid.html", 404, language=error.language)


@bp.get("/survey/<token>")
@public
@client_limits
def survey(token: str) -> Response:
    try:
        opened = survey_answers.open_survey(db_session(), token, now=utcnow())
    except (LinkGone, AlreadyAnswered) as error:
        return _closed(error)
    with in_language(opened.language):
        form = SurveyForm(formdata=None).for_kind(SurveyKind(opened.survey.kind))
    return _form_page(opened, token, form)


@bp.post("/survey/<token>")
@public
@client_limits
def answer(token: str) -> Response:
    session, now = db_session(), utcnow()
    try:
        opened = survey_answers.open_survey(session, token, now=now)
    except (LinkGone, AlreadyAnswered) as error:
        return _closed(error)
    with in_language(opened.language):
        form = SurveyForm().for_kind(SurveyKind(opened.survey.kind))
        valid = form.validate_on_submit()
    if not valid:
        return _form_page(opened, token, form, 400)
    try:
        answered = survey_answers.answer_survey(
            session,
            token,
            form.score.data,
            form.comment.data or "",
            settings=current_app.config["ADVOCACY"],
            now=now,
        )
    except AnswerRefused as error:
        session.rollback()
        with in_language(opened.language):
            form.comment.errors = [*form.comment.errors, _(error.message, **error.params)]
        return _form_page(opened, token, form, 422)
    except (LinkGone, AlreadyAnswered) as error:
        return _closed(error)
    return client_page(
        "client_surveys/thanks.html",
        language=answered.language,
        testimonial_path=answered.testimonial_path,
        referral_path=answered.referral_path,
    )


@bp.errorhandler(CSRFError)
def _expired_form(_error: CSRFError) -> Response:
    """A survey page left open too long: the client's page, with the same link to reload."""
    token = (request.view_args or {}).get("token")
    language: str | None = None
    reload_url: str | None = None
    if isinstance(token, str):
        reload_url = url_for("client_surveys.survey", token=token)
        try:
            language = survey_answers.open_survey(db_session(), token, now=utcnow()).language
        except (LinkGone, AlreadyAnswered) as error:
            return _closed(error)  # nothing to reload: say what the link says when opened
    return form_expired(reload_url, language=language)
