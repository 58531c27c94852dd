"""The content library's pages: marketing and administrators add, change, archive and restore
items; account managers read the list; filters live in the address; a refused form comes back
filled with the reason and changes nothing; every form carries its CSRF token."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import func, select

from advocacy.db import db_session
from advocacy.models import ContentItem, ContentItemCreate, User
from advocacy.repository import content
from advocacy.services.content import items
from tests.conftest import NOW
from tests.factories import csrf_from, make_account, make_service_line, make_user, sign_in


def _client(app: Flask, role: str) -> tuple[FlaskClient, User]:
    with app.app_context():
        user = make_user(db_session(), role=role)
    client = app.test_client()
    sign_in(client, user.email)
    return client, user


def _line(app: Flask, name: str) -> int:
    with app.app_context():
        return int(make_service_line(db_session(), name).id)


def _item(app: Flask, by: User, line_ids: list[int], **fields: Any) -> int:
    with app.app_context():
        data = ContentItemCreate.model_validate(
            {
                "kind": "article",
                "title": "An item",
                "url": "https://insights.firm.example/a",
                "service_line_ids": line_ids,
                **fields,
            }
        )
        return int(items.create_item(db_session(), data, by=by, now=NOW).id or 0)


def _post(client: FlaskClient, path: str, form_page: str, data: dict[str, Any]) -> Any:
    token = csrf_from(client.get(form_page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def _count(app: Flask) -> int:
    with app.app_context():
        return db_session().exec(select(func.count()).select_from(ContentItem)).one()


def test_marketing_adds_an_item_through_the_form_and_finds_it_in_the_list(app: Flask) -> None:
    tax = _line(app, "Tax")
    with app.app_context():
        make_account(db_session(), name="Acme", industry="Logistics")
    client, _user = _client(app, "marketing")
    form = client.get("/content/new").get_data(as_text=True)
    assert 'name="csrf_token"' in form and "Logistics" in form and "Tax" in form
    response = _post(
        client,
        "/content/new",
        "/content/new",
        {
            "kind": "webinar",
            "title": "Transfer pricing <live>",
            "url": "https://events.firm.example/tp",
            "summary": "One hour on the new rules.",
            "language": "fr",
            "service_line_ids": [str(tax)],
            "industries": ["Logistics"],
            "stages": ["between", "former"],
            "valid_from": "2026-11-01",
            "valid_until": "2026-12-15",
        },
    )
    assert response.status_code == 302
    html = client.get("/content").get_data(as_text=True)
    assert "Transfer pricing &lt;live&gt;" in html and "<live>" not in html
    assert 'href="https://events.firm.example/tp"' in html and "Logistics" in html
    with app.app_context():
        item = db_session().exec(select(ContentItem)).one()
        links = content.links_of(db_session(), [item.id or 0])[item.id or 0]
    assert (item.kind, item.language, links.stages) == ("webinar", "fr", ["between", "former"])


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"url": "javascript:alert(1)"}, "starts with http:// or https://"),
        ({"title": "   "}, "This field is required."),
        ({"service_line_ids": []}, "This field is required."),
        ({"valid_from": "2026-12-01", "valid_until": "2026-11-01"}, "before the first valid day"),
        ({"valid_from": "soon"}, "Enter a valid date."),
    ],
)
def test_a_refused_form_comes_back_filled_with_the_reason_and_nothing_is_written(
    app: Flask, bad: dict[str, Any], reason: str
) -> None:
    tax = _line(app, "Tax")
    client, _user = _client(app, "admin")
    typed = {
        "kind": "article",
        "title": "Typed title",
        "url": "https://insights.firm.example/typed",
        "summary": "Typed summary",
        "language": "en",
        "service_line_ids": [str(tax)],
        "valid_from": "",
        "valid_until": "",
        **bad,
    }
    response = _post(client, "/content/new", "/content/new", typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html
    assert reason in html
    assert "Typed summary" in html
    assert typed["title"].strip() == "" or 'value="Typed title"' in html
    assert _count(app) == 0


def test_the_reason_is_in_french_for_a_french_reader(app: Flask) -> None:
    tax = _line(app, "Tax")
    client, user = _client(app, "marketing")
    with app.app_context():
        db_user = db_session().get(User, user.id)
        assert db_user is not None
        db_user.language = "fr"
        db_session().commit()
    response = _post(
        client,
        "/content/new",
        "/content/new",
        {"kind": "article", "title": "T", "url": "ftp://x.example", "service_line_ids": [str(tax)]},
    )
    assert "commence par http:// ou https://" in response.get_data(as_text=True)


def test_marketing_edits_an_item_and_the_form_shows_what_is_stored(app: Flask) -> None:
    tax, esg = _line(app, "Tax"), _line(app, "ESG")
    client, user = _client(app, "marketing")
    item_id = _item(app, user, [tax], industries=["Banking"], valid_until="2027-01-31")
    page = client.get(f"/content/{item_id}/edit").get_data(as_text=True)
    assert 'value="An item"' in page and 'value="2027-01-31"' in page
    assert re.search(
        r'<input checked id="industries-\d+" name="industries" [^>]*value="Banking">', page
    )
    response = _post(
        client,
        f"/content/{item_id}/edit",
        f"/content/{item_id}/edit",
        {
            "kind": "case_study",
            "title": "Renamed",
            "url": "https://insights.firm.example/b",
            "language": "en",
            "service_line_ids": [str(esg)],
            "valid_until": "",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        item = db_session().get(ContentItem, item_id)
        links = content.links_of(db_session(), [item_id])[item_id]
    assert item is not None and (item.title, item.kind, item.valid_until) == (
        "Renamed",
        "case_study",
        None,
    )
    assert links.service_line_ids == [esg] and links.industries == []


def test_archiving_hides_an_item_from_the_list_until_it_is_put_back(app: Flask) -> None:
    tax = _line(app, "Tax")
    client, user = _client(app, "marketing")
    item_id = _item(app, user, [tax], title="Pillar two explained")
    response = _post(
        client, f"/content/{item_id}/archive", "/content", {"next": "/content?kind=article"}
    )
    assert response.status_code == 302 and response.location.endswith("/content?kind=article")
    listed = client.get("/content").get_data(as_text=True)
    assert "is archived: it is offered to nobody" in listed  # the flash
    assert "Archive Pillar two explained" not in listed and "1 item" not in listed
    archived = client.get("/content?archived=yes").get_data(as_text=True)
    assert "Pillar two explained" in archived and "Put Pillar two explained back" in archived
    response = _post(
        client, f"/content/{item_id}/restore", "/content", {"next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response.location.endswith("/content")
    assert "Archive Pillar two explained" in client.get("/content").get_data(as_text=True)
    assert client.post(f"/content/{item_id}/archive").status_code == 400  # no CSRF token


def test_account_managers_read_the_list_but_may_not_change_it(app: Flask) -> None:
    tax = _line(app, "Tax")
    marketer, user = _client(app, "marketing")
    item_id = _item(app, user, [tax], title="Readable by all")
    manager, _ = _client(app, "account_manager")
    html = manager.get("/content").get_data(as_text=True)
    assert "Readable by all" in html and 'href="/content"' in html  # the navigation links here
    assert "New content item" not in html and "Archive Readable" not in html
    assert manager.get("/content/new").status_code == 403
    assert manager.get(f"/content/{item_id}/edit").status_code == 403
    token = csrf_from(html)
    assert (
        manager.post(f"/content/{item_id}/archive", data={"csrf_token": token}).status_code == 403
    )
    assert marketer.get(f"/content/{item_id + 1000}/edit").status_code == 404
    assert app.test_client().get("/content").status_code == 302  # to sign-in


def test_the_list_filters_from_the_address_and_refuses_nonsense_with_a_message(
    app: Flask,
) -> None:
    tax, esg = _line(app, "Tax"), _line(app, "ESG")
    client, user = _client(app, "admin")
    _item(app, user, [tax], title="Tax for banks", industries=["Banking"])
    _item(app, user, [esg], title="CSRD webinar", kind="webinar", language="fr")
    _item(app, user, [esg], title="Expired note", kind="short_note", valid_until="2026-01-01")

    def titles(query: str) -> set[str]:
        html = client.get("/content" + query).get_data(as_text=True)
        return {t for t in ("Tax for banks", "CSRD webinar", "Expired note") if t in html}

    assert titles("") == {"Tax for banks", "CSRD webinar", "Expired note"}
    assert titles(f"?service_line={esg}") == {"CSRD webinar", "Expired note"}
    assert titles("?kind=webinar") == {"CSRD webinar"}
    assert titles("?language=fr") == {"CSRD webinar"}
    assert titles("?industry=Media") == {"CSRD webinar", "Expired note"}
    assert titles("?valid_on=2026-11-23") == {"Tax for banks", "CSRD webinar"}
    assert titles("?q=csrd") == {"CSRD webinar"}
    bad = client.get("/content?kind=podcast&valid_on=tomorrow&service_line=x&page=zz")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Unknown kind of content." in html and "Enter the date as YYYY-MM-DD." in html
