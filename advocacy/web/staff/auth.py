"""Sign-in and sign-out: password, OpenID Connect, invitation links."""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from advocacy.adapters import oidc
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.errors import NotFound
from advocacy.domain.identity import (
    MIN_PASSWORD_LENGTH,
    IdentityError,
    normalise_email,
    safe_next_path,
)
from advocacy.http.extensions import limiter
from advocacy.http.security import (
    current_user,
    end_session,
    public,
    require_user,
    signed_in,
    start_session,
)
from advocacy.models import User
from advocacy.models.fields import saved_id
from advocacy.repository import staff
from advocacy.services.access import identity
from advocacy.settings import Settings
from advocacy.web.forms.common import ActionForm, LoginForm, SetPasswordForm

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)
INVITATION_SALT = "advocacy.invitation"


def _settings() -> Settings:
    return current_app.config["ADVOCACY"]


def _failed_attempt(response: Response) -> bool:
    # Only refused sign-ins (wrong password, invalid form) count against the limits: a person who
    # signs in is not slowed down, and an attempt a limit already refused checked no password, so
    # counting it would only let someone keep a shared address or an account locked for as long
    # as they keep sending.
    return response.status_code in (400, 401)


def _account_typed() -> str:
    return normalise_email(request.form.get("email", ""))[:254]


def _account_key() -> str:
    return "sign-in:" + _account_typed()


def _address_and_account_key() -> str:
    return f"sign-in:{get_remote_address()}:{_account_typed()}"


def _after_sign_in(raw_next: str | None) -> Response:
    return redirect(safe_next_path(raw_next) or url_for("home.index"))


# Three counts of failed attempts (see config/default.toml): per (address, account) stops one
# machine guessing one password, per account stops a guess spread over many machines, and the much
# higher per-address ceiling stops one machine trying many accounts without locking out an office
# behind one address because of one colleague's typos.
@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: _settings().login_limit_per_address,
    key_func=get_remote_address,
    methods=["POST"],
    deduct_when=_failed_attempt,
    scope="login-address",
)
@limiter.limit(
    lambda: _settings().login_limit_per_account,
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed_attempt,
    scope="login-account",
)
@limiter.limit(
    lambda: _settings().login_limit_per_address_account,
    key_func=_address_and_account_key,
    methods=["POST"],
    deduct_when=_failed_attempt,
    scope="login-address-account",
)
def login() -> Response | tuple[str, int] | str:
    form = LoginForm()
    if request.method == "GET":
        if current_user() is not None:
            return _after_sign_in(request.args.get("next"))
        form.next.data = safe_next_path(request.args.get("next")) or ""
        return render_template("auth/login.html", form=form)
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400
    try:
        user = identity.authenticate(
            db_session(), form.email.data, form.password.data, now=utcnow()
        )
    except identity.SignInRefused as refused:
        form.password.data = ""
        return render_template("auth/login.html", form=form, error=_(str(refused))), 401
    start_session(user, now=utcnow())
    log.info("user %s signed in with a password", user.id)
    return _after_sign_in(form.next.data)


@bp.post("/logout")
@signed_in
def logout() -> Response:
    form = ActionForm()
    if form.validate_on_submit():
        # Clearing this browser's cookie is not enough: a copy of it (another tab, a stolen one)
        # would still work, so the session ends on the server too.
        identity.sign_out(db_session(), saved_id(require_user()))
        end_session()
        flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


def _provider_unreachable() -> tuple[str, int]:
    message = _("The identity provider cannot be reached right now. Try again in a minute.")
    return render_template("auth/refused.html", message=message), 502


@bp.get("/auth/oidc/login")
@public
def oidc_login() -> Response | tuple[str, int]:
    settings = _settings()
    if not settings.oidc_enabled:
        return render_template(
            "auth/refused.html", message=_("Single sign-on is not configured on this server.")
        ), 404
    next_path = safe_next_path(request.args.get("next"))
    session["oidc_next"] = next_path or ""
    try:
        return oidc.redirect_to_provider(settings.base_url + url_for("auth.oidc_callback"))
    except oidc.ProviderError as error:
        log.warning("OIDC sign-in could not start: %s", error)
        return _provider_unreachable()


@bp.get("/auth/oidc/callback")
@public
def oidc_callback() -> Response | tuple[str, int]:
    settings = _settings()
    if not settings.oidc_enabled:
        return render_template(
            "auth/refused.html", message=_("Single sign-on is not configured on this server.")
        ), 404
    if "error" in request.args:
        # Anyone can send a person to this address with any text in it, so the page only shows
        # messages of ours; the provider's own description goes to the log.
        error_code = request.args["error"][:100]
        log.info(
            "OIDC provider refused sign-in: %r %r",
            error_code,
            request.args.get("error_description", "")[:300],
        )
        if error_code == "access_denied":
            message = _("Sign-in was cancelled or refused at the identity provider.")
        else:
            message = _("The identity provider did not sign you in.")
        return render_template("auth/refused.html", message=message), 403
    try:
        claims = oidc.claims_from_callback()
    except oidc.ProviderUnreachable as error:
        log.warning("OIDC callback could not reach the provider: %s", error)
        return _provider_unreachable()
    except oidc.ProviderError as error:
        log.warning("OIDC callback refused: %s", error)
        message = _(
            "Sign-in could not be completed (the answer from the identity provider was "
            "not valid or has expired). Please start again."
        )
        return render_template("auth/refused.html", message=message), 400
    try:
        user = identity.sign_in_with_oidc(
            db_session(),
            identity.OidcClaims.from_mapping(claims),
            auto_provision_domains=settings.oidc_auto_provision_domains,
            auto_provision_role=settings.oidc_auto_provision_role,
            now=utcnow(),
        )
    except identity.OidcRefused as refused:
        log.info("OIDC sign-in refused: %s", refused.outcome)
        return render_template("auth/refused.html", message=_(str(refused))), 403
    next_path = session.get("oidc_next")
    start_session(user, now=utcnow())
    log.info("user %s signed in through OIDC", user.id)
    return _after_sign_in(next_path)


def invitation_token(user: User) -> str:
    """A signed token for `user` to set a password; it stops working once used or re-keyed."""
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=INVITATION_SALT)
    return serializer.dumps({"u": user.id, "e": user.session_epoch})


def _read_invitation(token: str) -> tuple[int, int] | None:
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=INVITATION_SALT)
    max_age = _settings().invitation_valid_days * 86400
    try:
        data = serializer.loads(token, max_age=max_age)
        return int(data["u"]), int(data["e"])
    except (BadSignature, SignatureExpired, KeyError, TypeError, ValueError):
        return None


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str) -> Response | tuple[str, int] | str:
    found = _read_invitation(token)
    user = None
    if found is not None:
        try:
            user = staff.get_user(db_session(), found[0])
        except NotFound:
            user = None
    if found is None or user is None or user.session_epoch != found[1] or not user.active:
        message = _(
            "This invitation link is not valid any more. Ask an administrator for a new one."
        )
        return render_template("auth/refused.html", message=message), 404
    form = SetPasswordForm()
    page = {"form": form, "user": user, "min_password_length": MIN_PASSWORD_LENGTH}
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("auth/invitation.html", **page), 400
        try:
            user = identity.set_password(
                db_session(), saved_id(user), form.password.data, expected_epoch=found[1]
            )
        except IdentityError as error:
            form.password.errors.append(_(str(error)))
            return render_template("auth/invitation.html", **page), 422
        start_session(user, now=utcnow())
        flash(_("Your password is set. Welcome!"), "success")
        return redirect(url_for("home.index"))
    return render_template("auth/invitation.html", **page)
