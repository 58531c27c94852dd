"""The embeddable testimonial wall: only published quotes the client allowed in public, attributed
as allowed; a withdrawal is gone on the next request; cacheable for a minute, framed only by the
firm's sites, no cookie; hostile text escaped; the staff page that builds the snippet."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from advocacy import models
from advocacy.db import db_session
from advocacy.services.voice import testimonials
from advocacy.settings import SettingsError, load_settings
from tests.conftest import NOW
from tests.factories import (
    make_account,
    make_contact,
    make_service_line,
    make_testimonial,
    make_user,
    sign_in,
)


def _quotes(app: Flask) -> dict[str, Any]:
    with app.app_context():
        session = db_session()
        account = make_account(session, name="Globex", industry="Banking")
        ann = make_contact(session, account, email="ann@globex.example")
        line = make_service_line(session, "Audit")

        def quote(status: str, uses: dict[str, Any], body: str, **fields: Any) -> int:
            return make_testimonial(session, ann, status=status, uses=uses, body=body, **fields).id

        ids: dict[str, Any] = {
            "named": quote(
                "published", {"named_public": None}, "Named and published.",
                display_title="CFO", display_company="Globex", outcomes="Faster close",
            ),
            "anonymised": quote(
                "published", {"anonymised_public": None}, "Anonymised and published.",
                display_name="Ann Secret", display_title="Head of risk",
                display_company="Hidden Corp", industry="Banking",
            ),
            "internal": quote("published", {"internal": None}, "Internal only."),
            "approved": quote("approved", {"named_public": None}, "Approved, not published."),
            "draft": quote("submitted", {"named_public": None}, "A draft."),
        }  # fmt: skip
        session.add(
            models.TestimonialServiceLine(testimonial_id=ids["named"], service_line_id=line.id)
        )
        session.commit()
        ids["line"] = line.id
    return ids


def test_the_wall_shows_only_published_public_quotes_attributed_as_allowed(
    app: Flask, client: FlaskClient
) -> None:
    _quotes(app)
    response = client.get("/wall")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Named and published." in page and "Ann Client, CFO, Globex" in page
    assert "Anonymised and published." in page and "Head of risk, Banking" in page
    for hidden in ("Internal only.", "Approved, not published.", "A draft.", "Ann Secret"):
        assert hidden not in page
    assert "Hidden Corp" not in page and "ann@globex.example" not in page
    assert "<script" not in page  # no script, no tracking


def test_the_wall_narrows_to_a_service_line_an_industry_or_an_outcome(
    app: Flask, client: FlaskClient
) -> None:
    ids = _quotes(app)

    def shown(query: str) -> str:
        return client.get(f"/wall?{query}").get_data(as_text=True)

    assert "Anonymised and published." not in shown(f"service_line={ids['line']}")
    assert "Named and published." in shown(f"service_line={ids['line']}")
    assert "Named and published." in shown("outcome=faster%20close")
    assert "Anonymised and published." not in shown("outcome=faster%20close")
    assert "Anonymised and published." in shown("industry=banking")
    assert "Named and published." not in shown("industry=banking")
    assert "No testimonial to show yet." in shown("industry=retail")


def test_the_wall_shows_a_collection_in_the_order_marketing_chose(
    app: Flask, client: FlaskClient
) -> None:
    ids = _quotes(app)
    with app.app_context():
        session = db_session()
        collection = models.Collection(name="Website home", created_at=NOW, updated_at=NOW)
        session.add(collection)
        session.flush()
        # The anonymised quote first, then the named one; the internal one can never show.
        for position, key in enumerate(("anonymised", "named", "internal"), start=1):
            session.add(
                models.CollectionItem(
                    collection_id=collection.id,
                    testimonial_id=ids[key],
                    position=position,
                    naming_at_add="named",
                    added_at=NOW,
                )
            )
        session.commit()
        collection_id = collection.id
    page = client.get(f"/wall?collection={collection_id}").get_data(as_text=True)
    assert page.index("Anonymised and published.") < page.index("Named and published.")
    assert "Internal only." not in page
    assert "No testimonial to show yet." in client.get("/wall?collection=999").get_data(
        as_text=True
    )
    assert client.get("/wall?collection=abc").status_code == 400


def test_a_withdrawal_is_gone_from_the_next_request(app: Flask, client: FlaskClient) -> None:
    ids = _quotes(app)
    assert "Named and published." in client.get("/wall").get_data(as_text=True)
    with app.app_context():
        admin = make_user(db_session(), role="admin", password=None)
        testimonials.withdraw_on_behalf(db_session(), ids["named"], "by phone", by=admin, now=NOW)
    assert "Named and published." not in client.get("/wall").get_data(as_text=True)


def _style_hash(page: str) -> str:
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert style
    return base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()


def test_the_wall_is_cacheable_for_a_minute_framed_by_the_firms_sites_and_sets_no_cookie(
    app_factory: Any,
) -> None:
    app = app_factory(wall_frame_ancestors="https://www.firm.example https://firm.example")
    _quotes(app)
    with app.app_context():
        make_user(db_session(), role="marketing", email="mia@firm.example")
    for signed_in in (False, True):
        client = app.test_client()
        if signed_in:  # a colleague's session cookie is neither read nor refreshed
            sign_in(client, "mia@firm.example")
        response = client.get("/wall?accent=ff0000")
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=60"
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'self' https://www.firm.example https://firm.example" in csp
        assert "X-Frame-Options" not in response.headers
        assert "script-src" not in csp and "default-src 'none'" in csp
        page = response.get_data(as_text=True)
        assert f"'sha256-{_style_hash(page)}'" in csp
        assert "#ff0000" in page
    # Every other page still refuses to be framed.
    assert app.test_client().get("/login").headers["X-Frame-Options"] == "DENY"


def test_hostile_text_on_the_wall_is_escaped(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        session = db_session()
        contact = make_contact(session, make_account(session))
        make_testimonial(
            session, contact, status="published", uses={"named_public": None},
            body="<script>alert(1)</script> **bold**",
            body_html="<script>alert(1)</script>",
            display_name='<img src=x onerror="alert(2)">', display_title="</style>",
        )  # fmt: skip
    page = client.get("/wall").get_data(as_text=True)
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<strong>bold</strong>" in page
    assert page.count("</style>") == 1


@pytest.mark.parametrize(
    ("query", "word"),
    [
        ("accent=red", "accent"),
        ("background=%23ff", "background"),
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("service_line=99999999999", "service_line"),
        ("lang=de", "lang"),
        ("colour=000000", "colour"),
        ("industry=" + "x" * 81, "industry"),
    ],
)
def test_a_bad_wall_address_says_what_is_wrong_and_never_fails(
    client: FlaskClient, query: str, word: str
) -> None:
    response = client.get(f"/wall?{query}")
    assert response.status_code == 400
    assert word in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "public, max-age=60"


def test_a_bad_wall_address_is_explained_in_the_language_the_address_asks_for(
    client: FlaskClient,
) -> None:
    # The visitor's browser asks for English: the address, not the browser, picks the language.
    response = client.get("/wall?lang=fr&limit=99", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "limit doit être un nombre entier de 1 à 24." in page


def test_a_bad_frame_ancestors_setting_stops_start_up() -> None:
    for value in ("https://x.example; script-src *", "*", "javascript:alert(1)", ""):
        with pytest.raises(SettingsError, match="wall_frame_ancestors"):
            load_settings({}, {"env": "test", "wall_frame_ancestors": value})


def test_marketing_builds_the_snippet_with_a_preview(app: Flask, client: FlaskClient) -> None:
    ids = _quotes(app)
    with app.app_context():
        make_user(db_session(), role="marketing", email="mia@firm.example")
    sign_in(client, "mia@firm.example")
    response = client.get(f"/testimonials/wall?service_line={ids['line']}&accent=00aa00")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"/wall?service_line={ids['line']}&amp;limit=12&amp;lang=en&amp;accent=00aa00" in page
    assert "/static/wall.js" in page and "data-wall=" in page
    assert f'<iframe src="/wall?service_line={ids["line"]}' in page
    refused = client.get("/testimonials/wall?accent=nope&industry=Retail")
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert "accent must be a colour" in body and 'value="nope"' in body and 'value="Retail"' in body


def test_the_wall_builder_is_for_marketing_and_administrators(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        make_user(db_session(), role="account_manager", email="al@firm.example")
    sign_in(client, "al@firm.example")
    assert client.get("/testimonials/wall").status_code == 403


def test_the_wall_script_only_inserts_the_iframe(client: FlaskClient) -> None:
    response = client.get("/static/wall.js")
    script = response.get_data(as_text=True)
    response.close()
    assert "data-wall" in script and 'createElement("iframe")' in script
    assert "cookie" not in script.split("*/", 1)[1]
