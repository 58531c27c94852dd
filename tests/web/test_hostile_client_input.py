"""Anything a client types is data: a corpus of script, attribute, URL, template, formula and
unicode payloads goes through every field of the real client pages (survey, testimonial, referral,
reference), then every staff page, API answer, CSV export and the public wall that shows it is
read back: shown literally, no element or attribute of the payload alive, formulas neutralised."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.csv_import import FORMULA_STARTS
from advocacy.domain.testimonials import outcome_tags
from advocacy.models import (
    Account,
    CheckIn,
    OutboxMessage,
    ReferenceRequest,
    Referral,
    User,
)
from advocacy.models import Testimonial as Quote  # pytest would collect a Test* name
from advocacy.services.check_ins import generation
from advocacy.services.library import collections
from advocacy.services.voice import referrals, testimonials
from advocacy.services.voice.testimonial_consent import render_body
from tests.conftest import TEST_SECRET
from tests.factories import (
    bearer,
    csrf_token,
    make_account,
    make_engagement,
    make_mail_contact,
    make_survey,
    make_testimonial_link,
    make_token,
    make_user,
    sign_in,
)
from tests.factories_referrals import make_reference_permission
from tests.web.check_in_helpers import RULES

PAYLOADS: dict[str, str] = {
    "script": "<script>alert(1)</script>",
    "attribute breakout": '"><img src=x onerror=alert(1)>',
    "javascript link": '<a href="javascript:alert(1)">x</a>',
    "svg onload": "<svg/onload=alert(1)>",
    "jinja expression": "{{7*7}}",
    "jinja spaced": "{{ 7*7 }}",
    "jinja config": "{{ config }}",
    "jinja statement": "{% for x in range(3) %}loop{% endfor %}",
    "template literal": "${7*7}",
    "javascript url": "javascript:alert(1)",
    "csv hyperlink": '=HYPERLINK("http://x.example")',
    "csv sum": "=1+2",
    "csv plus": "+cmd|' /C calc'!A0",
    "csv at": "@SUM(1)",
    "csv minus": "-2+3",
    "textarea breakout": "</textarea><script>alert(1)</script>",
    "style attribute": '<p style="background:url(javascript:alert(1))">x</p>',
    "quoted style": "' style='position:fixed;top:0' x='",
    "rtl override": "invoice\u202egpj.exe",
    "zero width and fullwidth": "adm\u200bin \uff1cscript\uff1e",
}
# Valid addresses (the form checks them) that still carry template and formula characters.
EMAILS = [
    "{{7*7}}@hostile.example",
    "=1+2@hostile.example",
    "+cmd@hostile.example",
    "${7*7}@hostile.example",
    "-2+3@hostile.example",
    "'onmouseover=alert`1`'@hostile.example",
]
# Every free-text field a client fills in (outcomes are staff's tags, which quote clients too).
FIELDS = (
    "survey comment",
    "testimonial body",
    "testimonial display name",
    "testimonial display title",
    "testimonial display company",
    "testimonial outcomes",
    "referral name",
    "referral company",
    "referral note",
    "reference decline reason",
)
NAMES = list(PAYLOADS)


def typed_in_round(first: str) -> dict[str, str]:
    """One payload per field, shifted by the round: over all rounds each field takes each one."""
    start = NAMES.index(first)
    return {name: PAYLOADS[NAMES[(start + i) % len(NAMES)]] for i, name in enumerate(FIELDS)}


def squashed(text: str) -> str:
    return " ".join(text.split())


URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "srcdoc"})


def is_javascript_url(value: str) -> bool:
    # Browsers ignore blanks and control characters inside the scheme: "java\tscript:" runs too.
    return re.sub(r"[\s\x00-\x1f]", "", value).lower().startswith("javascript:")


class Inspector(HTMLParser):
    """The text a reader sees and every live element and attribute of the page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.attribute_values: list[str] = []
        self.problems: list[str] = []
        self._open: list[str] = []
        self._our_svg = 0  # depth inside a picture the app draws itself

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.attribute_values.extend(values.values())
        if tag == "script" and not values.get("src", "").startswith("/static/"):
            self.problems.append(f"a script element that is not ours: {values}")
        ours = tag == "svg" and bool(set(values.get("class", "").split()) & OUR_SVG_CLASSES)
        if ours or self._our_svg:
            self._our_svg += 1
        elif tag in {"svg", "math", "object", "embed", "base"}:
            self.problems.append(f"a <{tag}> element")
        if tag in {"img", "iframe"} and values.get("src", "") in {"", "x"}:
            self.problems.append(f"an <{tag}> from the payload: {values}")
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"an event handler attribute {name}={value!r} on <{tag}>")
            if name in URL_ATTRIBUTES and is_javascript_url(value):
                self.problems.append(f"a javascript: URL in {name} on <{tag}>")
            if name == "style":
                self.problems.append(f"a style attribute {value!r} on <{tag}>")
            known = KNOWN_ATTRIBUTES | (SVG_ATTRIBUTES if self._our_svg else frozenset())
            if name not in known and not name.startswith(("data-", "aria-")):
                self.problems.append(f"an attribute {name}={value!r} on <{tag}>")
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()
        if self._our_svg:
            self._our_svg -= 1

    def handle_data(self, data: str) -> None:
        if self._open and self._open[-1] == "script" and data.strip():
            self.problems.append(f"inline script {data[:60]!r}")
        if self._open and self._open[-1] == "style" and re.search(r"javascript|url\(|expr", data):
            self.problems.append(f"a style element with {data[:60]!r}")
        self.text.append(data)


# Pictures the app draws on the server (journey map, analytics charts, the score's sparkline,
# bars): an <svg> of one of these classes, with the geometry attributes below, is ours. A
# payload's <svg> has none of them, and event handlers stay refused inside ours too.
OUR_SVG_CLASSES = frozenset({"journey-svg", "chart", "lift-chart", "sparkline", "bar"})
SVG_ATTRIBUTES = frozenset({
    "viewbox", "preserveaspectratio", "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx",
    "ry", "d", "points", "transform", "text-anchor", "focusable", "xmlns", "dx", "dy",
})  # fmt: skip

# Attributes the app's own templates use; a payload's `x=` or `src=` on a new element is not one.
KNOWN_ATTRIBUTES = frozenset({
    "accept", "action", "allow", "alt", "async", "autocomplete", "autofocus", "charset",
    "checked", "class", "cols", "colspan", "content", "crossorigin", "datetime", "decoding",
    "defer", "dir", "disabled", "download", "enctype", "for", "form", "height", "hidden",
    "href", "http-equiv", "id", "inputmode", "integrity", "lang", "list", "loading", "max",
    "maxlength", "media", "method", "min", "minlength", "multiple", "name", "novalidate",
    "open", "pattern", "placeholder", "readonly", "referrerpolicy", "rel", "required",
    "reversed", "role", "rows", "rowspan", "sandbox", "scope", "selected", "size",
    "spellcheck", "src", "start", "step", "tabindex", "target", "title", "type", "value",
    "width", "wrap",
})  # fmt: skip


def inspected(html: str) -> Inspector:
    page = Inspector()
    page.feed(html)
    page.close()
    return page


def assert_inert_html(where: str, html: str, typed: list[str], *, shown: bool = True) -> Inspector:
    """No payload element or attribute is alive; what the client typed is text on the page."""
    page = inspected(html)
    assert page.problems == [], f"{where}: {page.problems}"
    assert TEST_SECRET not in html, f"{where}: the app's configuration leaked"
    seen = squashed(" ".join(page.text + page.attribute_values))
    found = [value for value in typed if squashed(value) in seen]
    assert found or not shown, f"{where} shows none of what the client typed"
    return page


@dataclass
class Round:
    typed: dict[str, str]
    email: str
    users: dict[str, User] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    messages: list[int] = field(default_factory=list)


def page_csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def submit(client: FlaskClient, path: str, refuse: dict[str, str], **data: str) -> None:
    """Fill the client's form as a browser would: first with one mistake (the form comes back
    with what was typed), then right (the thank-you page); both pages stay inert."""
    form = client.get(path)
    assert form.status_code == 200, form.get_data(as_text=True)
    data = {"csrf_token": page_csrf(form.get_data(as_text=True)), "website": "", **data}
    typed = [value for value in data.values() if value in PAYLOADS.values() or value in EMAILS]
    refused = client.post(path, data={**data, **refuse})
    assert refused.status_code == 400, refused.get_data(as_text=True)
    assert_inert_html(f"{path} (refused)", refused.get_data(as_text=True), typed)
    response = client.post(path, data=data)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert_inert_html(f"{path} (thanks)", response.get_data(as_text=True), typed, shown=False)


def signed_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    sign_in(client, user.email)
    return client


def people(app: Flask, run: Round) -> None:
    with app.app_context():
        session = db_session()
        for role, key in [("account_manager", "am"), ("admin", "admin"), ("marketing", "mkt")]:
            run.users[key] = make_user(session, role=role, email=f"{key}@firm.example", name=key)
        am = run.users["am"]
        for name in ("Survey SA", "Quote SA", "Referrer SA", "Reference SA"):
            account = make_account(session, owner=am, name=name, industry="Energy")
            run.ids[name] = account.id
        # An active mandate: the referrer's account gets a check-in, whose talking points quote it.
        referrer = session.get_one(Account, run.ids["Referrer SA"])
        make_engagement(session, referrer, status="active", by=am)


def answer_survey(app: Flask, run: Round, client: FlaskClient) -> None:
    with app.app_context():
        session = db_session()
        account = session.get_one(Account, run.ids["Survey SA"])
        survey, token = make_survey(
            session,
            app.config["ADVOCACY"],
            owner=run.users["am"],
            account=account,
            full_name="Dana Client",
            now=utcnow(),
        )
        run.ids["survey"] = survey.id
    # A detractor: the answer also reaches the owner's home page as a repair task.
    path = f"/c/survey/{token}"
    submit(client, path, {"score": ""}, score="2", comment=run.typed["survey comment"])


def write_testimonial(app: Flask, run: Round, client: FlaskClient) -> None:
    with app.app_context():
        session = db_session()
        account = session.get_one(Account, run.ids["Quote SA"])
        contact = make_mail_contact(session, account, full_name="Quinn Client")
        token = make_testimonial_link(session, contact, now=utcnow())
    typed = run.typed
    submit(
        client,
        f"/c/testimonial/new/{token}",
        {"until_logo": "not a date"},
        body=typed["testimonial body"],
        rating="5",
        display_name=typed["testimonial display name"],
        display_title=typed["testimonial display title"],
        display_company=typed["testimonial display company"],
        use_internal="y",
        use_named_public="y",
        use_case_study="y",
    )
    with app.app_context():
        session = db_session()
        [quote] = session.exec(select(Quote)).all()
        run.ids["testimonial"] = quote.id or 0
        marketing, now = run.users["mkt"], utcnow()
        testimonials.set_tags(
            session,
            quote.id or 0,
            service_line_ids=set(),
            industry="Energy",
            outcomes=typed["testimonial outcomes"],
            by=marketing,
            now=now,
        )
        testimonials.approve(session, quote.id or 0, by=marketing, now=now)
        testimonials.publish(session, quote.id or 0, by=marketing, now=now)
        collection = collections.create_collection(
            session, "Energy pitch", "Proposal", by=marketing, now=now
        )
        collections.add_to_collection(
            session, collection.id or 0, quote.id or 0, by=marketing, now=now
        )
        run.ids["collection"] = collection.id or 0


def introduce_someone(app: Flask, run: Round, client: FlaskClient) -> None:
    with app.app_context():
        session = db_session()
        account = session.get_one(Account, run.ids["Referrer SA"])
        contact = make_mail_contact(session, account, full_name="Rita Referrer")
        url = referrals.create_referral_link(session, app.config["ADVOCACY"], contact, now=utcnow())
        session.commit()
    typed = run.typed
    submit(
        client,
        "/c/referral/new/" + url.rsplit("/", 1)[1],
        {"email": "not an address"},
        name=typed["referral name"],
        company=typed["referral company"],
        note=typed["referral note"],
        email=run.email,
        intro_preference="call",
    )
    with app.app_context():
        session = db_session()
        [referral] = session.exec(select(Referral)).all()
        run.ids["referral"] = referral.id or 0
        run.ids["prospect account"] = referral.prospect_account_id or 0
        run.ids["prospect contact"] = referral.prospect_contact_id or 0
        # The referrer's account comes due for a check-in; "Introduced ..." is a talking point.
        generation.generate_due(session, RULES, now=utcnow() + timedelta(days=14))
        check_in = session.exec(
            select(CheckIn).where(CheckIn.account_id == run.ids["Referrer SA"])
        ).one()
        run.ids["check-in"] = check_in.id or 0


def decline_reference(app: Flask, run: Round, client: FlaskClient) -> None:
    with app.app_context():
        session = db_session()
        account = session.get_one(Account, run.ids["Reference SA"])
        contact = make_mail_contact(session, account, full_name="Remy Reference")
        make_reference_permission(session, contact)
        contact_id = contact.id
    staff = signed_in(app, run.users["am"])
    fields = {"prospect_name": "Prospect Ltd", "industry": "", "service_line_id": ""}
    fields |= {"size_band": "", "language": "", "deadline": "", "notes": ""}
    token = csrf_token(staff, "/references/new")
    created = staff.post("/references/new", data={"csrf_token": token, **fields})
    assert created.status_code == 302, created.get_data(as_text=True)
    with app.app_context():
        request_id = db_session().exec(select(ReferenceRequest.id)).one()
    page = f"/references/{request_id}"
    token = csrf_token(staff, page)
    asked = staff.post(f"{page}/ask", data={"csrf_token": token, "contact_id": str(contact_id)})
    assert asked.status_code == 302, asked.get_data(as_text=True)
    run.ids["reference request"] = request_id
    with app.app_context():
        body = (
            db_session()
            .exec(
                select(OutboxMessage.text_body).where(OutboxMessage.template == "reference_request")
            )
            .one()
        )
    link = "/c/reference/" + body.split("/c/reference/", 1)[1].split()[0]
    reason = run.typed["reference decline reason"]
    submit(client, link, {"answer": "maybe"}, answer="decline", reason=reason)


def staff_pages(run: Round) -> dict[str, tuple[str, ...]]:
    """Each staff page that shows what a client typed, and the roles that may open it."""
    ids, everyone, managers = run.ids, ("am", "admin", "mkt"), ("am", "admin")
    pages = {
        "/": ("am",),  # My week: the referral and the unhappy answer as signals
        f"/accounts/{ids['Survey SA']}": managers,  # the surveys panel is not for marketing
        f"/accounts/{ids['Referrer SA']}": everyone,
        f"/accounts/{ids['prospect account']}": everyone,
        f"/contacts/{ids['prospect contact']}": everyone,
        f"/accounts/{ids['Quote SA']}/testimonials": everyone,
        "/testimonials": ("admin", "mkt"),
        f"/testimonials/{ids['testimonial']}": everyone,
        "/library": everyone,
        "/library/case-studies": everyone,
        f"/library/collections/{ids['collection']}": ("admin", "mkt"),
        f"/library/collections/{ids['collection']}/print": ("admin", "mkt"),
        "/referrals": managers,
        f"/referrals/{ids['referral']}": managers,
        f"/references/{ids['reference request']}": managers,
        f"/check-ins/{ids['check-in']}": managers,
    }
    for message_id in run.messages:
        pages[f"/admin/mail/{message_id}"] = ("admin",)  # the text version; the HTML is sandboxed
    return pages


@pytest.fixture(params=NAMES)
def run(request: pytest.FixtureRequest, app: Flask) -> Round:
    """The client pages filled in, one payload per field, starting from the round's payload."""
    typed = typed_in_round(request.param)
    this = Round(typed=typed, email=EMAILS[NAMES.index(request.param) % len(EMAILS)])
    people(app, this)
    client = app.test_client()
    answer_survey(app, this, client)
    write_testimonial(app, this, client)
    introduce_someone(app, this, client)
    decline_reference(app, this, client)
    with app.app_context():
        this.messages = list(
            db_session().exec(
                select(OutboxMessage.id).where(
                    OutboxMessage.template.in_(("staff_notice", "survey_detractor"))  # type: ignore[attr-defined]
                )
            )
        )
    return this


def staff_pages_are_inert(app: Flask, run: Round) -> None:
    typed = [*run.typed.values(), run.email]
    everything_seen = ""
    for key in ("am", "admin", "mkt"):
        staff = signed_in(app, run.users[key])
        for path, roles in staff_pages(run).items():
            if key not in roles:
                continue
            response = staff.get(path)
            html = response.get_data(as_text=True)
            assert response.status_code == 200, f"{key} {path}: {response.status_code}"
            page = assert_inert_html(f"{key} {path}", html, typed)
            everything_seen += squashed(" ".join(page.text + page.attribute_values)) + "\n"
    for name, value in run.typed.items():
        assert squashed(value) in everything_seen, f"the {name} is shown on no staff page"


def wall_is_inert(app: Flask, run: Round) -> None:
    response = app.test_client().get("/wall")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    seen = squashed(" ".join(assert_inert_html("/wall", html, [""]).text))
    assert squashed(run.typed["testimonial body"]) in seen
    assert squashed(run.typed["testimonial display name"]) in seen


def api_items(app: Flask, run: Round, path: str, scopes: tuple[str, ...] = ("read",)) -> Any:
    with app.app_context():
        secret = make_token(db_session(), run.users["admin"], scopes)
    response = app.test_client().get(path, headers=bearer(secret))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return json.loads(response.get_data(as_text=True))["items"]


def api_returns_plain_data(app: Flask, run: Round) -> None:
    typed = run.typed
    [answer] = api_items(app, run, "/api/v1/survey-answers")
    assert answer["id"] == run.ids["survey"]
    assert answer["comment"] == typed["survey comment"].strip()

    [referral] = api_items(app, run, "/api/v1/referrals")
    assert referral["id"] == run.ids["referral"]
    assert (referral["name"], referral["company"], referral["note"]) == (
        typed["referral name"].strip(),
        typed["referral company"].strip(),
        typed["referral note"].strip(),
    )
    assert referral["email"] == run.email

    body = typed["testimonial body"].strip()
    for scopes in [("read",), ("publish",)]:
        items = api_items(app, run, "/api/v1/testimonials", scopes)
        # The reference contact's own quote is in the library too, but has nothing typed in it.
        [quote] = [item for item in items if item["id"] == run.ids["testimonial"]]
        assert quote["body"] == body
        # The one HTML field: our sanitised rendering, in which nothing of the payload is alive.
        assert quote["body_html"] == render_body(body)
        assert inspected(quote["body_html"]).problems == []
        assert quote["author_name"] == squashed(typed["testimonial display name"])
        assert quote["author_title"] == squashed(typed["testimonial display title"])
        assert quote["author_company"] == squashed(typed["testimonial display company"])
        assert quote["outcomes"] == outcome_tags(typed["testimonial outcomes"])


def csv_cells(response: Any) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def exports_neutralise_formulas(app: Flask, run: Round) -> None:
    marketing = signed_in(app, run.users["mkt"])
    exported = csv_cells(marketing.get(f"/library/collections/{run.ids['collection']}/export.csv"))
    admin = signed_in(app, run.users["admin"])
    for kind in ("accounts", "contacts", "touchpoints"):
        exported += csv_cells(admin.get(f"/exports/{kind}.csv"))
    for cell in exported:
        assert not cell.startswith(FORMULA_STARTS), f"a cell a spreadsheet would run: {cell!r}"
    wanted = {
        "the quote": run.typed["testimonial body"].strip(),
        "the attribution": squashed(run.typed["testimonial display name"]),
        "the prospect's company": run.typed["referral company"].strip(),
        "the prospect's name": run.typed["referral name"].strip(),
        "the prospect's address": run.email,
    }
    for what, value in wanted.items():
        as_exported = "'" + value if value.startswith(FORMULA_STARTS) else value
        assert any(cell.startswith(as_exported) for cell in exported), f"{what} is in no export"


def test_what_a_client_types_stays_inert_on_every_staff_page_api_answer_export_and_the_wall(
    app: Flask, run: Round
) -> None:
    staff_pages_are_inert(app, run)
    wall_is_inert(app, run)
    api_returns_plain_data(app, run)
    exports_neutralise_formulas(app, run)
