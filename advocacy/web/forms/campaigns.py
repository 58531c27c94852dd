"""Forms of the nurture campaigns: the campaign with its audience (the segment builder), and the
steps editor. They carry what was typed (and the CSRF token); the pydantic schemas validate it,
so the rules live in one place and a refused form comes back as typed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from pydantic import ValidationError
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import DateInput, NumberInput

from advocacy.domain.campaigns import MAX_STEPS, AskStepKind, StepKind
from advocacy.domain.journey import Camp, Stage
from advocacy.domain.people import BuyingRole, Seniority
from advocacy.domain.score_asks import Tier
from advocacy.http.validation import friendly
from advocacy.models import SegmentCriteria
from advocacy.web.forms.journey import CheckboxesField
from advocacy.web.labels import choices

# Segment fields of the form, in the order the criteria list them.
CRITERIA_FIELDS = (
    "stages",
    "camps",
    "industries",
    "owner_ids",
    "bought_line_ids",
    "not_bought_line_ids",
    "buying_roles",
    "seniorities",
    "advocacy_tiers",
)


def _text(value: str | None) -> str:
    return (value or "").strip()


def _number_or_text(value: str | None) -> int | str | None:
    """A typed whole number as a number; anything else as typed, for the schema to refuse."""
    text = _text(value)
    if not text:
        return None
    return int(text) if text.isdigit() and len(text) <= 9 else text


class CampaignForm(FlaskForm):
    name = StringField(_l("Name"))
    description = TextAreaField(_l("What it is for"))
    reenter_after_days = StringField(
        _l("A contact may enter again after (days)"), widget=NumberInput(min=1, max=3650)
    )
    stages = CheckboxesField(_l("Journey stages"), choices=choices("stage", list(Stage)))
    camps = CheckboxesField(_l("Camps (former clients)"), choices=choices("camp", list(Camp)))
    industries = CheckboxesField(_l("Industries"), choices=[])
    owner_ids = CheckboxesField(_l("Account owners"), choices=[], coerce=int)
    bought_line_ids = CheckboxesField(_l("Bought every one of these"), choices=[], coerce=int)
    not_bought_line_ids = CheckboxesField(_l("Bought none of these"), choices=[], coerce=int)
    max_typecasting_percent = StringField(
        _l("Typecasting index at most (%)"), widget=NumberInput(min=0, max=100)
    )
    buying_roles = CheckboxesField(
        _l("Buying-group roles"), choices=choices("role", list(BuyingRole))
    )
    seniorities = CheckboxesField(_l("Seniorities"), choices=choices("seniority", list(Seniority)))
    advocacy_tiers = CheckboxesField(
        _l("Advocacy tiers"), choices=choices("advocacy_tier", list(Tier))
    )
    no_human_touch_days = StringField(
        _l("No call or meeting for at least (days)"), widget=NumberInput(min=0, max=3650)
    )
    deferred_prospects = BooleanField(_l('Prospects whose proposal was "not now"'))

    def criteria(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            name: list(getattr(self, name).data or []) for name in CRITERIA_FIELDS
        }
        percent = _text(self.max_typecasting_percent.data)
        try:
            data["max_typecasting_index"] = float(percent) / 100 if percent else None
        except ValueError:
            data["max_typecasting_index"] = percent
        data["no_human_touch_days"] = _number_or_text(self.no_human_touch_days.data)
        data["deferred_prospects"] = bool(self.deferred_prospects.data)
        return data

    def payload(self) -> dict[str, Any]:
        return {
            "name": _text(self.name.data),
            "description": _text(self.description.data),
            "reenter_after_days": _number_or_text(self.reenter_after_days.data),
            "criteria": self.criteria(),
        }

    def fill_from(self, criteria: SegmentCriteria) -> None:
        """Show a stored audience in the form."""
        for name in CRITERIA_FIELDS:
            getattr(self, name).data = [
                getattr(value, "value", value) for value in getattr(criteria, name)
            ]
        index = criteria.max_typecasting_index
        self.max_typecasting_percent.data = "" if index is None else f"{round(index * 100)}"
        days = criteria.no_human_touch_days
        self.no_human_touch_days.data = "" if days is None else str(days)
        self.deferred_prospects.data = criteria.deferred_prospects


# Where a schema error of the campaign form goes when its name is not a form field.
FIELD_OF = {"max_typecasting_index": "max_typecasting_percent"}


def attach_errors(form: FlaskForm, error: ValidationError) -> list[str]:
    """Put each schema error next to its field (criteria included); return the others."""
    leftovers: list[str] = []
    for detail in error.errors():
        location = [str(part) for part in detail.get("loc") or ()]
        if location[:1] == ["criteria"]:
            location = location[1:]
        name = FIELD_OF.get(location[0], location[0]) if location else ""
        field = getattr(form, name, None) if name else None
        message = friendly(dict(detail))
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
        else:
            leftovers.append(message)
    return leftovers


class StepRow(Form):
    """One step of the editor; a row without a kind, or ticked "remove", is left out."""

    order = StringField(_l("Order"), widget=NumberInput(min=1, max=MAX_STEPS + 1))
    # The schema checks the codes (a refused one gets its message next to the field): a row
    # posted without one of them is an empty choice, not a broken form.
    kind = SelectField(
        _l("What it does"),
        choices=choices("step_kind", list(StepKind), blank="—"),
        default="",
        validate_choice=False,
    )
    wait_days = StringField(_l("Wait (days)"), widget=NumberInput(min=1, max=3650))
    wait_until = StringField(_l("Or wait until"), widget=DateInput())
    content_item_id = SelectField(
        _l("Content to send"), choices=[], default="", validate_choice=False
    )
    ask_kind = SelectField(
        _l("Ask for"),
        choices=choices("ask_kind", list(AskStepKind), blank="—"),
        default="",
        validate_choice=False,
    )
    task_text = StringField(_l("Task for the account manager"))
    remove = BooleanField(_l("Remove this step"))

    def payload(self) -> dict[str, Any]:
        return {
            "kind": self.kind.data,
            "wait_days": _number_or_text(self.wait_days.data),
            "wait_until": _text(self.wait_until.data) or None,
            "content_item_id": _number_or_text(self.content_item_id.data),
            "ask_kind": self.ask_kind.data or None,
            "task_text": _text(self.task_text.data),
        }


class StepsForm(FlaskForm):
    steps = FieldList(FormField(StepRow), min_entries=0, max_entries=MAX_STEPS + 5)

    def fill_content(self, items: Iterable[tuple[int, str]]) -> None:
        options = [SelectChoice("", "—"), *(SelectChoice(str(i), title) for i, title in items)]
        for row in self.steps:
            row.form.content_item_id.choices = options

    def wanted(self) -> list[tuple[StepRow, dict[str, Any]]]:
        """The rows kept, in the order asked (typed order, then their place on the page)."""
        kept: list[tuple[int, int, StepRow]] = []
        for place, entry in enumerate(self.steps):
            row: StepRow = entry.form
            if row.remove.data or not row.kind.data:
                continue
            order = _number_or_text(row.order.data)
            kept.append((order if isinstance(order, int) else place + 1, place, row))
        return [(row, row.payload()) for _order, _place, row in sorted(kept, key=lambda k: k[:2])]


def attach_step_errors(row: StepRow, error: ValidationError) -> None:
    """Put a step's schema errors next to its fields; a rule about the whole step goes by its kind."""
    for detail in error.errors():
        location = [str(part) for part in detail.get("loc") or ()]
        name = location[-1] if location and hasattr(row, location[-1]) else "kind"
        field = getattr(row, name)
        field.errors = [*field.errors, friendly(dict(detail))]
