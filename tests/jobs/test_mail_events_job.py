"""The "mail.process_events" job applies the events SendGrid posted to the signed webhook, with the
ASM groups from settings, and running it twice changes nothing more."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from advocacy.db import db_session
from advocacy.models import ConsentChange, MailEvent, Suppression
from jobs import runner
from tests.sendgrid_events import Signer, post_events


def test_the_job_applies_a_group_unsubscribe_with_the_configured_groups(app_factory: Any) -> None:
    signer = Signer()
    app = app_factory(sendgrid_asm_group_survey=41, sendgrid_webhook_public_key=signer.public_key)
    raw = {"event": "group_unsubscribe", "email": "dana@client.example", "asm_group_id": 41}
    post_events(app.test_client(), signer, [{"sg_event_id": "g1", **raw}])
    runner.run_once(app, "mail.process_events")
    runner.run_once(app, "mail.process_events")
    with app.app_context():
        session = db_session()
        rows = session.exec(select(Suppression)).all()
        assert [(r.email, r.category, r.reason) for r in rows] == [
            ("dana@client.example", "survey", "unsubscribe")
        ]
        assert len(session.exec(select(ConsentChange)).all()) == 1
        assert session.exec(select(MailEvent)).one().processed_at is not None
