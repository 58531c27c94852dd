"""Staff sign-in as a person does it in Chromium: typing, pressing buttons, following links."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from advocacy.models import User
from tests.conftest import LiveServer
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def login_url_pattern(server: LiveServer) -> re.Pattern[str]:
    return re.compile(re.escape(server.url) + r"/login(\?.*)?$")


def test_a_person_signs_in_with_the_form_sees_their_name_and_signs_out(
    page: Page,
    live_server: LiveServer,
    person: Callable[..., User],
    new_context: Callable[..., BrowserContext],
) -> None:
    person(email="ana.lopes@firm.example", name="Ana Lopes")
    page.goto(live_server.url + "/")
    expect(page).to_have_url(login_url_pattern(live_server))
    expect(page).to_have_title(re.compile(r"^Sign in · "))

    page.get_by_label("E-mail").type("ana.lopes@firm.example")
    page.get_by_label("Password").type(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ana Lopes")
    expect(page.get_by_role("contentinfo")).to_contain_text("ana.lopes@firm.example")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    saved_cookies = page.context.cookies()

    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(live_server.url + "/login")
    expect(page.get_by_role("status")).to_contain_text("You are signed out.")
    page.goto(live_server.url + "/")
    expect(page).to_have_url(login_url_pattern(live_server))

    # A copy of the cookie saved before signing out is refused too: the session ended on the server.
    elsewhere = new_context()
    elsewhere.add_cookies(saved_cookies)  # type: ignore[arg-type]
    replay = elsewhere.new_page()
    replay.goto(live_server.url + "/preferences")
    expect(replay).to_have_url(login_url_pattern(live_server))


def test_a_wrong_password_shows_the_reason_and_keeps_the_email_typed(
    page: Page, live_server: LiveServer, person: Callable[..., User]
) -> None:
    person(email="ana.lopes@firm.example")
    sign_in(page, live_server, "ana.lopes@firm.example", "not my password at all")

    expect(page.get_by_role("alert")).to_have_text("Wrong e-mail or password.")
    expect(page.get_by_label("E-mail")).to_have_value("ana.lopes@firm.example")
    expect(page.get_by_label("Password")).to_have_value("")
    page.goto(live_server.url + "/")
    expect(page).to_have_url(login_url_pattern(live_server))


def test_an_invited_person_sets_a_password_from_the_link_and_loses_access_when_deactivated(
    page: Page,
    new_context: Callable[..., BrowserContext],
    live_server: LiveServer,
    person: Callable[..., User],
) -> None:
    admin = person("admin", email="boss@firm.example")
    sign_in(page, live_server, admin.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")

    page.get_by_label("E-mail").fill("noor.haddad@firm.example")
    page.get_by_label("Name").fill("Noor Haddad")
    page.get_by_label("Role").select_option(label="Marketing")
    page.get_by_role("button", name="Invite").click()

    expect(page).to_have_url(re.compile(r"/admin/users/\d+$"))
    user_page_url = page.url
    expect(page.get_by_role("status")).to_contain_text("noor.haddad@firm.example is invited")
    invitation_url = page.get_by_label("Link", exact=True).input_value()
    assert invitation_url.startswith(live_server.url + "/invitations/")

    invitee = new_context().new_page()
    invitee.goto(invitation_url)
    expect(invitee.get_by_role("heading", level=1)).to_have_text(
        "Welcome, noor.haddad@firm.example"
    )
    new_password = invitee.get_by_label("New password")
    new_password.fill("too short")
    invitee.get_by_label("Repeat the password").fill("too short")
    invitee.get_by_role("button", name="Set my password").click()

    expect(new_password).to_have_attribute("aria-invalid", "true")
    expect(new_password).to_have_accessible_description(re.compile("Use at least 12 characters."))
    expect(invitee.get_by_role("button", name="Set my password")).to_be_visible()
    expect(invitee).to_have_url(invitation_url)

    new_password.fill("a long and private passphrase")
    invitee.get_by_label("Repeat the password").fill("a long and private passphrase")
    invitee.get_by_role("button", name="Set my password").click()
    expect(invitee).to_have_url(live_server.url + "/")
    expect(invitee.get_by_role("status")).to_contain_text("Your password is set.")
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Hello, Noor Haddad")

    page.goto(user_page_url)
    expect(page.get_by_label("Link", exact=True)).to_have_count(0)
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("status")).to_contain_text("deactivated and signed out")

    invitee.get_by_role("link", name="Preferences").click()
    expect(invitee).to_have_url(login_url_pattern(live_server))
    expect(invitee.get_by_role("status")).to_contain_text("You have been signed out.")
    sign_in(invitee, live_server, "noor.haddad@firm.example", "a long and private passphrase")
    expect(invitee.get_by_role("alert")).to_be_visible()
    expect(invitee).to_have_url(login_url_pattern(live_server))


def outline_width(locator: Locator) -> float:
    width = locator.evaluate("element => getComputedStyle(element).outlineWidth")
    return float(width.removesuffix("px") or 0)


@pytest.mark.parametrize("signed_in", [False, True], ids=["sign-in page", "home page"])
def test_the_skip_link_is_the_first_tab_stop_and_focus_is_always_visible(
    page: Page, live_server: LiveServer, person: Callable[..., User], signed_in: bool
) -> None:
    if signed_in:
        sign_in(page, live_server, person("admin").email)
    else:
        page.goto(live_server.url + "/login")

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    assert outline_width(skip_link) >= 2

    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    first_in_main = page.locator(":focus")
    expect(first_in_main).to_be_in_viewport()
    assert first_in_main.evaluate("element => element.closest('main') !== null")
    assert outline_width(first_in_main) >= 2
    if not signed_in:
        expect(page.get_by_label("E-mail")).to_be_focused()
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        button = page.get_by_role("button", name="Sign in")
        expect(button).to_be_focused()
        assert outline_width(button) >= 2
