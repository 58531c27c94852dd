"""Importing engagements and touchpoints: matching, planning, and applying through the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from advocacy.domain.csv_fields import Kind
from advocacy.domain.csv_import import RowProblem
from advocacy.domain.text import N_
from advocacy.domain.touchpoints import TouchpointSource
from advocacy.models import (
    Contact,
    Engagement,
    EngagementCreate,
    Touchpoint,
    TouchpointCreate,
)
from advocacy.models.fields import saved_id
from advocacy.repository import imports, journey
from advocacy.services.imports.rows import Planner, Step, changed, validated
from advocacy.services.journey.engagements import add_engagement_to, follow_engagements
from advocacy.services.journey.touchpoints import add_touchpoint_to
from advocacy.services.nurture.awareness import follow_touchpoint

ENGAGEMENT_FIELDS = (
    "title",
    "status",
    "value",
    "currency",
    "revisit_on",
    "start_date",
    "end_date",
    "external_id",
)
TOUCHPOINT_FIELDS = ("kind", "initiative", "channel", "occurred_at", "summary", "external_id")


class EngagementPlanner(Planner):
    kind = Kind.ENGAGEMENTS

    def prefetch(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        super().prefetch(rows)
        values = [row for _, row in rows]
        self.by_external_id = imports.engagements_by_external_ids(
            self.session, [v["external_id"] for v in values if "external_id" in v]
        )
        account_ids = {
            saved_id(a) for a in (*self.accounts_by_id.values(), *self.accounts_by_name.values())
        }
        self.by_title = imports.engagements_by_titles_at(self.session, account_ids)
        found = [*self.by_external_id.values(), *self.by_title.values()]
        self.lines_of = imports.service_line_ids_by_engagement(
            self.session, {saved_id(e) for e in found}
        )
        self.catalogue = imports.service_lines_by_name(self.session)

    def _line_ids(self, names: list[str]) -> list[int]:
        ids = []
        for name in names:
            line = self.catalogue.get(name.lower())
            if line is None:
                raise RowProblem(
                    N_("Unknown service line: %(value)s"), field="service_lines", value=name
                )
            ids.append(line.id or 0)
        return ids

    def plan(self, line: int, values: dict[str, Any]) -> Step:
        wanted = {name: values[name] for name in ENGAGEMENT_FIELDS if name in values}
        if "service_lines" in values:
            wanted["service_line_ids"] = self._line_ids(values["service_lines"])
        data = validated(self.kind, EngagementCreate, wanted, self.columns)
        account = self.referenced_account(values)
        engagement = None
        if data.external_id:
            engagement = self.by_external_id.get(data.external_id)
        else:
            engagement = self.by_title.get((account.id or 0, data.title.lower()))
        if engagement is None:
            return Step(line, "create", data.title, data=data, account=account)
        if engagement.account_id != account.id:
            raise RowProblem(N_("This engagement belongs to another account."), field="title")
        self.claim("engagements", engagement.id, line)
        present = {name: getattr(data, name) for name in ENGAGEMENT_FIELDS if name in wanted}
        changes = changed(engagement, present)
        if changes:
            # The rules that span fields (dates in order, a revisit date when deferred) hold for
            # the record as it will be, not only for the row.
            validated(self.kind, EngagementCreate, {**engagement.model_dump(), **changes})
        lines = set(data.service_line_ids)
        if "service_line_ids" in wanted and lines != self.lines_of.get(engagement.id or 0, set()):
            changes["service_line_ids"] = sorted(lines)
        return self.step(line, data.title, engagement, changes, account=account)

    def apply(self, steps: list[Step], progress: Callable[[int], None]) -> None:
        for step in steps:
            if step.action == "create":
                add_engagement_to(self.session, step.account, step.data, by=self.by, now=self.now)  # type: ignore[arg-type]
            elif step.action == "update":
                engagement: Engagement = step.target
                changes = dict(step.changes)
                lines = changes.pop("service_line_ids", None)
                for name, value in changes.items():
                    setattr(engagement, name, value)
                if lines is not None:
                    contacts = journey.contact_ids_of(self.session, engagement.id or 0)
                    journey.set_engagement_links(self.session, engagement.id or 0, lines, contacts)
                engagement.updated_at = self.now
                self.session.add(engagement)
                follow_engagements(self.session, step.account, by=self.by, now=self.now)  # type: ignore[arg-type]
            progress(1)


class TouchpointPlanner(Planner):
    kind = Kind.TOUCHPOINTS

    def prefetch(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        super().prefetch(rows)
        values = [row for _, row in rows]
        self.by_external_id = imports.touchpoints_by_external_ids(
            self.session, [v["external_id"] for v in values if "external_id" in v]
        )
        self.by_time = imports.touchpoints_at_times(
            self.session, [v["occurred_at"] for v in values if "external_id" not in v]
        )
        self.contacts_by_id = imports.contacts_by_external_ids(
            self.session, [v["contact_external_id"] for v in values if "contact_external_id" in v]
        )
        self.contacts_by_email = imports.contacts_by_emails(
            self.session, [v["contact_email"] for v in values if "contact_email" in v]
        )
        self.catalogue = imports.service_lines_by_name(self.session)

    def _contact(self, values: dict[str, Any], account_id: int) -> Contact | None:
        if "contact_external_id" in values:
            contact = self.contacts_by_id.get(values["contact_external_id"])
            name, value = "contact_external_id", values["contact_external_id"]
        elif "contact_email" in values:
            found = self.contacts_by_email.get(values["contact_email"], [])
            contact = next((c for c in found if c.account_id == account_id), None)
            contact = contact or (found[0] if found else None)
            name, value = "contact_email", values["contact_email"]
        else:
            return None
        if contact is None:
            raise RowProblem(N_("Unknown contact: %(value)s"), field=name, value=value)
        if contact.account_id != account_id:
            raise RowProblem(N_("This contact does not belong to the account."), field=name)
        return contact

    def plan(self, line: int, values: dict[str, Any]) -> Step:
        account = self.referenced_account(values)
        wanted = {name: values[name] for name in TOUCHPOINT_FIELDS if name in values}
        contact = self._contact(values, account.id or 0)
        if contact is not None:
            wanted["contact_id"] = contact.id
        if "service_line" in values:
            service_line = self.catalogue.get(str(values["service_line"]).lower())
            if service_line is None:
                raise RowProblem(
                    N_("Unknown service line: %(value)s"),
                    field="service_line",
                    value=values["service_line"],
                )
            wanted["service_line_id"] = service_line.id
        data = validated(self.kind, TouchpointCreate, wanted, self.columns)
        if data.occurred_at > self.now:
            raise RowProblem(
                N_("A touchpoint cannot be in the future; plan a check-in instead."),
                field="occurred_at",
            )
        label = f"{data.kind.value} {data.occurred_at:%Y-%m-%d %H:%M}"
        if data.external_id:
            touchpoint = self.by_external_id.get(data.external_id)
        else:
            touchpoint = self.by_time.get((account.id or 0, data.kind.value, data.occurred_at))
        if touchpoint is None:
            return Step(line, "create", label, data=data, account=account)
        if touchpoint.account_id != account.id:
            raise RowProblem(N_("This touchpoint belongs to another account."))
        self.claim("touchpoints", touchpoint.id, line)
        present = {name: getattr(data, name) for name in wanted}
        return self.step(line, label, touchpoint, changed(touchpoint, present))

    def apply(self, steps: list[Step], progress: Callable[[int], None]) -> None:
        for step in steps:
            if step.action == "create":
                add_touchpoint_to(
                    self.session,
                    step.account,  # type: ignore[arg-type]
                    step.data,
                    by=self.by,
                    now=self.now,
                    source=TouchpointSource.IMPORT,
                )
            elif step.action == "update":
                touchpoint: Touchpoint = step.target
                for name, value in step.changes.items():
                    setattr(touchpoint, name, value)
                self.session.add(touchpoint)
                self.session.flush()
                follow_touchpoint(self.session, touchpoint, now=self.now)
            progress(1)
