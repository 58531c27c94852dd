"""Quote pages: the client's (write, approve an edit, manage, a fresh link) through signed
links in their language, uploads checked and re-encoded, consent recorded with the wording shown;
staff's workflow per role, with client text escaped everywhere."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlmodel import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from advocacy import models
from advocacy.db import db_session
from advocacy.models import ClientLink, OutboxMessage, PermissionChange
from tests.conftest import NOW
from tests.factories import (
    csrf_from,
    make_account,
    make_mail_contact,
    make_testimonial,
    make_testimonial_link,
    make_user,
    sign_in,
)

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
# Aliases: pytest would try to collect classes whose names start with "Test".
Quote = models.Testimonial
Permission = models.TestimonialPermission
IN_A_YEAR = (date.today() + timedelta(days=365)).isoformat()


def client_with_link(app: Flask, *, language: str = "en", **fields: Any) -> tuple[int, str]:
    with app.app_context():
        session = db_session()
        account = make_account(session, name="Acme Industrial", industry="Manufacturing")
        contact = make_mail_contact(
            session, account, full_name="Ann Client", title="CFO", language=language, **fields
        )
        return contact.id, make_testimonial_link(session, contact)


def form_data(html: str, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "csrf_token": csrf_from(html),
        "body": "They **listened**.",
        "rating": "5",
        "display_name": "Ann Client",
        "display_title": "CFO",
        "display_company": "Acme Industrial",
        "use_named_public": "y",
        "use_logo": "y",
        "until_logo": IN_A_YEAR,
    }
    data.update(extra)
    return data


def jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Maker"  # Make
    exif[0x0131] = "SecretSoftware"  # Software
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_the_client_writes_a_testimonial_and_the_consent_record_keeps_the_wording_shown(
    app: Flask, client: FlaskClient
) -> None:
    _contact_id, token = client_with_link(app)
    page = client.get(f"/c/testimonial/new/{token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert 'value="Ann Client"' in html and 'value="Acme Industrial"' in html  # prefilled
    shown = re.search(r'<label for="use_logo">([^<]+)</label>', html)
    assert shown
    response = client.post(f"/c/testimonial/new/{token}", data=form_data(html))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "Thank you" in response.get_data(as_text=True)
    with app.app_context():
        session = db_session()
        logo = session.exec(select(PermissionChange).where(PermissionChange.use == "logo")).one()
        assert logo.wording == shown.group(1)
        assert logo.expires_on == date.fromisoformat(IN_A_YEAR) and logo.via == "link"
        assert logo.link_id is not None
        thanks = session.exec(select(OutboxMessage)).one()
        assert thanks.category == "transactional" and "/c/manage/" in thanks.text_body
    again = client.get(f"/c/testimonial/new/{token}")
    assert again.status_code == 404  # the link is spent
    assert "/c/link/renew" in again.get_data(as_text=True)


def test_the_client_page_speaks_french_to_a_french_contact(app: Flask, client: FlaskClient) -> None:
    _contact_id, token = client_with_link(app, language="fr")
    html = client.get(f"/c/testimonial/new/{token}").get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "Laissez ce champ vide" in html  # the honeypot label, from the catalogue


def test_a_refused_form_comes_back_filled_with_the_reason(app: Flask, client: FlaskClient) -> None:
    _contact_id, token = client_with_link(app)
    html = client.get(f"/c/testimonial/new/{token}").get_data(as_text=True)
    data = form_data(html, body="", display_title=HOSTILE, until_logo="not a date")
    response = client.post(f"/c/testimonial/new/{token}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a date such as 2027-12-31." in page
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    data = form_data(html, body="")
    response = client.post(f"/c/testimonial/new/{token}", data=data)
    assert response.status_code == 422
    assert "the testimonial is empty" in response.get_data(as_text=True)
    with app.app_context():
        assert db_session().exec(select(Quote)).all() == []


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (b"\xff\xd8\xff" + b"0" * (2 * 1024 * 1024), "larger than 2 MB"),
        (b"%PDF-1.7 this is not an image", "is not a PNG, JPEG, GIF or WebP image"),
    ],
)
def test_a_bad_upload_is_refused_next_to_its_field_and_nothing_is_kept(
    app: Flask, client: FlaskClient, upload: bytes, message: str
) -> None:
    _contact_id, token = client_with_link(app)
    html = client.get(f"/c/testimonial/new/{token}").get_data(as_text=True)
    logo = FileStorage(io.BytesIO(upload), filename="logo.jpg", content_type="image/jpeg")
    data = form_data(html, logo=logo)
    # Encoded in memory: the test client would spool a body this large to a file it never closes.
    boundary, body = encode_multipart(MultiDict(data))
    response = client.post(
        f"/c/testimonial/new/{token}",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page and "They **listened**." in page
    with app.app_context():
        assert db_session().exec(select(Quote)).all() == []


def test_an_image_with_exif_is_stored_re_encoded_without_it(
    app: Flask, client: FlaskClient
) -> None:
    _contact_id, token = client_with_link(app)
    html = client.get(f"/c/testimonial/new/{token}").get_data(as_text=True)
    original = jpeg_with_exif()
    assert b"SpyCam" in original
    data = form_data(html, photo=(io.BytesIO(original), "me.php.jpg"))
    response = client.post(
        f"/c/testimonial/new/{token}", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 200
    with app.app_context():
        testimonial = db_session().exec(select(Quote)).one()
    stored = Path(app.config["ADVOCACY"].instance_path) / "uploads" / testimonial.photo_path
    assert re.fullmatch(r"[A-Za-z0-9_-]{24}\.jpg", testimonial.photo_path)
    content = stored.read_bytes()
    assert b"SpyCam" not in content and b"SecretSoftware" not in content
    with Image.open(io.BytesIO(content)) as image:
        assert image.format == "JPEG" and not image.getexif()


def _published(app: Flask, **uses: Any) -> tuple[int, str, int]:
    with app.app_context():
        session = db_session()
        contact = make_mail_contact(session, full_name="Ann Client")
        testimonial = make_testimonial(
            session, contact, status="published", logo_path="", uses=uses
        )
        token = make_testimonial_link(session, contact, purpose="manage")
        return testimonial.id, token, contact.id


def test_the_manage_page_withdraws_the_logo_only(app: Flask, client: FlaskClient) -> None:
    testimonial_id, token, _contact = _published(
        app, named_public=None, logo=date.today() + timedelta(days=365)
    )
    html = client.get(f"/c/manage/{token}").get_data(as_text=True)
    prefix = f"t{testimonial_id}"
    logo_box = re.search(rf'<input[^>]*id="{prefix}-use_logo"[^>]*>', html)
    assert logo_box and "checked" in logo_box.group(0)
    response = client.post(
        f"/c/manage/{token}/{testimonial_id}/permissions",
        data={f"{prefix}-csrf_token": csrf_from(html, prefix), f"{prefix}-use_named_public": "y"},
    )
    assert response.status_code == 302
    with app.app_context():
        rows = {p.use: p for p in db_session().exec(select(Permission)).all()}
        assert rows["logo"].withdrawn_at is not None and rows["named_public"].withdrawn_at is None
        testimonial = db_session().get(Quote, testimonial_id)
        assert testimonial is not None and testimonial.status == "published"
    assert "saved" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_manage_page_withdraws_a_testimonial_at_once(app: Flask, client: FlaskClient) -> None:
    testimonial_id, token, _contact = _published(app, internal=None)
    html = client.get(f"/c/manage/{token}").get_data(as_text=True)
    prefix = f"w{testimonial_id}"
    response = client.post(
        f"/c/manage/{token}/{testimonial_id}/withdraw",
        data={f"{prefix}-csrf_token": csrf_from(html, prefix)},
    )
    assert response.status_code == 302
    with app.app_context():
        testimonial = db_session().get(Quote, testimonial_id)
        assert testimonial is not None and testimonial.status == "withdrawn"


def test_an_unknown_manage_link_offers_a_fresh_one_and_the_answer_reveals_nobody(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        make_mail_contact(db_session(), email="ann@client.example")
    page = client.get("/c/manage/not-a-token")
    html = page.get_data(as_text=True)
    assert page.status_code == 404 and 'action="/c/link/renew"' in html
    answers = []
    for email in ("ann@client.example", "stranger@else.example"):
        response = client.post(
            "/c/link/renew", data={"csrf_token": csrf_from(html), "email": email}
        )
        assert response.status_code == 200
        answers.append(response.get_data(as_text=True))
    assert answers[0] == answers[1]
    with app.app_context():
        (message,) = db_session().exec(select(OutboxMessage)).all()
        assert message.to_email == "ann@client.example" and "/c/manage/" in message.text_body


def test_asking_for_fresh_links_is_rate_limited(app: Flask, client: FlaskClient) -> None:
    html = client.get("/c/manage/not-a-token").get_data(as_text=True)
    statuses = [
        client.post(
            "/c/link/renew", data={"csrf_token": csrf_from(html), "email": f"x{n}@x.example"}
        ).status_code
        for n in range(6)
    ]
    assert statuses == [200] * 5 + [429]


def test_the_client_sees_the_firms_edit_as_a_diff_and_accepts_it(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        session = db_session()
        contact = make_mail_contact(session)
        testimonial = make_testimonial(
            session,
            contact,
            status="awaiting_reapproval",
            body="We <b>loved</b> it.",
            proposed_body="We really loved it.",
        )
        token = make_testimonial_link(
            session, contact, object_type="testimonial", object_id=testimonial.id
        )
    html = client.get(f"/c/testimonial/review/{token}").get_data(as_text=True)
    assert "<del>&lt;b&gt;loved&lt;/b&gt;</del>" in html and "<ins>really loved</ins>" in html
    response = client.post(
        f"/c/testimonial/review/{token}", data={"csrf_token": csrf_from(html), "answer": "accept"}
    )
    assert response.status_code == 200
    with app.app_context():
        done = db_session().get(Quote, testimonial.id)
        assert (
            done is not None and done.body == "We really loved it." and done.status == "submitted"
        )
    assert client.get(f"/c/testimonial/review/{token}").status_code == 404


def _staff_case(app: Flask, body: str = "Fine work.") -> int:
    with app.app_context():
        session = db_session()
        contact = make_mail_contact(
            session, full_name="Ann Client", email="ann@client.example", phone="+33 1 23 45 67 89"
        )
        testimonial = make_testimonial(
            session, contact, body=body, display_name=HOSTILE, uses={"logo": None}
        )
        for role in ("marketing", "account_manager", "admin"):
            make_user(session, role=role, email=f"{role}@firm.example")
        return testimonial.id


@pytest.mark.parametrize(
    ("role", "may"), [("marketing", True), ("admin", True), ("account_manager", False)]
)
def test_only_marketing_and_admins_approve_publish_and_list(
    app: Flask, client: FlaskClient, role: str, may: bool
) -> None:
    testimonial_id = _staff_case(app)
    sign_in(client, f"{role}@firm.example")
    html = client.get(f"/testimonials/{testimonial_id}").get_data(as_text=True)
    token = csrf_from(html)
    approve = client.post(f"/testimonials/{testimonial_id}/approve", data={"csrf_token": token})
    assert approve.status_code == (302 if may else 403)
    assert client.get("/testimonials").status_code == (200 if may else 403)
    if may:
        publish = client.post(f"/testimonials/{testimonial_id}/publish", data={"csrf_token": token})
        assert publish.status_code == 302
        listed = client.get("/testimonials?status=published").get_data(as_text=True)
        assert f"/testimonials/{testimonial_id}" in listed


def test_marketing_sees_the_quote_but_no_contact_details_and_hostile_text_is_escaped(
    app: Flask, client: FlaskClient
) -> None:
    testimonial_id = _staff_case(app, body="Good.")
    sign_in(client, "marketing@firm.example")
    html = client.get(f"/testimonials/{testimonial_id}").get_data(as_text=True)
    assert "<p>Good.</p>" in html
    assert "ann@client.example" not in html and "45 67 89" not in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<script>alert" not in client.get("/testimonials").get_data(as_text=True)
    manager = app.test_client()
    sign_in(manager, "account_manager@firm.example")
    assert "ann@client.example" in manager.get(f"/testimonials/{testimonial_id}").get_data(
        as_text=True
    )


def test_the_lists_show_the_quote_without_its_markdown_marks(
    app: Flask, client: FlaskClient
) -> None:
    testimonial_id = _staff_case(app, body="They **listened**, and it *worked*.")
    sign_in(client, "marketing@firm.example")
    listed = client.get("/testimonials").get_data(as_text=True)
    assert f"/testimonials/{testimonial_id}" in listed
    assert "They listened, and it worked." in listed and "**" not in listed
    with app.app_context():
        account_id = db_session().get(Quote, testimonial_id).account_id
    manager = app.test_client()
    sign_in(manager, "account_manager@firm.example")
    panel = manager.get(f"/accounts/{account_id}/testimonials").get_data(as_text=True)
    assert "They listened, and it worked." in panel and "**" not in panel


def test_a_withdrawal_on_behalf_needs_a_reason_and_records_it(
    app: Flask, client: FlaskClient
) -> None:
    testimonial_id = _staff_case(app)
    sign_in(client, "account_manager@firm.example")
    html = client.get(f"/testimonials/{testimonial_id}").get_data(as_text=True)
    empty = client.post(
        f"/testimonials/{testimonial_id}/withdraw", data={"csrf_token": csrf_from(html)}
    )
    assert empty.status_code == 422 and "Say why" in empty.get_data(as_text=True)
    response = client.post(
        f"/testimonials/{testimonial_id}/withdraw",
        data={"csrf_token": csrf_from(html), "reason": "Ann phoned on Monday"},
    )
    assert response.status_code == 302
    page = client.get(f"/testimonials/{testimonial_id}").get_data(as_text=True)
    assert "Ann phoned on Monday" in page and "Withdrawn" in page


def test_a_staff_edit_goes_to_the_client_and_shows_the_diff(
    app: Flask, client: FlaskClient
) -> None:
    testimonial_id = _staff_case(app, body="Fine work.")
    sign_in(client, "marketing@firm.example")
    html = client.get(f"/testimonials/{testimonial_id}").get_data(as_text=True)
    response = client.post(
        f"/testimonials/{testimonial_id}/edit",
        data={"csrf_token": csrf_from(html), "body": "Really fine work."},
    )
    assert response.status_code == 302
    page = client.get(f"/testimonials/{testimonial_id}").get_data(as_text=True)
    assert "<ins>Really fine</ins>" in page or "<ins>Really</ins>" in page
    with app.app_context():
        message = db_session().exec(select(OutboxMessage)).one()
        assert "/c/testimonial/review/" in message.text_body


def test_the_logo_route_serves_a_logo_only_while_its_use_is_allowed(
    app: Flask, client: FlaskClient
) -> None:
    _contact_id, token = client_with_link(app)
    html = client.get(f"/c/testimonial/new/{token}").get_data(as_text=True)
    out = io.BytesIO()
    Image.new("RGB", (10, 10), "red").save(out, format="PNG")
    data = form_data(html, logo=(io.BytesIO(out.getvalue()), "logo.png"))
    client.post(f"/c/testimonial/new/{token}", data=data, content_type="multipart/form-data")
    with app.app_context():
        session = db_session()
        testimonial = session.exec(select(Quote)).one()
        name = testimonial.logo_path
        assert client.get(f"/c/logo/{name}").status_code == 404  # submitted, not approved
        testimonial.status = "published"
        session.commit()
    response = client.get(f"/c/logo/{name}")
    response.close()  # send_file streams the file: close it like a server would
    assert response.status_code == 200 and response.mimetype == "image/png"
    with app.app_context():
        session = db_session()
        row = session.exec(select(Permission).where(Permission.use == "logo")).one()
        row.withdrawn_at = NOW
        session.commit()
    assert client.get(f"/c/logo/{name}").status_code == 404
    assert client.get("/c/logo/../../secret_key").status_code == 404


def test_the_account_manager_asks_by_email_from_the_account_testimonials_page(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        session = db_session()
        owner = make_user(session, role="account_manager", email="owner@firm.example")
        account = make_account(session, owner=owner)
        contact = make_mail_contact(session, account, full_name="Ann Client")
        account_id, contact_id = account.id, contact.id
    sign_in(client, "owner@firm.example")
    account_page = client.get(f"/accounts/{account_id}").get_data(as_text=True)
    assert f'href="/accounts/{account_id}/testimonials"' in account_page
    html = client.get(f"/accounts/{account_id}/testimonials").get_data(as_text=True)
    response = client.post(
        f"/accounts/{account_id}/testimonials/ask",
        data={"ask-csrf_token": csrf_from(html, "ask"), "ask-contact_id": str(contact_id)},
    )
    assert response.status_code == 302
    with app.app_context():
        message = db_session().exec(select(OutboxMessage)).one()
        assert message.category == "advocacy_ask" and "/c/testimonial/new/" in message.text_body
        assert db_session().exec(select(ClientLink).where(ClientLink.purpose == "manage")).first()
