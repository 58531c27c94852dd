"""Forms of the testimonial pages: the client's (write, approve, manage, renew a link) and staff's."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import BooleanField, Field, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.widgets import DateInput

from advocacy.adapters.images import MAX_BYTES
from advocacy.domain.testimonials import USE_WORDING, Use
from advocacy.services.voice.testimonial_consent import Choices
from advocacy.web.client.pages import ClientForm
from advocacy.web.forms.journey import CheckboxesField

RATINGS = [SelectChoice("", _l("No rating")), *(SelectChoice(str(n), str(n)) for n in range(1, 6))]


def wording_shown() -> dict[Use, str]:
    """Each use's wording as the client reads it now, in their language (kept in the record)."""
    return {use: _(text) for use, text in USE_WORDING.items()}


class PermissionsMixin:
    """One checkbox and one optional last day per use: `use_<name>` and `until_<name>`."""

    def use_fields(self) -> list[tuple[Use, Field, Field]]:
        return [(use, self[f"use_{use.value}"], self[f"until_{use.value}"]) for use in Use]  # type: ignore[index]

    def choices(self) -> Choices | None:
        """The uses ticked, or None after marking each unreadable date on its field."""
        uses: dict[Use, date | None] = {}
        valid = True
        for use, ticked, until in self.use_fields():
            text = (until.data or "").strip()
            try:
                expires_on = date.fromisoformat(text) if text else None
            except ValueError:
                until.errors = [*until.errors, _("Enter a date such as 2027-12-31.")]
                valid = False
                continue
            if ticked.data:
                uses[use] = expires_on
        return Choices(uses, wording_shown()) if valid else None

    def fill(self, rows: list[tuple[str, date | None]]) -> None:
        for use, expires_on in rows:
            self[f"use_{use}"].data = True  # type: ignore[index]
            self[f"until_{use}"].data = expires_on.isoformat() if expires_on else ""  # type: ignore[index]


def _with_permissions(cls: type) -> type:
    for use, wording in USE_WORDING.items():
        setattr(cls, f"use_{use.value}", BooleanField(_l(wording)))
        setattr(
            cls,
            f"until_{use.value}",
            StringField(_l("Until (optional)"), widget=DateInput()),
        )
    return cls


def read_upload(field: FileField) -> bytes | None:
    """The uploaded file's bytes (at most one byte over the limit, so a huge file is not read)."""
    storage = field.data
    if not isinstance(storage, FileStorage) or not storage.filename:
        return None
    return storage.stream.read(MAX_BYTES + 1)


@_with_permissions
class TestimonialForm(ClientForm, PermissionsMixin):
    body = TextAreaField(_l("Your testimonial"))
    rating = RadioField(_l("Your rating (optional)"), choices=RATINGS, default="")
    display_name = StringField(_l("Name to show"))
    display_title = StringField(_l("Job title to show"))
    display_company = StringField(_l("Company to show"))
    photo = FileField(_l("Your photo (optional)"))
    logo = FileField(_l("Your company's logo (optional)"))

    def rating_value(self) -> int | None:
        return int(self.rating.data) if self.rating.data else None


@_with_permissions
class ApprovalForm(ClientForm, PermissionsMixin):
    """The client approves staff's text: display fields, uses, pictures."""

    rating = RadioField(_l("Your rating (optional)"), choices=RATINGS, default="")
    display_name = StringField(_l("Name to show"))
    display_title = StringField(_l("Job title to show"))
    display_company = StringField(_l("Company to show"))
    photo = FileField(_l("Your photo (optional)"))
    logo = FileField(_l("Your company's logo (optional)"))

    def rating_value(self) -> int | None:
        return int(self.rating.data) if self.rating.data else None


class AnswerForm(ClientForm):
    """Accept or reject the firm's edit (the button pressed says which)."""


@_with_permissions
class ManageForm(ClientForm, PermissionsMixin):
    pass


class WithdrawForm(ClientForm):
    pass


class RenewForm(ClientForm):
    email = StringField(_l("Your e-mail address"))


class InterviewForm(FlaskForm):
    contact_id = RadioField(_l("Who said it"), choices=[])
    body = TextAreaField(_l("What they said"))
    display_title = StringField(_l("Their job title, as it should appear"))
    rating = RadioField(_l("Their rating (optional)"), choices=RATINGS, default="")


class AskForm(FlaskForm):
    contact_id = RadioField(_l("Whom to ask"), choices=[])


class EditForm(FlaskForm):
    body = TextAreaField(_l("The text you suggest"))


class WithdrawOnBehalfForm(FlaskForm):
    reason = StringField(_l("Why (who asked, and how)"))


class TagsForm(FlaskForm):
    service_line_ids = CheckboxesField(_l("Service lines"), choices=[])
    industry = StringField(_l("Industry"))
    outcomes = StringField(_l("Outcomes (separated by commas)"))
