"""Library pages per role: marketing and admins search and build collections, account managers
read the library only; results say what may go outside and offer the attribution to copy;
exports are neutralised CSV and a clean printable page; client text is escaped everywhere; bad
filters are refused with a message, never a 500."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.services.library import collections
from advocacy.services.voice.testimonial_consent import render_body
from tests.factories import (
    csrf_from,
    make_account,
    make_mail_contact,
    make_service_line,
    make_testimonial,
    make_user,
    sign_in,
)

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def quotes(app: Flask, **fields: Any) -> dict[str, int]:
    """Staff of every role, and a named quote, an anonymised one and an internal one."""
    with app.app_context():
        session = db_session()
        for role in ("admin", "marketing", "account_manager"):
            make_user(session, role=role, email=f"{role}@firm.example")
        account = make_account(session, name="Acme Industrial", industry="Manufacturing")
        contact = make_mail_contact(session, account, full_name="Ann Client")
        made = {}
        for name, uses in (
            ("named", {"named_public": None, "logo": None}),
            ("anonymised", {"anonymised_public": None}),
            ("internal", {"internal": None}),
        ):
            body = fields.get("body", f"The {name} quote about procurement.")
            made[name] = make_testimonial(
                session,
                contact,
                status="approved",
                approved_at=utcnow() - timedelta(days=1),
                body=body,
                body_html=render_body(body),
                uses=uses,
                display_name=fields.get("display_name", "Ann Client"),
                display_title=fields.get("display_title", "CFO"),
                display_company=fields.get("display_company", "Acme Industrial"),
                industry="Manufacturing",
            ).id
        return made


def test_marketing_sees_what_may_go_outside_and_the_attribution_to_copy(
    app: Flask, client: FlaskClient
) -> None:
    quotes(app)
    sign_in(client, "marketing@firm.example")
    response = client.get("/library?q=procurement")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3 quotes found" in html
    assert "May be published named" in html and "May be published anonymised" in html
    assert "Internal only" in html and "Logo: yes" in html
    assert "“The named quote about procurement.”\n— Ann Client, CFO, Acme Industrial" in html
    assert "“The anonymised quote about procurement.”\n— CFO, Manufacturing" in html
    assert "For use inside the firm only" in html  # the internal quote has nothing to copy
    assert '<script src="/static/library.js" defer></script>' in html
    assert "<script>" not in html.replace('<script src="/static/library.js" defer></script>', "")


def test_each_role_reaches_what_it_may(app: Flask) -> None:
    quotes(app)
    for role, library_status, collections_status in (
        ("marketing", 200, 200),
        ("admin", 200, 200),
        ("account_manager", 200, 403),
    ):
        client = app.test_client()
        sign_in(client, f"{role}@firm.example")
        for path in ("/library", "/library/case-studies", "/library/references", "/library/logos"):
            assert client.get(path).status_code == library_status, (role, path)
        assert client.get("/library/collections").status_code == collections_status, role
        nav = client.get("/library").get_data(as_text=True)
        assert 'href="/library" aria-current="page">Library</a>' in nav


def test_an_account_manager_reads_the_library_but_cannot_add_to_a_collection(
    app: Flask, client: FlaskClient
) -> None:
    made = quotes(app)
    with app.app_context():
        session = db_session()
        marketer = make_user(session, role="marketing", email="m2@firm.example")
        deck = collections.create_collection(session, "Deck", "", by=marketer, now=utcnow())
    sign_in(client, "account_manager@firm.example")
    html = client.get("/library").get_data(as_text=True)
    assert "Add to collection" not in html
    response = client.post(
        "/library/collections/items",
        data={
            "csrf_token": csrf_from(html),
            "collection_id": deck.id,
            "testimonial_id": made["named"],
        },
    )
    assert response.status_code == 403


def test_bad_filters_are_refused_with_a_message_and_the_form_comes_back_filled(
    app: Flask, client: FlaskClient
) -> None:
    quotes(app)
    sign_in(client, "marketing@firm.example")
    response = client.get(
        "/library?q=procurement&rating=9&since=2026-13-45&permission=all&size=huge&page=x"
        "&service_line=abc&language=xx&stage=nowhere"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in (
        "Choose a rating from 1 to 5.",
        "Enter the date as YYYY-MM-DD.",
        "Unknown permission.",
        "Unknown size band.",
        "Choose a service line from the list.",
        "Unknown language.",
        "Unknown stage.",
    ):
        assert message in html, message
    assert 'value="procurement"' in html and 'value="2026-13-45"' in html
    huge = client.get("/library?page=99999999999999&service_line=99999999999999999")
    assert huge.status_code == 400


def test_filters_narrow_the_results_on_the_page(app: Flask, client: FlaskClient) -> None:
    quotes(app)
    with app.app_context():
        make_service_line(db_session(), "Procurement Advisory")
    sign_in(client, "marketing@firm.example")
    html = client.get("/library?permission=anonymised").get_data(as_text=True)
    assert "1 quote found" in html and "The anonymised quote" in html
    assert "The named quote" not in html
    assert "No quote matches" in client.get("/library?q=nothing+like+this").get_data(as_text=True)


def test_hostile_quotes_and_names_are_escaped_on_every_library_page(
    app: Flask, client: FlaskClient
) -> None:
    made = quotes(
        app,
        body=f"Great {HOSTILE}",
        display_name=HOSTILE,
        display_company=HOSTILE,
        display_title=HOSTILE,
    )
    with app.app_context():
        session = db_session()
        marketer = make_user(session, role="marketing", email="m2@firm.example")
        deck = collections.create_collection(session, HOSTILE, HOSTILE, by=marketer, now=utcnow())
        for key in ("named", "anonymised"):
            collections.add_to_collection(session, deck.id, made[key], by=marketer, now=utcnow())
    sign_in(client, "marketing@firm.example")
    for path in (
        "/library",
        "/library?q=great",
        "/library/case-studies",
        "/library/references",
        "/library/logos",
        "/library/collections",
        f"/library/collections/{deck.id}",
        f"/library/collections/{deck.id}/print",
    ):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, path
    assert "&lt;script&gt;" in client.get("/library").get_data(as_text=True)


def test_a_collection_is_built_reordered_and_exported_as_neutralised_csv(
    app: Flask, client: FlaskClient
) -> None:
    made = quotes(app, body='=HYPERLINK("http://evil.example","click")', display_name="+Ann")
    sign_in(client, "marketing@firm.example")
    html = client.get("/library/collections").get_data(as_text=True)
    created = client.post(
        "/library/collections",
        data={
            "csrf_token": csrf_from(html),
            "name": "Proposal for Globex",
            "purpose": "RFP answer",
        },
    )
    assert created.status_code == 302
    collection_url = created.headers["Location"]
    collection_id = int(collection_url.rstrip("/").split("/")[-1])
    token = csrf_from(client.get("/library").get_data(as_text=True))
    for key in ("anonymised", "named"):
        added = client.post(
            "/library/collections/items",
            data={
                "csrf_token": token,
                "collection_id": collection_id,
                "testimonial_id": made[key],
                "next": "/library?q=procurement",
            },
        )
        assert added.status_code == 302 and added.headers["Location"] == "/library?q=procurement"
    refused = client.post(
        "/library/collections/items",
        data={
            "csrf_token": token,
            "collection_id": collection_id,
            "testimonial_id": made["internal"],
        },
        follow_redirects=True,
    )
    assert "may not leave the firm" in refused.get_data(as_text=True)
    page = client.get(collection_url).get_data(as_text=True)
    item_ids = [int(i) for i in re.findall(r'id="item-(\d+)"', page)]
    assert len(item_ids) == 2
    moved = client.post(
        f"/library/collections/{collection_id}/items/{item_ids[1]}/up", data={"csrf_token": token}
    )
    assert moved.status_code == 302
    export = client.get(f"/library/collections/{collection_id}/export.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert "attachment" in export.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["position", "quote", "attribution"]
    assert [row[1] for row in rows[1:]] == [
        '\'=HYPERLINK("http://evil.example","click")',
        '\'=HYPERLINK("http://evil.example","click")',
    ]
    assert [row[2] for row in rows[1:]] == ["'+Ann, CFO, Acme Industrial", "CFO, Manufacturing"]
    assert [row[3] for row in rows[1:]] == ["Named", "Anonymised"]


def test_the_printable_page_shows_only_quotes_that_may_go_out_with_a_print_stylesheet(
    app: Flask, client: FlaskClient
) -> None:
    made = quotes(app)
    with app.app_context():
        session = db_session()
        marketer = make_user(session, role="marketing", email="m2@firm.example")
        deck = collections.create_collection(session, "Web page", "", by=marketer, now=utcnow())
        collections.add_to_collection(session, deck.id, made["named"], by=marketer, now=utcnow())
    sign_in(client, "marketing@firm.example")
    html = client.get(f"/library/collections/{deck.id}/print").get_data(as_text=True)
    assert 'href="/static/library-print.css"' in html
    assert "The named quote about procurement." in html
    assert "— Ann Client, CFO, Acme Industrial" in html
    assert 'class="nav"' not in html  # a clean page: no navigation to print


def test_unknown_collections_and_items_are_404_and_a_foreign_next_is_ignored(
    app: Flask, client: FlaskClient
) -> None:
    quotes(app)
    sign_in(client, "marketing@firm.example")
    token = csrf_from(client.get("/library").get_data(as_text=True))
    assert client.get("/library/collections/999999").status_code == 404
    assert client.get("/library/collections/999999/export.csv").status_code == 404
    assert (
        client.post(
            "/library/collections/999999/items/1/remove", data={"csrf_token": token}
        ).status_code
        == 404
    )
    response = client.post(
        "/library/collections/items",
        data={"csrf_token": token, "collection_id": "x", "next": "//evil.example/library"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/library"


def test_an_empty_collection_name_comes_back_with_the_reason(
    app: Flask, client: FlaskClient
) -> None:
    quotes(app)
    sign_in(client, "marketing@firm.example")
    html = client.get("/library/collections").get_data(as_text=True)
    response = client.post(
        "/library/collections",
        data={"csrf_token": csrf_from(html), "name": "  ", "purpose": "Kept purpose"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Give the collection a name." in page and "Kept purpose" in page
