"""Staff forms. Every state-changing form carries a CSRF token (Flask-WTF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from advocacy.domain.identity import MAX_PASSWORD_LENGTH, Role
from advocacy.domain.time_zones import is_known_timezone
from advocacy.services.check_ins.digest import RECIPIENT_ROLES

ROLE_CHOICES = [
    SelectChoice(Role.ACCOUNT_MANAGER.value, _l("Account manager")),
    SelectChoice(Role.MARKETING.value, _l("Marketing")),
    SelectChoice(Role.ADMIN.value, _l("Administrator")),
]
LANGUAGE_CHOICES = [
    SelectChoice("", _l("Same as my browser")),
    SelectChoice("en", "English"),
    SelectChoice("fr", "Français"),
]


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    next = HiddenField()


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=Role.ACCOUNT_MANAGER.value)


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)


def _known_timezone(_form: FlaskForm, field: StringField) -> None:
    if field.data and not is_known_timezone(field.data):
        raise ValidationError(_l("Unknown time zone; use a name such as Europe/Paris."))


class PreferencesForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    timezone = StringField(
        _l("Time zone"), validators=[Optional(), Length(max=64), _known_timezone]
    )
    check_in_digest = BooleanField(_l("Daily e-mail of due check-ins"))

    def for_role(self, role: str) -> PreferencesForm:
        """Only those who own accounts get check-ins, so only they choose the digest."""
        if role not in RECIPIENT_ROLES:
            del self.check_in_digest
        return self

    def digest_choice(self) -> bool | None:
        """The digest choice posted, or None when the form does not offer it."""
        return bool(self.check_in_digest.data) if "check_in_digest" in self else None


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class ErasureForm(FlaskForm):
    """Erasing a person: their full name typed again, because it cannot be undone."""

    confirm_name = StringField(
        _l("Type their full name to confirm"), validators=[DataRequired(), Length(max=200)]
    )
