"""The campaign list and the preview read set-based: the same statements for a small audience
and a larger one (a query per contact would show as a count that grows)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from advocacy.db import db_session
from advocacy.models import User
from advocacy.services.nurture.campaigns import activate
from advocacy.services.nurture.run import run_campaigns
from tests.conftest import NOW, count_queries
from tests.factories import (
    make_account,
    make_engagement,
    make_mail_contact,
    page_html,
    signed_in_client,
)
from tests.factories_campaigns import ALWAYS_OPEN, Firm, build_firm


def _more_clients(app: Flask, firm: Firm, count: int) -> None:
    """Accounts between engagements that bought Tax, like the firm's own."""
    with app.app_context():
        session = db_session()
        owner = session.get(User, firm.manager.id)
        for number in range(count):
            account = make_account(
                session, owner=owner, name=f"More {number}", industry="Logistics", stage="between"
            )
            make_mail_contact(session, account, full_name=f"More person {number}")
            make_engagement(session, account, status="completed", service_line_ids=[firm.tax])


def test_the_campaign_list_and_preview_send_the_same_queries_for_2_and_12_accounts(
    app_factory: Any,
) -> None:
    app = app_factory(**ALWAYS_OPEN)
    firm = build_firm(app, accounts=2)
    client = signed_in_client(app, firm.marketer)
    engine = app.extensions["advocacy.engine"]
    counts: dict[str, list[int]] = {"preview": [], "list": []}
    for grown in (0, 10):
        _more_clients(app, firm, grown)
        with count_queries(engine) as statements:
            html = page_html(client, f"/campaigns/{firm.campaign}/preview")
        counts["preview"].append(len(statements))
        assert "Transfer pricing after the reform" in html
        with app.app_context():
            session = db_session()
            marketer = session.get(User, firm.marketer.id)
            assert marketer is not None
            if not grown:
                activate(session, firm.campaign, by=marketer, now=NOW)
            run_campaigns(session, now=NOW, settings=app.config["ADVOCACY"])
        with count_queries(engine) as statements:
            page_html(client, "/campaigns")
        counts["list"].append(len(statements))
    assert counts["preview"][0] == counts["preview"][1], counts
    assert counts["list"][0] == counts["list"][1], counts
    # The preview reads what a run reads (segment, awareness, budget, content) plus the names.
    assert counts["preview"][0] <= 40 and counts["list"][0] <= 8, counts
