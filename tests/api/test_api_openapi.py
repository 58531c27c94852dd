"""The OpenAPI document is valid OpenAPI 3.1, public, generated from the route table and the
pydantic schemas, and lists every API route the app serves."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from openapi_spec_validator import validate

from advocacy.api.routes import ROUTES


def _document(client: FlaskClient) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_the_document_is_valid_openapi_3_1_and_needs_no_token(client: FlaskClient) -> None:
    document = _document(client)
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_api_route_of_the_app_is_in_the_document(app: Flask, client: FlaskClient) -> None:
    paths = _document(client)["paths"]
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            served.add((path, method.lower()))
    documented = {(path, method) for path, item in paths.items() for method in item}
    assert served and served == documented


def test_operations_declare_the_bearer_scheme_their_scope_and_problem_answers(
    client: FlaskClient,
) -> None:
    document = _document(client)
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "Problem" in document["components"]["schemas"]
    create = document["paths"]["/api/v1/accounts"]["post"]
    assert create["security"] == [{"bearerAuth": ["write"]}]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/AccountCreate"
    )
    assert create["responses"]["422"]["content"]["application/problem+json"]
    assert set(create["responses"]) >= {"201", "400", "401", "403", "409", "415", "422"}
    listing = document["paths"]["/api/v1/accounts"]["get"]
    names = {parameter["name"] for parameter in listing["parameters"]}
    assert names >= {"limit", "cursor", "page", "stage", "owner_id", "q", "updated_since"}
    assert document["paths"]["/api/v1/openapi.json"]["get"]["security"] == []


def test_request_schemas_refuse_unknown_fields_as_the_server_does(client: FlaskClient) -> None:
    schemas = _document(client)["components"]["schemas"]
    for name in ("AccountCreate", "AccountUpdate", "ContactCreate", "TouchpointCreate"):
        assert schemas[name]["additionalProperties"] is False, name
    assert "account_id" in schemas["ContactCreate"]["required"]


def test_the_docs_page_lists_every_route_of_the_table(client: FlaskClient) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "<script" not in html
    for route in ROUTES:
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", route.rule)
        assert f"<code>{path}</code>" in html


def test_every_operation_documents_the_405_the_api_gives_for_a_method_it_does_not_take(
    client: FlaskClient,
) -> None:
    document = _document(client)
    assert client.delete("/api/v1/accounts/1").status_code == 405
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert "405" in operation["responses"], (method, path)


def test_free_text_in_requests_is_documented_without_nul(client: FlaskClient) -> None:
    account = _document(client)["components"]["schemas"]["AccountCreate"]["properties"]
    assert account["notes"]["pattern"] == "^[^\\u0000]*$"
    assert "" in account["size_band"]["enum"] and "FR" in account["country"]["enum"]


def test_the_docs_page_describes_every_route_in_the_readers_language(client: FlaskClient) -> None:
    response = client.get("/api/v1/docs", headers={"Accept-Language": "fr"})
    html = response.get_data(as_text=True)
    assert '<html lang="fr"' in html
    assert "<td>Lister les comptes</td>" in html
    for route in ROUTES:
        assert f"<td>{escape(route.summary)}</td>" not in html, route.summary
    # The machine-readable document stays in English, the language of the API's field names.
    assert _document(client)["paths"]["/api/v1/accounts"]["get"]["summary"] == "List accounts"


def test_the_check_in_schema_documents_its_next_lines_and_their_reason(
    client: FlaskClient,
) -> None:
    schemas = _document(client)["components"]["schemas"]
    next_lines = schemas["CheckInPublic"]["properties"]["next_lines"]
    assert next_lines["items"]["$ref"].endswith("/CheckInNextLine")
    assert "repair" in next_lines["description"]
    line = schemas["CheckInNextLine"]
    assert set(line["required"]) == {"service_line_id", "name", "reason", "reason_text"}
    assert "co_bought" in line["properties"]["reason"]["description"]
