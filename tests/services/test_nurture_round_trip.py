"""Round trip with what really travels: a nurture run queues the e-mails, the dispatcher sends them
through the real sendgrid library to a local fake SendGrid, the events built from what the fake
received come back through the signed webhook, and the contact's awareness and the campaign's
results move."""

from __future__ import annotations

import random
from datetime import timedelta

from flask import Flask
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from advocacy.adapters.sendgrid_mail import SendGridSender
from advocacy.models import ContactLineAwareness, Touchpoint
from advocacy.services.mail.dispatch import dispatch_due
from advocacy.services.mail.events import process_pending_events
from advocacy.services.nurture import campaigns
from advocacy.services.nurture.results import campaign_results
from advocacy.services.nurture.run import run_campaigns
from tests.conftest import NOW
from tests.fake_sendgrid import FakeSendGrid
from tests.sendgrid_events import Signer, events_for, post_events
from tests.services.test_nurture_planner import build_firm

STARTED = NOW + timedelta(hours=1)  # after the firm's engagements, inside the send window


def test_sent_delivered_and_clicked_nurture_moves_awareness_and_results(
    sg_app: Flask, session: Session, engine: Engine, fake: FakeSendGrid, signer: Signer
) -> None:
    settings = sg_app.config["ADVOCACY"]
    firm = build_firm(session, 2)
    campaigns.activate(session, firm["campaign"].id, by=firm["marketer"], now=STARTED)
    summary = run_campaigns(session, now=STARTED, settings=settings)
    assert summary.done == 1
    sender = SendGridSender(settings, timeout=5.0, threads=1)
    try:
        report = dispatch_due(
            engine, settings, sender, now=STARTED, worker_id="w1", rng=random.Random(3)
        )
    finally:
        sender.close()
    assert report["sent"] == 1
    [request] = fake.accepted()
    assert request.body is not None
    assert request.body["personalizations"][0]["to"][0]["email"] == firm["contacts"][0].email
    client = sg_app.test_client()
    tp = firm["tp"].id
    reader = firm["contacts"][0]

    post_events(client, signer, events_for(request, ("processed", "delivered")))
    session.expire_all()
    process_pending_events(session, NOW + timedelta(hours=1))
    awareness = {
        (row.contact_id, row.service_line_id): row.state
        for row in session.exec(select(ContactLineAwareness))
    }
    assert awareness[(reader.id, tp)] == "introduced"
    results = campaign_results(
        session, firm["campaign"].id, user=firm["marketer"], now=STARTED, settings=settings
    )
    assert (results.counts.enrolled, results.counts.planned, results.counts.sent) == (2, 1, 1)
    assert (results.counts.delivered, results.counts.clicked) == (1, 0)
    assert results.counts.held_back == {"no_next_line": 1}

    post_events(client, signer, events_for(request, ("open", "click")))
    session.expire_all()
    process_pending_events(session, NOW + timedelta(hours=2))
    session.expire_all()
    [row] = session.exec(
        select(ContactLineAwareness).where(
            ContactLineAwareness.contact_id == reader.id,
            ContactLineAwareness.service_line_id == tp,
        )
    ).all()
    assert row.state == "engaged"
    # A meeting the day after the e-mail (written as an import would: it is after NOW).
    session.add(
        Touchpoint(
            account_id=reader.account_id,
            contact_id=reader.id,
            kind="meeting",
            initiative="firm",
            occurred_at=STARTED + timedelta(days=1),
            created_at=STARTED + timedelta(days=1),
        )
    )
    session.commit()
    results = campaign_results(
        session, firm["campaign"].id, user=firm["marketer"], now=STARTED, settings=settings
    )
    assert (results.counts.opened, results.counts.clicked, results.meetings) == (1, 1, 1)
    assert results.engagements_won == 0  # the firm's engagements came before the campaign
    # The targeted account now knows the firm for Transfer pricing; the comparable one (same
    # industry and stage, not targeted) did not change.
    assert results.index.targeted_accounts == results.index.comparable_accounts == 1
    assert (results.index.targeted_change, results.index.comparable_change) == (0.5, 0.0)
    assert results.index.difference == 0.5
