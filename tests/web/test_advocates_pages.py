"""The Advocates page: contacts ranked by score with their tier, the explanation on expand, one
click to start the recommended ask through the existing ask forms (which check the may-we-ask rule
again), filters in the URL, a fixed number of queries; and the score on the account, contact and
home pages."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.scoring import ScoreWeights
from advocacy.models import Account, OutboxMessage, Survey
from advocacy.services.scoring import objection, recompute
from tests.conftest import count_queries
from tests.factories import (
    make_account,
    make_engagement,
    make_mail_contact,
    make_service_line,
    make_staff,
    make_touchpoint,
    page_html,
    signed_in_client,
)

# Low thresholds: a promoter who decides is a champion without years of history to build.
RULES = recompute.ScoringRules(weights=ScoreWeights(champion_at=50, advocate_at=30))


def _promoter(session: Session, account: Any, contact: Any, *, days: int = 20) -> None:
    at = utcnow() - timedelta(days=days)
    session.add(
        Survey(
            key=f"nps:{contact.id}",
            account_id=account.id,
            contact_id=contact.id,
            kind="nps",
            trigger="on_demand",
            status="answered",
            score=10,
            created_at=at,
            updated_at=at,
            answered_at=at,
        )
    )
    session.commit()


def rescore(app: Flask, *, days_ago: int = 0) -> None:
    with app.app_context():
        when = utcnow() - timedelta(days=days_ago)
        recompute.recompute_all(db_session(), now=when, rules=RULES)


@pytest.fixture
def firm(app: Flask) -> dict[str, Any]:
    owner = make_staff(app, email="owner@firm.example")
    other = make_staff(app, email="other@firm.example")
    with app.app_context():
        session = db_session()
        tax = make_service_line(session, "Tax")
        harbour = make_account(session, name="Harbour", industry="Logistics", owner=owner)
        anna = make_mail_contact(
            session,
            harbour,
            full_name="Anna Champion",
            seniority="c_level",
            influence=5,
            roles=["decision_maker"],
        )
        bob = make_mail_contact(session, harbour, full_name="Bob Quiet")
        make_engagement(
            session, harbour, status="won", service_line_ids=[tax.id], contact_ids=[anna.id]
        )
        make_touchpoint(session, harbour, contact_id=anna.id, kind="meeting")
        _promoter(session, harbour, anna)
        quarry = make_account(session, name="Quarry", industry="Mining", owner=other)
        carl = make_mail_contact(session, quarry, full_name="Carl Refused")
        _promoter(session, quarry, carl)
        account = session.get(Account, quarry.id)
        assert account is not None
        account.do_not_ask = True
        session.add(account)
        session.commit()
        ids = {"anna": anna.id, "bob": bob.id, "carl": carl.id, "harbour": harbour.id}
    rescore(app, days_ago=3)
    rescore(app)
    return {"owner": owner, "other": other, **ids, "tax": tax.id, "quarry": quarry.id}


def _order(html: str) -> list[str]:
    return re.findall(r'<li class="advocate" id="contact-(\d+)"', html)


def test_the_list_ranks_scored_contacts_best_first_with_tier_and_ask(
    app: Flask, firm: dict[str, Any]
) -> None:
    html = page_html(signed_in_client(app, firm["owner"]), "/advocates")
    assert _order(html)[0] == str(firm["anna"])
    anna = html.split(f'id="contact-{firm["anna"]}"', 1)[1].split("</li>\n", 1)[0]
    assert "Champion" in anna and "Ask for a testimonial" in anna
    carl = html.split(f'id="contact-{firm["carl"]}"', 1)[1].split("</li>\n", 1)[0]
    assert "Do not ask" in carl and "Nothing to ask now" in carl
    assert "marked do-not-ask" in carl  # the rule's own reason, in the explanation
    assert "3 scored contacts" in html


def test_the_explanation_opens_on_demand_and_says_each_contribution_in_words(
    app: Flask, firm: dict[str, Any]
) -> None:
    html = page_html(signed_in_client(app, firm["owner"]), "/advocates")
    anna = html.split(f'id="contact-{firm["anna"]}"', 1)[1].split("</li>\n", 1)[0]
    assert '<details class="score-why">' in anna and "<summary>Why?" in anna
    assert re.search(r"\+\d+ promoter: NPS 10, 3 weeks ago", anna)
    assert "their first words" in anna
    assert re.search(r"\+\d+ authority: influence 5/5, decision maker or sponsor", anna)


def test_the_explanation_is_in_french_for_a_french_reader(app: Flask, firm: dict[str, Any]) -> None:
    client = signed_in_client(app, firm["owner"])
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    html = page_html(client, "/advocates")
    assert "Demander un témoignage" in html
    assert re.search(r"\+\d+ promoteur : NPS 10, il y a 3 semaines", html)


def test_one_click_sends_the_testimonial_ask_through_the_existing_ask_form(
    app: Flask, firm: dict[str, Any]
) -> None:
    client = signed_in_client(app, firm["owner"])
    html = page_html(client, "/advocates")
    anna = html.split(f'id="contact-{firm["anna"]}"', 1)[1].split("</li>\n", 1)[0]
    form = re.search(r'<form method="post" action="([^"]+)"', anna)
    assert form and form.group(1) == f"/accounts/{firm['harbour']}/testimonials/ask"
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]+)"', anna))
    response = client.post(form.group(1), data=fields)
    assert response.status_code == 302
    assert "The request was e-mailed." in page_html(client, response.headers["Location"])
    with app.app_context():
        sent = db_session().exec(
            select(OutboxMessage).where(OutboxMessage.contact_id == firm["anna"])
        )
        assert [m.category for m in sent] == ["advocacy_ask"]


def test_the_one_click_ask_is_refused_when_the_rule_has_changed_since_the_score(
    app: Flask, firm: dict[str, Any]
) -> None:
    client = signed_in_client(app, firm["owner"])
    html = page_html(client, "/advocates")
    anna = html.split(f'id="contact-{firm["anna"]}"', 1)[1].split("</li>\n", 1)[0]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]+)"', anna))
    with app.app_context():
        session = db_session()
        account = session.get(Account, firm["harbour"])
        assert account is not None
        account.do_not_ask = True
        session.add(account)
        session.commit()
    response = client.post(f"/accounts/{firm['harbour']}/testimonials/ask", data=fields)
    assert response.status_code == 422
    assert "marked do-not-ask" in response.get_data(as_text=True)


def test_marketing_gets_a_link_to_the_ask_page_not_a_form_it_may_not_send(
    app: Flask, firm: dict[str, Any]
) -> None:
    marketing = make_staff(app, role="marketing", email="marketing@firm.example")
    html = page_html(signed_in_client(app, marketing), "/advocates")
    anna = html.split(f'id="contact-{firm["anna"]}"', 1)[1].split("</li>\n", 1)[0]
    assert "<form" not in anna
    assert f'href="/accounts/{firm["harbour"]}/testimonials"' in anna


def test_the_filters_narrow_the_list_and_stay_in_the_url(app: Flask, firm: dict[str, Any]) -> None:
    client = signed_in_client(app, firm["owner"])
    assert _order(page_html(client, "/advocates?tier=champion")) == [str(firm["anna"])]
    assert _order(page_html(client, "/advocates?tier=do_not_ask")) == [str(firm["carl"])]
    assert _order(page_html(client, f"/advocates?owner={firm['other'].id}")) == [str(firm["carl"])]
    assert _order(page_html(client, "/advocates?industry=Mining")) == [str(firm["carl"])]
    by_line = _order(page_html(client, f"/advocates?service_line={firm['tax']}"))
    assert set(by_line) == {str(firm["anna"]), str(firm["bob"])}
    assert _order(page_html(client, "/advocates?people=moved")) == []
    nonsense = page_html(client, "/advocates?tier=best&people=all&owner=x&page=-3")
    assert len(_order(nonsense)) == 3


def test_the_list_sends_the_same_few_queries_whatever_the_number_of_contacts(
    app: Flask, firm: dict[str, Any]
) -> None:
    client = signed_in_client(app, firm["owner"])
    engine = app.extensions["advocacy.engine"]
    counts = []
    for more in (0, 12):
        with app.app_context():
            session = db_session()
            for number in range(more):
                account = make_account(session, name=f"More {number}")
                make_mail_contact(session, account)
        rescore(app)
        with count_queries(engine) as statements:
            page_html(client, "/advocates")
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 12


def test_the_account_page_shows_each_stakeholders_score_tier_and_ask(
    app: Flask, firm: dict[str, Any]
) -> None:
    html = page_html(signed_in_client(app, firm["owner"]), f"/accounts/{firm['harbour']}")
    stakeholders = html.split('id="stakeholders"', 1)[1].split("</section>", 1)[0]
    anna = stakeholders.split("Anna Champion", 1)[1].split("</li>", 1)[0]
    assert 'class="stakeholder-score"' in anna and "Champion" in anna
    assert "Ask for a testimonial" in anna


def test_the_contact_page_draws_the_score_history_and_explains_the_score(
    app: Flask, firm: dict[str, Any]
) -> None:
    html = page_html(signed_in_client(app, firm["owner"]), f"/contacts/{firm['anna']}")
    panel = html.split('id="advocacy-score"', 1)[1].split("</section>", 1)[0]
    assert '<svg class="sparkline"' in panel and "<polyline" in panel
    assert re.search(r'aria-label="Score from \d+ on [^"]+ to \d+ on [^"]+"', panel)
    assert "Ask for a testimonial" in panel and "promoter: NPS 10" in panel


def test_a_contact_who_objected_is_shown_as_not_scored_and_leaves_the_list(
    app: Flask, firm: dict[str, Any]
) -> None:
    with app.app_context():
        objection.object_by_staff(db_session(), firm["anna"], by=firm["owner"], now=utcnow())
    client = signed_in_client(app, firm["owner"])
    panel = page_html(client, f"/contacts/{firm['anna']}").split('id="advocacy-score"', 1)[1]
    assert "Not scored: this person objected to profiling." in panel.split("</section>", 1)[0]
    assert str(firm["anna"]) not in _order(page_html(client, "/advocates"))


def test_marketings_home_shows_the_best_candidates_and_the_navigation_links_advocates(
    app: Flask, firm: dict[str, Any]
) -> None:
    marketing = make_staff(app, role="marketing", email="marketing@firm.example")
    html = page_html(signed_in_client(app, marketing), "/")
    assert 'href="/advocates"' in html
    candidates = html.split('id="best-candidates"', 1)[1].split("</section>", 1)[0]
    assert "Anna Champion" in candidates and "Carl Refused" not in candidates


def test_an_anonymous_visitor_is_sent_to_sign_in(app: Flask, client: FlaskClient) -> None:
    response = client.get("/advocates")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
