"""/api/v1/content: every read token lists the content library with the page's filters and
paging, reads one item, and a bad filter is a problem+json answer naming the parameter."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate

from advocacy.db import db_session
from advocacy.models import ContentItemCreate
from advocacy.services.content import items
from tests.api.api_helpers import Api, assert_problem
from tests.conftest import NOW
from tests.factories import make_service_line


def _items(api: Api) -> dict[str, Any]:
    """Four items (one archived, one expired) over two service lines; ids by title."""
    made: dict[str, Any] = {}
    with api.app.app_context():
        session = db_session()
        tax, esg = make_service_line(session, "Tax"), make_service_line(session, "ESG")
        made["tax"], made["esg"] = tax.id, esg.id
        for title, fields in [
            ("Pillar two", {"service_line_ids": [tax.id], "industries": ["Banking"]}),
            ("CSRD", {"service_line_ids": [esg.id], "kind": "webinar", "language": "fr"}),
            ("Old note", {"service_line_ids": [tax.id], "valid_until": "2026-01-31"}),
            ("Gone", {"service_line_ids": [esg.id], "stages": ["active"]}),
        ]:
            data = ContentItemCreate.model_validate(
                {
                    "kind": "article",
                    "title": title,
                    "url": f"https://x.example/{title.replace(' ', '-')}",
                    **fields,
                }
            )
            item = items.create_item(session, data, by=api.users["marketing"], now=NOW)
            made[title] = item.id
        items.archive_item(session, made["Gone"], by=api.users["admin"], now=NOW)
    return made


def _titles(api: Api, query: str = "", who: str = "am") -> list[str]:
    response = api.get("/api/v1/content" + query, who)
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["title"] for item in response.get_json()["items"]]


def test_every_role_reads_the_library_with_its_links(api: Api) -> None:
    made = _items(api)
    for who in ("am", "marketing", "reader"):
        assert _titles(api, who=who) == ["Pillar two", "CSRD", "Old note"]
    first = api.get("/api/v1/content", "am").get_json()["items"][0]
    assert first["service_line_ids"] == [made["tax"]] and first["industries"] == ["Banking"]
    assert first["stages"] == [] and first["kind"] == "article" and first["archived"] is False
    one = api.get(f"/api/v1/content/{made['Gone']}", "am").get_json()
    assert one["archived"] is True and one["stages"] == ["active"]
    assert_problem(api.get("/api/v1/content/999999", "am"), 404)


def test_the_list_filters_as_the_page_does(api: Api) -> None:
    made = _items(api)
    assert _titles(api, f"?service_line_id={made['tax']}") == ["Pillar two", "Old note"]
    assert _titles(api, "?kind=webinar") == ["CSRD"]
    assert _titles(api, "?language=fr") == ["CSRD"]
    assert _titles(api, "?industry=media") == ["CSRD", "Old note"]
    assert _titles(api, "?stage=between") == ["Pillar two", "CSRD", "Old note"]
    assert _titles(api, "?valid_on=2026-11-23") == ["Pillar two", "CSRD"]
    assert _titles(api, "?q=pillar") == ["Pillar two"]
    assert _titles(api, "?archived=true") == ["Gone"]


def test_the_list_pages_with_cursors_and_page_numbers(api: Api) -> None:
    _items(api)
    first = api.get("/api/v1/content?limit=2", "am").get_json()
    assert [i["title"] for i in first["items"]] == ["Pillar two", "CSRD"] and first["next"]
    following = api.get(first["next"].replace("http://localhost", ""), "am").get_json()
    assert [i["title"] for i in following["items"]] == ["Old note"] and following["next"] is None
    assert _titles(api, "?limit=2&page=2") == ["Old note"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("?kind=podcast", "kind"),
        ("?language=de", "language"),
        ("?stage=someday", "stage"),
        ("?valid_on=tomorrow", "valid_on"),
        ("?valid_on=0", "valid_on"),
        ("?archived=yes", "archived"),
        ("?service_line_id=0", "service_line_id"),
        ("?unknown=1", "unknown"),
    ],
)
def test_a_bad_filter_is_a_problem_naming_the_parameter(
    api: Api, query: str, parameter: str
) -> None:
    body = assert_problem(api.get("/api/v1/content" + query, "am"), 422)
    assert ["query", parameter] in [error["loc"] for error in body["errors"]]


def test_a_publish_token_does_not_read_the_library(api: Api) -> None:
    from tests.factories import bearer, make_token

    with api.app.app_context():
        secret = make_token(db_session(), api.users["marketing"], ("publish",))
    assert_problem(api.client.get("/api/v1/content", headers=bearer(secret)), 403)


def test_the_document_describes_both_routes_and_stays_valid(api: Api) -> None:
    document = api.client.get("/api/v1/openapi.json").get_json()
    validate(document)
    listing = document["paths"]["/api/v1/content"]["get"]
    names = {parameter["name"] for parameter in listing["parameters"]}
    assert names >= {"limit", "cursor", "page", "service_line_id", "kind", "language"}
    assert names >= {"industry", "stage", "valid_on", "archived", "q"}
    assert listing["security"] == [{"bearerAuth": ["read"]}]
    assert "/api/v1/content/{item_id}" in document["paths"]
    assert "ContentItemPublic" in document["components"]["schemas"]
