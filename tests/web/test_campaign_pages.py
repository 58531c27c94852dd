"""The nurture campaign pages: marketing builds a campaign (audience and its size, steps), starts,
pauses and finishes it behind a confirmation; a refused form comes back as typed with the reason
and writes nothing; account managers see only the campaigns touching their accounts, read only,
and take their own contacts out, the reason shown afterwards."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import col, func, select

from advocacy.db import db_session
from advocacy.domain.campaigns import CampaignStatus
from advocacy.models import Campaign, CampaignStep, Enrolment, OutboxMessage, SavedSegment, User
from advocacy.services.nurture.run import run_campaigns
from tests.conftest import NOW
from tests.factories import csrf_from, page_html, signed_in_client
from tests.factories_campaigns import ALWAYS_OPEN, Firm, build_firm


@pytest.fixture
def open_app(app_factory: Any) -> Flask:
    return app_factory(**ALWAYS_OPEN)


def _post(client: FlaskClient, path: str, form_page: str, data: dict[str, Any]) -> Any:
    token = csrf_from(client.get(form_page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def _count(app: Flask, model: Any) -> int:
    with app.app_context():
        return db_session().exec(select(func.count()).select_from(model)).one()


def _campaign(app: Flask, campaign_id: int) -> Campaign:
    with app.app_context():
        row = db_session().get(Campaign, campaign_id)
        assert row is not None
        return row


def _run(app: Flask) -> None:
    with app.app_context():
        run_campaigns(db_session(), now=NOW, settings=app.config["ADVOCACY"])


def _activate(app: Flask, firm: Firm) -> None:
    client = signed_in_client(app, firm.marketer)
    path = f"/campaigns/{firm.campaign}/status/activate"
    assert _post(client, path, path, {}).status_code == 302


def test_marketing_counts_the_audience_then_creates_the_campaign(open_app: Flask) -> None:
    firm = build_firm(open_app)
    client = signed_in_client(open_app, firm.marketer)
    form = page_html(client, "/campaigns/new")
    assert 'name="csrf_token"' in form and "Logistics" in form and "Transfer pricing" in form
    typed = {
        "name": "Next line <for logistics>",
        "stages": ["between"],
        "industries": ["Logistics"],
        "not_bought_line_ids": [str(firm.tp)],
        "max_typecasting_percent": "80",
    }
    counted = _post(client, "/campaigns/new", "/campaigns/new", {**typed, "action": "count"})
    html = counted.get_data(as_text=True)
    assert counted.status_code == 200
    # Half the accounts bought Transfer pricing already: two contacts are left.
    assert "2 contacts match this audience now." in html
    assert 'value="Next line &lt;for logistics&gt;"' in html and 'value="80"' in html
    segments = _count(open_app, SavedSegment)
    response = _post(client, "/campaigns/new", "/campaigns/new", {**typed, "action": "save"})
    assert response.status_code == 302 and response.location.endswith("/steps")
    assert _count(open_app, SavedSegment) == segments + 1
    with open_app.app_context():
        campaign = db_session().exec(select(Campaign).order_by(Campaign.id.desc())).first()  # type: ignore[union-attr]
        assert campaign is not None
        criteria = db_session().get(SavedSegment, campaign.segment_id).criteria()  # type: ignore[union-attr]
    assert (campaign.status, criteria.max_typecasting_index) == ("draft", 0.8)
    assert criteria.not_bought_line_ids == [firm.tp]
    page = page_html(client, f"/campaigns/{campaign.id}")
    assert (
        "Next line &lt;for logistics&gt;" in page and "2 contacts match this audience now." in page
    )


def test_the_audience_filters_on_advocacy_tiers_now_that_contacts_are_scored(
    open_app: Flask,
) -> None:
    firm = build_firm(open_app, accounts=2)
    client = signed_in_client(open_app, firm.marketer)
    form = page_html(client, "/campaigns/new")
    assert "Available once advocacy scoring" not in form
    assert 'name="advocacy_tiers" type="checkbox" value="champion"' in form
    typed = {"name": "Champions", "advocacy_tiers": ["champion", "advocate"], "action": "save"}
    assert _post(client, "/campaigns/new", "/campaigns/new", typed).status_code == 302
    with open_app.app_context():
        campaign = db_session().exec(select(Campaign).where(Campaign.name == "Champions")).one()
        criteria = db_session().get(SavedSegment, campaign.segment_id).criteria()  # type: ignore[union-attr]
    assert {tier.value for tier in criteria.advocacy_tiers} == {"champion", "advocate"}
    assert "Advocate, Champion" in page_html(client, f"/campaigns/{campaign.id}")
    edit = page_html(client, f"/campaigns/{campaign.id}/edit")
    assert '<input checked id="advocacy_tiers-0" name="advocacy_tiers"' in edit
    assert '<input id="advocacy_tiers-2" name="advocacy_tiers"' in edit
    refused = _post(
        client, "/campaigns/new", "/campaigns/new", {**typed, "advocacy_tiers": ["famous"]}
    )
    assert refused.status_code in (400, 422)
    assert "is not a valid choice" in refused.get_data(as_text=True)


@pytest.mark.parametrize(
    ("bad", "field_value", "reason"),
    [
        ({"name": "  "}, None, "This field is required."),
        ({"max_typecasting_percent": "lots"}, 'value="lots"', "Enter a number."),
        ({"max_typecasting_percent": "150"}, 'value="150"', "This number is out of range."),
        ({"no_human_touch_days": "-3"}, 'value="-3"', "This number is out of range."),
        ({"reenter_after_days": "0"}, 'value="0"', "between 1 and 3650 days"),
        ({"stages": ["someday"]}, None, "is not a valid choice"),
    ],
)
def test_a_refused_campaign_form_comes_back_as_typed_and_writes_nothing(
    open_app: Flask, bad: dict[str, Any], field_value: str | None, reason: str
) -> None:
    firm = build_firm(open_app, accounts=2)
    client = signed_in_client(open_app, firm.marketer)
    typed = {"name": "Typed name", "description": "Typed description", "action": "save", **bad}
    before = (_count(open_app, Campaign), _count(open_app, SavedSegment))
    response = _post(client, "/campaigns/new", "/campaigns/new", typed)
    html = response.get_data(as_text=True)
    assert response.status_code in (400, 422), html
    assert reason in html and "Typed description" in html
    assert field_value is None or field_value in html
    assert (_count(open_app, Campaign), _count(open_app, SavedSegment)) == before


def test_a_line_both_bought_and_not_bought_is_refused_with_a_message(open_app: Flask) -> None:
    firm = build_firm(open_app, accounts=2)
    client = signed_in_client(open_app, firm.marketer)
    line = str(firm.tax)
    response = _post(
        client,
        "/campaigns/new",
        "/campaigns/new",
        {
            "name": "Both",
            "bought_line_ids": [line],
            "not_bought_line_ids": [line],
            "action": "count",
        },
    )
    assert response.status_code == 422
    assert "cannot be both bought and not bought" in response.get_data(as_text=True)


def _steps(app: Flask, campaign_id: int) -> list[tuple[int, str, Any]]:
    with app.app_context():
        return [
            (row.position, row.kind, row.task_text or row.wait_days or row.content_item_id)
            for row in db_session().exec(
                select(CampaignStep)
                .where(CampaignStep.campaign_id == campaign_id)
                .order_by(CampaignStep.position)
            )
        ]


def test_the_steps_editor_adds_reorders_and_removes_steps(open_app: Flask) -> None:
    firm = build_firm(open_app, accounts=2)
    client = signed_in_client(open_app, firm.marketer)
    path = f"/campaigns/{firm.campaign}/steps"
    page = page_html(client, path)
    assert page.count('name="steps-') > 0 and "Transfer pricing after the reform" in page
    added = _post(client, path, path, {
        "steps-0-order": "1", "steps-0-kind": "next_line_email",
        "steps-1-order": "2", "steps-1-kind": "wait", "steps-1-wait_days": "14",
        "steps-2-order": "", "steps-2-kind": "",
        "action": "add",
    })  # fmt: skip
    assert added.status_code == 200 and 'name="steps-3-kind"' in added.get_data(as_text=True)
    response = _post(client, path, path, {
        "steps-0-order": "3", "steps-0-kind": "next_line_email",
        "steps-1-order": "2", "steps-1-kind": "wait", "steps-1-wait_days": "14", "steps-1-remove": "y",
        "steps-2-order": "1", "steps-2-kind": "email", "steps-2-content_item_id": str(firm.item),
        "steps-3-order": "2", "steps-3-kind": "task", "steps-3-task_text": "Call after <the> article",
        "action": "save",
    })  # fmt: skip
    assert response.status_code == 302
    assert _steps(open_app, firm.campaign) == [
        (1, "email", firm.item),
        (2, "task", "Call after <the> article"),
        (3, "next_line_email", None),
    ]
    shown = page_html(client, f"/campaigns/{firm.campaign}")
    assert "Call after &lt;the&gt; article" in shown and "<the>" not in shown


def test_a_refused_step_comes_back_as_typed_and_nothing_changes(open_app: Flask) -> None:
    firm = build_firm(open_app, accounts=2)
    client = signed_in_client(open_app, firm.marketer)
    path = f"/campaigns/{firm.campaign}/steps"
    before = _steps(open_app, firm.campaign)
    response = _post(client, path, path, {
        "steps-0-order": "1", "steps-0-kind": "email",
        "steps-1-order": "2", "steps-1-kind": "wait", "steps-1-wait_days": "soon",
        "steps-2-order": "3", "steps-2-kind": "task", "steps-2-task_text": "Typed task",
        "action": "save",
    })  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "An e-mail step needs the content item it sends." in html
    assert "Enter a number." in html and 'value="soon"' in html and 'value="Typed task"' in html
    assert _steps(open_app, firm.campaign) == before


def test_a_status_change_is_confirmed_first_and_needs_its_csrf_token(open_app: Flask) -> None:
    firm = build_firm(open_app, accounts=2)
    client = signed_in_client(open_app, firm.marketer)
    path = f"/campaigns/{firm.campaign}/status/activate"
    confirm = page_html(client, path)
    assert "enrols every contact of its audience" in confirm and 'name="csrf_token"' in confirm
    assert client.post(path).status_code == 400
    assert _campaign(open_app, firm.campaign).status == CampaignStatus.DRAFT.value
    assert _post(client, path, path, {}).status_code == 302
    assert _campaign(open_app, firm.campaign).status == CampaignStatus.ACTIVE.value
    pause = f"/campaigns/{firm.campaign}/status/pause"
    assert "nothing is sent for it" in page_html(client, pause)
    _post(client, pause, pause, {})
    assert _campaign(open_app, firm.campaign).status == CampaignStatus.PAUSED.value
    page = page_html(client, f"/campaigns/{firm.campaign}")
    assert f"/campaigns/{firm.campaign}/status/resume" in page and "/status/activate" not in page


def test_starting_a_campaign_without_a_step_that_acts_says_why(open_app: Flask) -> None:
    firm = build_firm(open_app, accounts=2)
    client = signed_in_client(open_app, firm.marketer)
    path = f"/campaigns/{firm.campaign}/steps"
    _post(client, path, path, {"steps-0-kind": "wait", "steps-0-wait_days": "3", "action": "save"})
    start = f"/campaigns/{firm.campaign}/status/activate"
    response = _post(client, start, start, {})
    assert response.status_code == 302
    html = client.get(response.location).get_data(as_text=True)
    assert "needs at least one step that does something" in html
    assert _campaign(open_app, firm.campaign).status == CampaignStatus.DRAFT.value


def test_the_preview_says_who_gets_what_and_why_and_who_is_held_back(open_app: Flask) -> None:
    firm = build_firm(open_app)
    client = signed_in_client(open_app, firm.marketer)
    html = page_html(client, f"/campaigns/{firm.campaign}/preview")
    assert "4 contacts would enter the campaign." in html
    assert "Client person 0" in html and "Client person 2" in html
    assert "Transfer pricing after the reform" in html
    assert "Our clients who bought Tax often also bought Transfer pricing (2 of 4)." in html
    assert "2 contacts would be held back." in html
    assert "No service line left to introduce" in html
    assert _count(open_app, Enrolment) == 0 and _count(open_app, OutboxMessage) == 0


def test_the_preview_speaks_french_to_a_french_reader(open_app: Flask) -> None:
    firm = build_firm(open_app)
    with open_app.app_context():
        user = db_session().get(User, firm.marketer.id)
        assert user is not None
        user.language = "fr"
        db_session().commit()
    client = signed_in_client(open_app, firm.marketer)
    html = page_html(client, f"/campaigns/{firm.campaign}/preview")
    assert "Plus aucune ligne de service à présenter" in html
    assert "Nos clients qui ont acheté Tax ont souvent aussi acheté Transfer pricing" in html


def test_the_results_page_shows_the_run_from_the_results_service(open_app: Flask) -> None:
    firm = build_firm(open_app)
    _activate(open_app, firm)
    _run(open_app)
    client = signed_in_client(open_app, firm.marketer)
    html = page_html(client, f"/campaigns/{firm.campaign}/results")
    assert "From enrolment to reply" in html and '<svg class="bar"' in html
    assert '<th scope="row">Enrolled</th><td>4</td>' in html
    assert '<th scope="row">E-mails queued</th><td>2</td>' in html
    assert "No service line left to introduce: 2" in html
    listing = page_html(client, "/campaigns")
    assert "Between engagements" in listing and "Running" in listing


def test_a_test_send_goes_to_the_marketer_alone(open_app: Flask) -> None:
    firm = build_firm(open_app, accounts=2)
    client = signed_in_client(open_app, firm.marketer)
    page = f"/campaigns/{firm.campaign}"
    response = _post(client, f"{page}/test-send", page, {"position": "1"})
    assert response.status_code == 302
    assert "is on its way to" in client.get(page).get_data(as_text=True)
    with open_app.app_context():
        sent = db_session().exec(select(OutboxMessage)).all()
    assert [m.to_email for m in sent] == [firm.marketer.email]
    refused = _post(client, f"{page}/test-send", page, {"position": "2"})
    assert "Only an e-mail step can be sent as a test." in client.get(refused.location).get_data(
        as_text=True
    )


def test_an_account_manager_sees_only_campaigns_touching_their_accounts_read_only(
    open_app: Flask,
) -> None:
    firm = build_firm(open_app)
    client = signed_in_client(open_app, firm.manager)
    assert "No campaign reaches your accounts." in page_html(client, "/campaigns")
    assert client.get(f"/campaigns/{firm.campaign}").status_code == 404
    _activate(open_app, firm)
    _run(open_app)
    listing = page_html(client, "/campaigns")
    assert "Between engagements" in listing and "New campaign" not in listing
    page = page_html(client, f"/campaigns/{firm.campaign}")
    # Their two contacts, not the other manager's.
    assert "Client person 0" in page and "Client person 1" in page
    assert "Client person 2" not in page and "Client person 3" not in page
    assert "/steps" not in page and "/status/activate" not in page and "/pause" not in page
    base = f"/campaigns/{firm.campaign}"
    for path in ("/campaigns/new", f"{base}/edit", f"{base}/steps", f"{base}/status/pause"):
        assert client.get(path).status_code == 403, path


def test_an_account_manager_removes_their_contact_and_the_reason_shows(open_app: Flask) -> None:
    firm = build_firm(open_app)
    _activate(open_app, firm)
    _run(open_app)
    # Held back (nothing left to introduce), so still in the campaign.
    mine, theirs = firm.contacts[1], firm.contacts[3]
    client = signed_in_client(open_app, firm.manager)
    contact_page = f"/contacts/{mine.id}"
    html = page_html(client, contact_page)
    remove = f"/campaigns/{firm.campaign}/contacts/{mine.id}/remove"
    assert remove in html
    confirm = page_html(client, f"{remove}?next={contact_page}")
    assert "does not come back into it by themselves" in confirm
    response = _post(client, remove, f"{remove}?next={contact_page}", {"next": contact_page})
    assert response.status_code == 302 and response.location.endswith(contact_page)
    shown = page_html(client, contact_page)
    assert "Removed by hand" in shown and "Alex Manager" in shown
    assert "Removed by hand" in page_html(client, f"/campaigns/{firm.campaign}")
    other = f"/campaigns/{firm.campaign}/contacts/{theirs.id}/remove"
    assert _post(client, other, remove, {}).status_code == 403
    with open_app.app_context():
        statuses = {e.contact_id: e.status for e in db_session().exec(select(Enrolment)).all()}
    assert statuses[mine.id] == "stopped" and statuses[theirs.id] == "active"


@pytest.mark.parametrize(
    "path",
    [
        "/campaigns/99999",
        "/campaigns/99999/preview",
        "/campaigns/99999/results",
        "/campaigns/99999/steps",
        "/campaigns/99999/edit",
        "/campaigns/99999/status/activate",
        "/campaigns/99999/status/explode",
        "/campaigns/{campaign}/contacts/99999/remove",
        "/campaigns/{campaign}?page=abc",
        "/campaigns/{campaign}/preview?page=-4&held_page=99999999999",
    ],
)
def test_unknown_rows_and_odd_pages_answer_cleanly(open_app: Flask, path: str) -> None:
    firm = build_firm(open_app, accounts=2)
    client = signed_in_client(open_app, firm.marketer)
    response = client.get(path.format(campaign=firm.campaign))
    unknown = "/99999" in path.split("?")[0]
    assert response.status_code == (404 if unknown else 200)


def test_a_contact_waiting_out_the_last_wait_shows_when_they_are_done(open_app: Flask) -> None:
    firm = build_firm(open_app)  # the e-mail, then a 14-day wait to end with
    _activate(open_app, firm)
    _run(open_app)
    with open_app.app_context():
        query = select(Enrolment).where(col(Enrolment.next_position).is_(None))
        waiting = db_session().exec(query).all()
    assert waiting and {e.status for e in waiting} == {"active"}
    html = page_html(signed_in_client(open_app, firm.marketer), f"/campaigns/{firm.campaign}")
    assert "Last wait, done from" in html
