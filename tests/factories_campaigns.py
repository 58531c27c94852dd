"""A small firm for the campaign pages: accounts between engagements that bought Tax, some of
them also Transfer pricing (which has an article), owned by two account managers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from advocacy.db import db_session
from advocacy.domain.campaigns import StepKind
from advocacy.models import ContentItemCreate, StepInput, User
from advocacy.services.content.items import create_item
from advocacy.services.nurture import campaign_setup, campaigns
from tests.conftest import NOW
from tests.factories import (
    make_account,
    make_engagement,
    make_mail_contact,
    make_service_line,
    make_user,
)

# Every hour of every day: a page test must not depend on the hour it runs at.
ALWAYS_OPEN = {"mail_send_window": "00:00-23:59", "mail_send_weekdays": [1, 2, 3, 4, 5, 6, 7]}


@dataclass
class Firm:
    marketer: User
    manager: User  # owns the first half of the accounts
    other_manager: User  # owns the rest
    tax: int
    tp: int
    item: int
    campaign: int
    contacts: list[Any] = field(default_factory=list)  # in account order


def build_firm(app: Flask, accounts: int = 4) -> Firm:
    """The firm and a draft "next service line" campaign for its accounts between engagements."""
    with app.app_context():
        session = db_session()
        marketer = make_user(session, role="marketing", name="Mia Marketing")
        manager = make_user(session, role="account_manager", name="Alex Manager")
        other = make_user(session, role="account_manager", name="Olga Other")
        tax, tp = make_service_line(session, "Tax"), make_service_line(session, "Transfer pricing")
        item = create_item(
            session,
            ContentItemCreate.model_validate(
                {
                    "kind": "article",
                    "title": "Transfer pricing after the reform",
                    "url": "https://insights.firm.example/tp",
                    "summary": "What changes for groups with foreign subsidiaries.",
                    "service_line_ids": [tp.id],
                }
            ),
            by=marketer,
            now=NOW,
        )
        contacts = []
        for number in range(accounts):
            owner = manager if number < accounts // 2 else other
            account = make_account(
                session, owner=owner, name=f"Client {number}", industry="Logistics", stage="between"
            )
            contact = make_mail_contact(
                session, account, full_name=f"Client person {number}", timezone="Europe/Paris"
            )
            make_engagement(session, account, status="completed", service_line_ids=[tax.id])
            if number % 2:  # they bought Transfer pricing too: nothing left to introduce
                make_engagement(session, account, status="completed", service_line_ids=[tp.id])
            contacts.append(contact)
        setup = campaign_setup.CampaignSetup.model_validate(
            {"name": "Between engagements", "criteria": {"stages": ["between"]}}
        )
        campaign = campaign_setup.create_with_audience(session, setup, by=marketer, now=NOW)
        campaigns.set_steps(
            session,
            campaign.id or 0,
            [StepInput(kind=StepKind.NEXT_LINE_EMAIL), StepInput(kind=StepKind.WAIT, wait_days=14)],
            by=marketer,
            now=NOW,
        )
        return Firm(
            marketer, manager, other, tax.id, tp.id, item.id or 0, campaign.id or 0, contacts
        )
