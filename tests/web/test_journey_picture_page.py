"""The account page's journey picture: one server-drawn SVG of stages, engagements (with their
service lines) and touchpoints in three lanes, titled marks, a summary in words, no inline style;
and the same statements whatever the number of touchpoints."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.models import Touchpoint
from tests.conftest import count_queries
from tests.factories import (
    make_account,
    make_engagement,
    make_service_line,
    make_staff,
    make_touchpoint,
    page_html,
    signed_in_client,
)


def _picture(html: str) -> str:
    match = re.search(r'<figure class="journey-picture">.*?</figure>', html, re.DOTALL)
    assert match, "no journey picture"
    return match.group(0)


def _account(app: Flask, owner: object) -> int:
    with app.app_context():
        session = db_session()
        line = make_service_line(session, "Transfer pricing")
        account = make_account(session, owner=owner, name="Harbour Ltd")
        make_engagement(
            session, account, title="Pricing review", status="won", service_line_ids=[line.id]
        )
        for initiative, kind in (("client", "call"), ("firm", "meeting"), ("external", "press")):
            make_touchpoint(session, account, initiative=initiative, kind=kind)
        return int(account.id)


def _more_touchpoints(app: Flask, account_id: int, count: int) -> None:
    now = utcnow()
    with app.app_context():
        session = db_session()
        session.add_all(
            Touchpoint(
                account_id=account_id,
                kind="email",
                initiative="firm",
                occurred_at=now - timedelta(days=3 * number + 2),
                created_at=now,
            )
            for number in range(count)
        )
        session.commit()


def test_the_account_page_draws_the_journey_with_titled_marks_and_a_summary(app: Flask) -> None:
    owner = make_staff(app)
    account_id = _account(app, owner)
    html = page_html(signed_in_client(app, owner), f"/accounts/{account_id}")
    picture = _picture(html)
    assert '<svg class="journey-svg" viewBox="0 0 800 ' in picture and 'width="100%"' in picture
    assert 'role="img"' in picture and '<title id="journey-picture-title">' in picture
    assert "style=" not in picture  # the CSP allows no inline style
    assert 'class="jp-stage jp-stage-active"' in picture
    assert "Pricing review (Won) — Transfer pricing" in picture
    for lane in ("client", "firm", "external"):
        assert picture.count(f'class="jp-mark jp-mark-{lane}"') == 1
    assert "Started by the client · Call</title>" in picture
    assert "1 engagement and 3 touchpoints (1 started by the client, 1 by us, 1 from outside)" in (
        picture
    )
    assert 'id="journey"' in html and '<th scope="col">Move</th>' in html  # the table stays
    french = signed_in_client(app, owner).get(
        f"/accounts/{account_id}", headers={"Accept-Language": "fr"}
    )
    assert "Carte du parcours de Harbour Ltd" in french.get_data(as_text=True)


def test_an_account_with_hundreds_of_touchpoints_gets_monthly_marks_and_the_same_queries(
    app: Flask,
) -> None:
    owner = make_staff(app)
    account_id = _account(app, owner)
    client = signed_in_client(app, owner)
    engine = app.extensions["advocacy.engine"]
    counts = []
    for grown in (0, 400):
        _more_touchpoints(app, account_id, grown)
        with count_queries(engine) as statements:
            html = page_html(client, f"/accounts/{account_id}")
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    picture = _picture(html)
    assert "Each mark gathers a month" in picture
    marks = picture.count('class="jp-mark ')
    assert 3 < marks < 60, marks  # about 40 months of e-mails, not 400 dots
