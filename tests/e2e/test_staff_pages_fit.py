"""Every staff page fits a 1366 × 900 laptop screen: nothing scrolls sideways.

The demo firm is loaded through its real services (long names, many rows, the client voice), then
each role signs in and opens every staff page of the app that it may see, with the ids of real
rows. A table that needs more room scrolls inside its own region; the page itself never does.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext
from sqlmodel import col, select

from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.demo.loader import DEMO_DOMAIN, load_demo
from advocacy.domain.errors import RuleError
from advocacy.models import (
    Account,
    Campaign,
    CheckIn,
    Collection,
    Contact,
    ContentItem,
    Engagement,
    OutboxMessage,
    ReferenceRequest,
    Referral,
    ServiceLine,
    Touchpoint,
    User,
    WebhookDelivery,
    WebhookEndpoint,
)
from advocacy.models import (
    Testimonial as Quote,
)
from advocacy.services.analytics.questions import QUESTIONS
from advocacy.services.check_ins.generation import generate_due, rules_of
from advocacy.services.library.collections import add_to_collection, create_collection
from tests.conftest import LiveServer
from tests.e2e.conftest import create_person, password_hash, sign_in

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 900}
# Not staff pages: public client pages, the JSON API, machine endpoints, files and images.
NOT_STAFF_PAGES = (
    "/c/",
    "/api/",
    "/static/",
    "/auth/",
    "/login",
    "/invitations/",
    "/webhooks/",
    "/healthz",
    "/wall",
    "/calendar/",
    "/exports/",
    "/imports/<",
)
NOT_PAGES_SUFFIXES = (".csv", ".json", ".ics", "/logo", "/photo", "/mail/<id:message_id>/preview")
# The page, and every region that scrolls on its own (a table's wrapper): what is wider than
# its room, as "what: needed px for room px". A table wider than a laptop hides its last columns.
# Form fields the style sheet missed (browser-default inputs) are reported too, and dates written
# another way than the page's one format.
TOO_WIDE = """() => {
  const found = [];
  const page = document.scrollingElement;
  if (page.scrollWidth > page.clientWidth) {
    found.push(`page: ${page.scrollWidth} px for ${page.clientWidth} px`);
  }
  for (const region of document.querySelectorAll(".table-wrap, pre, code, textarea")) {
    if (region.scrollWidth > region.clientWidth + 1) {
      const name = region.getAttribute("aria-labelledby") || region.className || region.tagName;
      found.push(`${name}: ${region.scrollWidth} px for ${region.clientWidth} px`);
    }
  }
  const typed = ["", "text", "email", "password", "number", "url", "search", "tel", "date"];
  for (const input of document.querySelectorAll("main input, main select, main textarea")) {
    const kind = input.tagName === "INPUT" ? (input.getAttribute("type") || "") : "";
    if (typed.includes(kind) && input.offsetParent !== null
        && getComputedStyle(input).borderRadius !== "6px") {
      found.push(`unstyled field: ${input.name || input.id}`);
    }
  }
  // One date format per page: never a numeric short date or seconds next to the medium dates.
  const text = document.querySelector("main").innerText;
  for (const odd of text.match(/\\b\\d{1,2}\\/\\d{1,2}\\/\\d{2,4}\\b|\\b\\d{1,2}:\\d{2}:\\d{2}\\b/g) || []) {
    found.push(`date written another way: ${odd}`);
  }
  return found;
}"""
# Which row each URL argument names: the row a role's pages are drawn with.
ARGUMENT_ROWS = {
    "account_id": Account,
    "campaign_id": Campaign,
    "check_in_id": CheckIn,
    "collection_id": Collection,
    "contact_id": Contact,
    "engagement_id": Engagement,
    "item_id": ContentItem,
    "line_id": ServiceLine,
    "message_id": OutboxMessage,
    "referral_id": Referral,
    "request_id": ReferenceRequest,
    "testimonial_id": Quote,
    "touchpoint_id": Touchpoint,
    "user_id": User,
    "endpoint_id": WebhookEndpoint,
}

# URL arguments that are words, not ids: the pages they open (each one of them).
WORDS = {"move": ["pause"], "slug": [question.slug for question in QUESTIONS]}


def staff_paths(server: LiveServer, owner: User) -> list[str]:
    """Every staff page of the app, with the ids of rows of `owner`'s first account."""
    with server.app.app_context():
        session = db_session()
        account = session.exec(
            select(Account).where(Account.owner_id == owner.id).order_by(col(Account.id))
        ).first()
        assert account is not None, "the demo gave this account manager no account"
        ids = {name: _first_id(session, model, account.id) for name, model in ARGUMENT_ROWS.items()}
        rules = list(server.app.url_map.iter_rules())
    paths = []
    for rule in rules:
        if "GET" not in (rule.methods or ()) or rule.rule.startswith(NOT_STAFF_PAGES):
            continue
        if rule.rule.endswith(NOT_PAGES_SUFFIXES) or rule.rule.startswith("/imports/<"):
            continue
        path = rule.rule
        for name in rule.arguments - set(WORDS):
            assert ids.get(name) is not None, f"no row for {name} in {rule.rule}"
            path = path.replace(f"<id:{name}>", str(ids[name]))
        expanded = [path]
        for name, values in WORDS.items():
            expanded = [p.replace(f"<{name}>", value) for p in expanded for value in values]
        paths.extend(set(expanded))
    return sorted(paths)


def _first_id(session, model, account_id: int) -> int | None:  # type: ignore[no-untyped-def]
    query = select(model.id)
    if model is Account:
        query = query.where(Account.id == account_id)
    elif model is Campaign:
        # The running one: its preview has people to show and its status page a move to make.
        query = query.where(Campaign.status == "active")
    elif hasattr(model, "account_id") and model is not OutboxMessage:
        # The richest rows the account has: more text and more rows to fit on the page.
        query = query.where(model.account_id == account_id)
    found = session.exec(query.order_by(model.id)).first()
    return found if found is not None else session.exec(select(model.id)).first()


def _demo_firm(server: LiveServer) -> User:
    """The demo firm with this week's check-ins and a collection; its first account manager."""
    now = utcnow()
    with server.app.app_context():
        session = db_session()
        load_demo(session, size="small", now=now)
        generate_due(session, rules_of(server.app.config["ADVOCACY"]), now=now)
        marketer = session.exec(select(User).where(User.email == f"jordan.lee@{DEMO_DOMAIN}")).one()
        collection = create_collection(
            session,
            "Industrial clients for the Northwind Manufacturing tender, second round",
            "Quotes for the proposal",
            by=marketer,
            now=now,
        )
        for quote_id in session.exec(select(Quote.id).order_by(col(Quote.id))).all()[:40]:
            try:
                add_to_collection(session, collection.id or 0, quote_id, by=marketer, now=now)
            except RuleError:
                session.rollback()  # a quote that may not leave the firm: the next one
        # A webhook endpoint with a long address and a delivery that failed, for its log page.
        endpoint = WebhookEndpoint(
            url="https://hooks.northwind-partners.example/advocacy/testimonials/website-sync",
            description="Website testimonial sync",
            events="testimonial.published,testimonial.withdrawn,testimonial.consent_changed",
            scope="publish",
            secret="whsec_" + "A" * 44,
            failing_since=now,
            created_at=now,
            updated_at=now,
        )
        session.add(endpoint)
        session.flush()
        session.add(
            WebhookDelivery(
                message_id=f"msg_{'0' * 32}_{endpoint.id}",
                event_id=f"evt_{'0' * 32}",
                event_type="testimonial.published",
                endpoint_id=endpoint.id or 0,
                payload="{}",
                attempts=3,
                next_attempt_at=now,
                last_status_code=503,
                last_error="HTTP 503",
                created_at=now,
            )
        )
        session.commit()
    # The account manager reads French (longer words) in Paris time; the others read English.
    return _with_password(
        server, f"camille.durand@{DEMO_DOMAIN}", language="fr", timezone="Europe/Paris"
    )


def _with_password(server: LiveServer, email: str, **preferences: str) -> User:
    with server.app.app_context():
        session = db_session()
        user = session.exec(select(User).where(User.email == email)).one()
        user.password_hash = password_hash()
        for name, value in preferences.items():
            setattr(user, name, value)
        session.commit()
        return user


def test_no_staff_page_scrolls_sideways_on_a_laptop_or_mixes_date_formats_whatever_the_role(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    server = live_server
    owner = _demo_firm(server)
    people = {
        "admin": create_person(server, "admin"),
        "account_manager": owner,
        "marketing": _with_password(server, f"jordan.lee@{DEMO_DOMAIN}"),
    }
    paths = staff_paths(server, owner)
    too_wide = []
    for role, user in people.items():
        page = new_context(viewport=LAPTOP).new_page()
        # The icon loads after the page does: leaving each page at once would cut it off midway.
        page.route("**/favicon.svg", lambda route: route.abort())
        sign_in(page, server, user.email)
        seen = 0
        for path in paths:
            response = page.goto(server.url + path)
            assert response is not None
            if response.status in (403, 404):
                continue  # not this role's page: the web tests check who may see what
            assert response.status == 200, (role, path, response.status)
            seen += 1
            too_wide += [f"{role} {path}: {wide}" for wide in page.evaluate(TOO_WIDE)]
        assert seen >= 5, f"only {seen} pages seen as {role}"
    assert not too_wide, "\n".join(too_wide)
