"""The daily check-in digest: one e-mail per person per local day, only when something is due,
never to those who turned it off, in their language, and with client data escaped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from advocacy.domain.cadence import CheckInKind, CheckInStatus
from advocacy.models import OutboxMessage, User
from advocacy.services.check_ins.digest import local_today, send_digests
from advocacy.settings import Settings
from tests.conftest import NOW
from tests.factories import make_user
from tests.factories_checkins import CO_BOUGHT_EN, CO_BOUGHT_FR, CO_BOUGHT_POINT, make_check_in

TODAY = NOW.date()


def digests(session: Session) -> list[OutboxMessage]:
    session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.template == "check_in_digest")
    return list(session.exec(query.order_by(OutboxMessage.id)))


def sections(text: str) -> tuple[str, str]:
    """The overdue part and the due-today part of a digest's text body."""
    before, _sep, today = text.partition("Due today (")
    _intro, _sep, overdue = before.partition("Overdue (")
    return overdue, today


def test_running_the_digest_twice_the_same_day_queues_one_email_per_user(
    settings: Settings, session: Session
) -> None:
    ann = make_user(session, email="ann@firm.example", name="Ann")
    make_check_in(session, ann, due_on=TODAY - timedelta(days=3), account_name="Late Co")
    make_check_in(session, ann, due_on=TODAY, account_name="Today Co")
    first = send_digests(session, settings, now=NOW)
    second = send_digests(session, settings, now=NOW + timedelta(hours=5))
    assert (first.queued, first.already_queued) == (1, 0)
    assert (second.queued, second.already_queued) == (0, 1)
    [message] = digests(session)
    assert message.to_email == "ann@firm.example"
    assert message.category == "transactional"
    assert message.user_id == ann.id
    assert message.subject == "Your check-ins for Monday, November 23, 2026"
    overdue, today = sections(message.text_body)
    assert "Late Co · Ann Example · Routine check-in · due Nov 20, 2026" in overdue
    assert "Today Co" in today and "Today Co" not in overdue
    assert "Never bought: Audit, Tax advisory" in message.text_body
    assert f"{settings.base_url}/check-ins/" in message.html_body
    assert f"Open My week: {settings.base_url}/" in message.text_body


def test_the_next_day_brings_a_new_digest(settings: Settings, session: Session) -> None:
    ann = make_user(session)
    make_check_in(session, ann, due_on=TODAY)
    send_digests(session, settings, now=NOW)
    report = send_digests(session, settings, now=NOW + timedelta(days=1))
    assert report.queued == 1
    assert len(digests(session)) == 2


def test_nobody_with_nothing_due_gets_an_email(settings: Settings, session: Session) -> None:
    ann = make_user(session)
    make_check_in(session, ann, due_on=TODAY + timedelta(days=1))
    make_check_in(session, ann, due_on=TODAY - timedelta(days=5), status=CheckInStatus.DONE)
    make_user(session, role="admin")  # owns nothing
    report = send_digests(session, settings, now=NOW)
    assert (report.users, report.skipped_nothing_due, report.queued) == (2, 2, 0)
    assert digests(session) == []


def test_people_who_turned_the_digest_off_or_cannot_act_get_none(
    settings: Settings, session: Session
) -> None:
    quiet, gone, marketer = (make_user(session) for _ in range(3))
    for owner in (quiet, gone, marketer):
        make_check_in(session, owner, due_on=TODAY)
    # They owned accounts before: one turned the digest off, one left, one moved to marketing.
    quiet.check_in_digest, gone.active, marketer.role = False, False, "marketing"
    session.add_all([quiet, gone, marketer])
    session.commit()
    report = send_digests(session, settings, now=NOW)
    assert (report.users, report.opted_out, report.queued) == (1, 1, 0)
    assert digests(session) == []


def test_a_french_user_gets_the_digest_in_french(settings: Settings, session: Session) -> None:
    claire = make_user(session, language="fr")
    make_check_in(session, claire, due_on=TODAY)
    send_digests(session, settings, now=NOW)
    [message] = digests(session)
    assert message.language == "fr"
    assert "lundi 23 novembre 2026" in message.subject
    assert "23 nov. 2026" in message.text_body
    assert ">Préférences</a>" in message.html_body


def test_the_digest_says_why_each_next_line_is_raised_in_the_readers_language(
    settings: Settings, session: Session
) -> None:
    ann, claire = make_user(session, language="en"), make_user(session, language="fr")
    for owner in (ann, claire):
        make_check_in(session, owner, due_on=TODAY, never_bought=(), next_lines=(CO_BOUGHT_POINT,))
    send_digests(session, settings, now=NOW)
    english, french = digests(session)
    assert f"Talk about Transfer pricing: {CO_BOUGHT_EN}" in english.text_body
    assert f"<strong>Talk about Transfer pricing:</strong> {CO_BOUGHT_EN}" in english.html_body
    assert f"Parler de Transfer pricing : {CO_BOUGHT_FR}" in french.text_body
    assert CO_BOUGHT_FR in french.html_body
    assert "Never bought" not in english.text_body


def test_overdue_and_due_today_follow_the_users_time_zone(
    settings: Settings, session: Session
) -> None:
    # 20:00 UTC on the 23rd is already 09:00 on the 24th in Auckland (UTC+13 in November).
    evening = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
    kiwi = make_user(session, timezone="Pacific/Auckland")
    make_check_in(session, kiwi, due_on=TODAY, account_name="Yesterday Co")
    make_check_in(session, kiwi, due_on=TODAY + timedelta(days=1), account_name="Tomorrow Co")
    here = make_user(session)  # the firm's time zone, UTC
    make_check_in(session, here, due_on=TODAY, account_name="Here Co")
    make_check_in(session, here, due_on=TODAY + timedelta(days=1), account_name="Later Co")
    report = send_digests(session, settings, now=evening)
    assert report.queued == 2
    by_user = {message.user_id: message for message in digests(session)}
    overdue, today = sections(by_user[kiwi.id].text_body)
    assert "Yesterday Co" in overdue and "Tomorrow Co" in today
    assert "Tuesday, November 24, 2026" in by_user[kiwi.id].subject
    overdue, today = sections(by_user[here.id].text_body)
    assert overdue == "" and "Here Co" in today and "Later Co" not in today


def test_a_check_in_is_not_due_before_the_users_day_starts(
    settings: Settings, session: Session
) -> None:
    # 05:00 UTC on the 23rd is still 21:00 on the 22nd in Los Angeles.
    early = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
    west = make_user(session, timezone="America/Los_Angeles")
    make_check_in(session, west, due_on=TODAY, kind=CheckInKind.REPAIR)
    report = send_digests(session, settings, now=early)
    assert report.skipped_nothing_due == 1
    assert digests(session) == []


def test_account_names_are_escaped_in_the_html_body(settings: Settings, session: Session) -> None:
    ann = make_user(session)
    make_check_in(
        session, ann, due_on=TODAY, account_name="<b>Smith & Sons</b>", contact_name="<i>Jo</i>"
    )
    send_digests(session, settings, now=NOW)
    [message] = digests(session)
    assert "&lt;b&gt;Smith &amp; Sons&lt;/b&gt;" in message.html_body
    assert "&lt;i&gt;Jo&lt;/i&gt;" in message.html_body
    assert "<b>Smith" not in message.html_body and "<i>Jo" not in message.html_body
    assert "<b>Smith & Sons</b> · <i>Jo</i>" in message.text_body


def test_a_stored_time_zone_too_long_for_a_file_name_falls_back_to_the_firms_day(
    settings: Settings,
) -> None:
    # The column is bounded, but a row copied in some other way must not stop the whole digest run.
    user = User(email="long@firm.example", timezone="Europe/" + "x" * 300)
    late = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    assert (
        local_today(user, settings, late)
        == late.astimezone(ZoneInfo(settings.default_timezone)).date()
    )
