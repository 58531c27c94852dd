"""The account page (journey map): what it shows, and who may change what from it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from advocacy.db import db_session
from advocacy.domain.journey import Stage
from advocacy.models import Account, AccountTeamMember, Engagement, StageChange, Touchpoint
from advocacy.services.journey.accounts import move_account_to_stage
from tests.conftest import NOW
from tests.factories import (
    csrf_token,
    make_account,
    make_contact,
    make_engagement,
    make_service_line,
    make_staff,
    make_touchpoint,
    make_user,
    page_html,
    signed_in_client,
)


def _names(html: str) -> list[str]:
    """Account names in the list's table, in order."""
    return re.findall(r'<th scope="row"><a href="/accounts/\d+">([^<]+)</a>', html)


def _post(client: FlaskClient, path: str, **data: Any) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), **data})


def _count(app: Flask, model: Any, *where: Any) -> int:
    with app.app_context():
        return len(list(db_session().exec(select(model).where(*where))))


def test_the_journey_map_shows_the_stage_history_with_when_why_and_who(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        session = db_session()
        account = make_account(session, owner=me, name="Initech")
        make_engagement(session, account, status="won")
        move_account_to_stage(
            session, account.id, Stage.BETWEEN, reason="project delivered", by=me, now=NOW
        )
    html = page_html(signed_in_client(app, me), f"/accounts/{account.id}")
    assert "Prospect → Active client" in html and "Automatic: follows the engagements" in html
    assert "Active client → Between engagements" in html and "project delivered" in html
    assert me.email in html


def test_the_journey_map_flags_coverage_gaps_by_buying_group_role(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        session = db_session()
        account = make_account(session, owner=me)
        make_contact(session, account, full_name="Uma User", roles=["user"])
        gone = make_contact(session, account, full_name="Paul Procurement", roles=["procurement"])
        gone.status = "left"
        session.add(gone)
        session.commit()
    html = page_html(signed_in_client(app, me), f"/accounts/{account.id}")
    assert "No active decision maker is known at this account." in html
    assert "The relationship rests on a single contact." in html
    assert "Nobody in this role any more, though they took part before. (Procurement)" in html
    assert "Uma User" in html and "Past contacts" in html


def test_the_journey_map_says_what_they_know_us_for_and_what_they_never_heard_of(
    app: Flask,
) -> None:
    me = make_staff(app)
    with app.app_context():
        session = db_session()
        audit = make_service_line(session, "Audit")
        pricing = make_service_line(session, "Transfer pricing")
        make_service_line(session, "Tax advice")
        account = make_account(session, owner=me)
        make_engagement(session, account, status="won", service_line_ids=[audit.id], value="1200")
        make_touchpoint(
            session, account, kind="meeting", service_line_id=pricing.id,
            occurred_at=datetime(2026, 3, 12, 10, 0, tzinfo=UTC),
        )  # fmt: skip
    html = page_html(signed_in_client(app, me), f"/accounts/{account.id}")
    assert "Knows us for: Audit." in html
    assert "Introduced: Transfer pricing (March 2026)." in html
    assert "Unaware of: Tax advice." in html
    assert "Typecasting index: 33%" in html  # no industry rated: every active line counts
    assert "Never bought" not in html
    assert "1,200.00" in html


def test_the_journey_map_says_it_in_french_for_a_french_reader(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        session = db_session()
        pricing = make_service_line(session, "Prix de transfert")
        account = make_account(session, owner=me)
        make_touchpoint(
            session, account, kind="meeting", service_line_id=pricing.id,
            occurred_at=datetime(2026, 3, 12, 10, 0, tzinfo=UTC),
        )  # fmt: skip
        me.language = "fr"
        session.add(me)
        session.commit()
    html = page_html(signed_in_client(app, me), f"/accounts/{account.id}")
    assert "Présentées : Prix de transfert (mars 2026)." in html
    assert "Indice de cantonnement : 0" in html


def test_the_journey_map_never_claims_knowledge_when_nothing_was_bought(app: Flask) -> None:
    # A new firm imports its portfolio before an admin fills the catalogue: nothing is known and
    # nothing is offered, which is no index at all.
    me = make_staff(app)
    with app.app_context():
        account = make_account(db_session(), owner=me)
    html = page_html(signed_in_client(app, me), f"/accounts/{account.id}")
    assert "The firm offers no service line yet." in html
    assert "Typecasting index" not in html


def test_the_journey_map_filters_touchpoints_by_initiative_and_kind(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        session = db_session()
        account = make_account(session, owner=me)
        make_touchpoint(session, account, kind="call", initiative="firm", summary="our check-in")
        make_touchpoint(session, account, kind="email", initiative="client", summary="their q")
        make_touchpoint(session, account, kind="press", initiative="external", summary="article")
    client = signed_in_client(app, me)
    everything = page_html(client, f"/accounts/{account.id}")
    assert all(text in everything for text in ("our check-in", "their q", "article"))
    by_client = page_html(client, f"/accounts/{account.id}?initiative=client")
    assert "their q" in by_client and "our check-in" not in by_client
    press = page_html(client, f"/accounts/{account.id}?kind=press")
    assert "article" in press and "their q" not in press
    assert "1 touchpoint." in press


def test_older_touchpoints_are_a_page_away_and_the_filter_follows(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        session = db_session()
        account = make_account(session, owner=me)
        # 230 calls an hour apart, #1 the oldest, and one e-mail the filter must leave out.
        session.add_all(
            Touchpoint(
                account_id=account.id,
                kind="call",
                initiative="firm",
                occurred_at=NOW - timedelta(hours=300 - n),
                summary=f"call number {n}.",
                created_at=NOW,
            )
            for n in range(1, 231)
        )
        session.commit()
        make_touchpoint(session, account, kind="email", summary="Zebra memo")
    client = signed_in_client(app, me)
    path = f"/accounts/{account.id}"
    first = page_html(client, f"{path}?kind=call")
    assert "Touchpoints 1 to 100 of 230, latest first." in first
    assert "call number 230." in first and "call number 131." in first
    assert "call number 130." not in first and "Zebra memo" not in first
    older = re.search(r'href="([^"]+)" rel="next">Older', first)
    assert older, "no link to older touchpoints"
    assert "kind=call" in older.group(1) and "page=2" in older.group(1)
    second = page_html(client, older.group(1).replace("&amp;", "&"))
    assert "Touchpoints 101 to 200 of 230" in second and "call number 130." in second
    assert 'rel="prev">Newer' in second
    last = page_html(client, f"{path}?kind=call&page=3")
    assert "Touchpoints 201 to 230 of 230" in last and "call number 1." in last
    assert 'rel="next"' not in last
    # An old link past the end shows the last page; nonsense shows the first.
    assert "Touchpoints 201 to 230 of 230" in page_html(client, f"{path}?kind=call&page=40")
    assert "Touchpoints 1 to 100 of 231" in page_html(client, f"{path}?page=-2")
    assert "Touchpoints 1 to 100 of 231" in page_html(client, f"{path}?page=abc")


def test_logging_a_touchpoint_needs_one_form_and_shows_on_the_map(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        session = db_session()
        account = make_account(session, owner=me)
        contact = make_contact(session, account, full_name="Clara Client")
    client = signed_in_client(app, me)
    response = _post(
        client,
        f"/accounts/{account.id}/touchpoints",
        kind="meeting",
        initiative="client",
        contact_id=str(contact.id),
        summary="Asked about our tax work",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/accounts/{account.id}#touchpoints")
    html = page_html(client, f"/accounts/{account.id}")
    assert "Asked about our tax work" in html and "Clara Client" in html
    with app.app_context():
        touchpoint = db_session().exec(select(Touchpoint)).one()
    assert touchpoint.created_by_id == me.id and touchpoint.source == "manual"


def test_a_bad_touchpoint_keeps_what_was_typed_says_why_and_writes_nothing(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        account = make_account(db_session(), owner=me)
    response = _post(
        signed_in_client(app, me),
        f"/accounts/{account.id}/touchpoints",
        kind="meeting",
        initiative="client",
        occurred_at="not a date",
        summary="Typed summary",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a valid date." in body and "Typed summary" in body
    assert 'value="not a date"' in body
    assert _count(app, Touchpoint) == 0


def test_a_touchpoint_in_the_future_is_refused_with_the_reason(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        account = make_account(db_session(), owner=me)
    response = _post(
        signed_in_client(app, me),
        f"/accounts/{account.id}/touchpoints",
        kind="call",
        initiative="firm",
        occurred_at="2999-01-01T10:00",
    )
    assert response.status_code == 422
    assert "cannot be in the future" in response.get_data(as_text=True)
    assert _count(app, Touchpoint) == 0


def test_an_illegal_stage_move_shows_why_and_changes_nothing(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        account = make_account(db_session(), owner=me)
    response = _post(
        signed_in_client(app, me),
        f"/accounts/{account.id}/stage",
        stage="former",
        reason="gone quiet",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A prospect was never a client, so it cannot become a former client." in body
    assert 'value="gone quiet"' in body
    assert _count(app, StageChange) == 1


def test_a_stage_move_by_hand_is_recorded_with_its_reason(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        account = make_account(db_session(), owner=me)
    response = _post(
        signed_in_client(app, me), f"/accounts/{account.id}/stage", stage="active", reason="signed"
    )
    assert response.status_code == 302
    with app.app_context():
        assert db_session().get(Account, account.id).stage == "active"
    assert _count(app, StageChange, StageChange.reason == "signed") == 1


def test_the_bad_camp_needs_a_reason_and_marks_the_account_do_not_ask(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        account = make_account(db_session(), owner=me)
    client = signed_in_client(app, me)
    refused = _post(client, f"/accounts/{account.id}/camp", camp="bad", camp_reason=" ")
    assert refused.status_code == 422 and "Say why" in refused.get_data(as_text=True)
    assert (
        _post(
            client, f"/accounts/{account.id}/camp", camp="bad", camp_reason="late and over budget"
        ).status_code
        == 302
    )
    with app.app_context():
        saved = db_session().get(Account, account.id)
        assert saved.camp == "bad" and saved.do_not_ask
    undo = _post(client, f"/accounts/{account.id}/do-not-ask", do_not_ask="0")
    assert undo.status_code == 422 and "change the camp first" in undo.get_data(as_text=True)


def test_a_non_owner_account_manager_sees_no_edit_controls_and_is_refused_every_change(
    app: Flask,
) -> None:
    owner, outsider = make_staff(app), make_staff(app)
    with app.app_context():
        session = db_session()
        account = make_account(session, owner=owner, name="Owned", notes="Owner's notes")
        contact = make_contact(session, account)
        engagement = make_engagement(session, account)
    client = signed_in_client(app, outsider)
    html = page_html(client, f"/accounts/{account.id}")
    assert "Owner&#39;s notes" in html  # account managers see every account, notes included
    for control in ("Log a touchpoint", "Edit account", "Hand over", "/stage", '/camp"'):
        assert control not in html
    token = csrf_token(client, "/")
    for path, data in [
        (f"/accounts/{account.id}/touchpoints", {"kind": "call", "initiative": "firm"}),
        (f"/accounts/{account.id}/stage", {"stage": "active", "reason": "x"}),
        (f"/accounts/{account.id}/camp", {"camp": "good", "camp_reason": "x"}),
        (f"/accounts/{account.id}/do-not-ask", {"do_not_ask": "1"}),
        (f"/accounts/{account.id}/owner", {"new_owner_id": str(outsider.id)}),
        (f"/accounts/{account.id}/edit", {"name": "Mine now"}),
        (f"/accounts/{account.id}/contacts/new", {"full_name": "X"}),
        (f"/accounts/{account.id}/engagements/new", {"title": "X"}),
        (f"/engagements/{engagement.id}/edit", {"title": "X"}),
        (f"/contacts/{contact.id}/edit", {"full_name": "X"}),
        (f"/contacts/{contact.id}/departure", {"outcome": "retired"}),
    ]:
        response = client.post(path, data={"csrf_token": token, **data})
        assert response.status_code == 403, (path, response.status_code)
    assert client.get(f"/accounts/{account.id}/edit").status_code == 403
    with app.app_context():
        assert db_session().get(Account, account.id).owner_id == owner.id
    assert _count(app, Touchpoint) == 0


def test_a_team_member_edits_the_account_but_cannot_hand_it_over(app: Flask) -> None:
    owner, colleague = make_staff(app), make_staff(app)
    with app.app_context():
        session = db_session()
        account = make_account(session, owner=owner)
        session.add(AccountTeamMember(account_id=account.id, user_id=colleague.id))
        session.commit()
    client = signed_in_client(app, colleague)
    html = page_html(client, f"/accounts/{account.id}")
    assert "Log a touchpoint" in html and "Hand over" not in html
    refused = _post(client, f"/accounts/{account.id}/owner", new_owner_id=str(colleague.id))
    assert refused.status_code == 403


def test_the_owner_hands_the_account_over_to_another_account_manager(app: Flask) -> None:
    owner, successor = make_staff(app), make_staff(app)
    with app.app_context():
        account = make_account(db_session(), owner=owner)
    client = signed_in_client(app, owner)
    response = _post(client, f"/accounts/{account.id}/owner", new_owner_id=str(successor.id))
    assert response.status_code == 302
    with app.app_context():
        assert db_session().get(Account, account.id).owner_id == successor.id
    # The former owner is now an outsider.
    assert "Log a touchpoint" not in page_html(client, f"/accounts/{account.id}")


def test_marketing_sees_accounts_but_no_private_notes_and_no_edit_controls(app: Flask) -> None:
    owner, marketer = make_staff(app), make_staff(app, "marketing")
    with app.app_context():
        account = make_account(db_session(), owner=owner, name="Umbrella", notes="Secret notes")
    client = signed_in_client(app, marketer)
    assert "Umbrella" in page_html(client, "/accounts")
    html = page_html(client, f"/accounts/{account.id}")
    assert "Secret notes" not in html and "Private notes" not in html
    assert "Log a touchpoint" not in html and "New account" not in page_html(client, "/accounts")
    response = _post(client, f"/accounts/{account.id}/stage", stage="active", reason="x")
    assert response.status_code == 403


def test_recording_a_won_engagement_makes_the_account_an_active_client(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        session = db_session()
        line = make_service_line(session, "Audit")
        account = make_account(session, owner=me)
        contact = make_contact(session, account, full_name="Sam Sponsor")
    client = signed_in_client(app, me)
    form = page_html(client, f"/accounts/{account.id}/engagements/new")
    assert "<legend>Service lines</legend>" in form and "Sam Sponsor" in form
    response = _post(
        client,
        f"/accounts/{account.id}/engagements/new",
        title="Annual audit",
        status="won",
        value="50000",
        currency="eur",
        start_date="2026-01-05",
        service_line_ids=str(line.id),
        contact_ids=str(contact.id),
    )
    assert response.status_code == 302
    html = page_html(client, f"/accounts/{account.id}")
    assert "Annual audit" in html and "Prospect → Active client" in html


def test_a_move_made_by_a_rule_names_the_rule_in_words_never_by_its_id(app: Flask) -> None:
    with app.app_context():
        session = db_session()
        me = make_user(session, language="fr")
        account = make_account(session, owner=me)
        make_engagement(session, account, status="won")  # no person: the journey rule moves it
    html = page_html(signed_in_client(app, me), f"/accounts/{account.id}")
    assert "Automatique : suit les missions" in html
    assert "engagement.live" not in html


def test_the_account_page_writes_every_date_one_way_in_the_readers_language_and_zone(
    app: Flask,
) -> None:
    with app.app_context():
        session = db_session()
        me = make_user(session, language="fr", timezone="Europe/Paris")
        account = make_account(session, owner=me)
        contact = make_contact(session, account, full_name="Ann Client")
        make_touchpoint(session, account, contact_id=contact.id, summary="Revue annuelle")
        make_engagement(session, account, status="won", start_date=NOW.date())
    html = page_html(signed_in_client(app, me), f"/accounts/{account.id}")
    # 09:30 UTC is 10:30 in Paris; the date reads as the day columns write it.
    assert "23 nov. 2026, 10:30" in html and "23 nov. 2026" in html
    text = re.sub(r"<[^>]+>", " ", html)
    assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b", text), "a numeric short date"
    assert not re.search(r"\b\d{1,2}:\d{2}:\d{2}\b", text), "a time with seconds"
    assert "AM" not in text and "PM" not in text


def test_a_deferred_engagement_without_a_revisit_date_is_refused_and_kept(app: Flask) -> None:
    me = make_staff(app)
    with app.app_context():
        account = make_account(db_session(), owner=me)
    response = _post(
        signed_in_client(app, me),
        f"/accounts/{account.id}/engagements/new",
        title="Maybe next year",
        status="deferred",
        value="abc",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a number." in body and 'value="Maybe next year"' in body
    fixed = _post(
        signed_in_client(app, me),
        f"/accounts/{account.id}/engagements/new",
        title="Maybe next year",
        status="deferred",
    )
    assert fixed.status_code == 422
    assert "needs a revisit date" in fixed.get_data(as_text=True)


def test_completing_the_last_engagement_moves_the_account_between_engagements(
    app: Flask,
) -> None:
    me = make_staff(app)
    with app.app_context():
        session = db_session()
        account = make_account(session, owner=me)
        engagement = make_engagement(
            session, account, title="Audit 2026", status="active", start_date="2026-01-05"
        )
    client = signed_in_client(app, me)
    form = page_html(client, f"/engagements/{engagement.id}/edit")
    assert 'value="Audit 2026"' in form and 'value="2026-01-05"' in form
    response = _post(
        client,
        f"/engagements/{engagement.id}/edit",
        title="Audit 2026",
        status="completed",
        currency="EUR",
        start_date="2026-01-05",
        end_date="2026-06-30",
    )
    assert response.status_code == 302
    html = page_html(client, f"/accounts/{account.id}")
    assert "Active client → Between engagements" in html and "Completed" in html
    backwards = _post(
        client,
        f"/engagements/{engagement.id}/edit",
        title="Audit 2026",
        status="completed",
        currency="EUR",
        start_date="2026-06-30",
        end_date="2026-01-05",
    )
    assert backwards.status_code == 422
    assert "the end date is before the start date" in backwards.get_data(as_text=True)
    with app.app_context():
        saved = db_session().get(Engagement, engagement.id)
        assert (saved.start_date.isoformat(), saved.end_date.isoformat()) == (
            "2026-01-05",
            "2026-06-30",
        )
