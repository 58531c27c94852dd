"""Staff forms. Every state-changing form carries a CSRF token (Flask-WTF)."""

from __future__ import annotations

import zoneinfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from advocacy.domain.identity import MAX_PASSWORD_LENGTH, Role

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
    if field.data:
        try:
            zoneinfo.ZoneInfo(field.data)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # OSError: an over-long name
            raise ValidationError(
                _l("Unknown time zone; use a name such as Europe/Paris.")
            ) from None


class PreferencesForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    timezone = StringField(
        _l("Time zone"), validators=[Optional(), Length(max=64), _known_timezone]
    )


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )
