"""The calendar feed, parsed back with the icalendar library: one all-day event per open check-in,
stable UIDs, refresh hints; a regenerated or revoked address stops working at once."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlmodel import Session, select

from advocacy.domain.cadence import CheckInStatus
from advocacy.models import CalendarFeed
from advocacy.services.check_ins.calendar_feed import (
    CalendarFeedError,
    create_feed,
    feed_for,
    feed_of,
    revoke_feed,
)
from advocacy.settings import Settings
from tests.conftest import NOW
from tests.factories import make_user
from tests.factories_checkins import CO_BOUGHT_EN, CO_BOUGHT_FR, CO_BOUGHT_POINT, make_check_in

TODAY = NOW.date()


def parsed(document: bytes | None) -> Calendar:
    assert document is not None
    return Calendar.from_ical(document)


def events_by_uid(calendar: Calendar) -> dict[str, object]:
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_holds_one_all_day_event_per_open_check_in(
    settings: Settings, session: Session
) -> None:
    ann = make_user(session)
    other = make_user(session)
    due = make_check_in(
        session,
        ann,
        due_on=TODAY + timedelta(days=2),
        account_name="Smith, Jones; & Co",
        contact_name="Dana Client",
        updated_at=NOW - timedelta(days=1),
    )
    late = make_check_in(session, ann, due_on=TODAY - timedelta(days=4), contact_name=None)
    make_check_in(session, ann, due_on=TODAY, status=CheckInStatus.DONE)
    make_check_in(session, other, due_on=TODAY)
    secret = create_feed(session, ann.id, now=NOW)

    calendar = parsed(feed_for(session, secret, now=NOW, settings=settings))

    assert str(calendar["prodid"]) == "-//advocacy//check-ins//EN"
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["calscale"]) == "GREGORIAN"
    assert str(calendar["method"]) == "PUBLISH"
    assert str(calendar["x-wr-calname"]) == f"Check-ins – {settings.firm_name}"
    assert calendar["refresh-interval"].params["VALUE"] == "DURATION"
    assert calendar.decoded("refresh-interval") == timedelta(hours=1)
    assert calendar["x-published-ttl"].to_ical() == b"PT1H"
    host = "127.0.0.1"  # the host of the test settings' base_url
    events = events_by_uid(calendar)
    assert set(events) == {f"checkin-{due.id}@{host}", f"checkin-{late.id}@{host}"}
    event = events[f"checkin-{due.id}@{host}"]
    assert event["dtstart"].params["VALUE"] == "DATE"
    assert event.decoded("dtstart") == TODAY + timedelta(days=2)
    assert type(event.decoded("dtstart")) is date  # all day: a date, not a date-time
    assert event.decoded("dtend") == TODAY + timedelta(days=3)
    assert str(event["summary"]) == "Check-in: Smith, Jones; & Co"
    description = str(event["description"])
    assert "Contact: Dana Client" in description
    assert "Never bought: Audit, Tax advisory" in description
    assert str(event["url"]) == f"{settings.base_url}/check-ins/{due.id}"
    assert str(event["status"]) == "CONFIRMED"
    assert event.decoded("last-modified") == NOW - timedelta(days=1)
    assert event.decoded("dtstamp") == NOW
    late_event = events[f"checkin-{late.id}@{host}"]
    assert late_event.decoded("dtstart") == TODAY - timedelta(days=4)
    assert "Contact:" not in str(late_event["description"])


def test_each_event_says_why_its_next_lines_are_raised_in_the_owners_language(
    settings: Settings, session: Session
) -> None:
    for language, sentence in (
        ("en", f"Talk about Transfer pricing: {CO_BOUGHT_EN}"),
        ("fr", f"Parler de Transfer pricing : {CO_BOUGHT_FR}"),
    ):
        owner = make_user(session, language=language)
        make_check_in(session, owner, due_on=TODAY, never_bought=(), next_lines=(CO_BOUGHT_POINT,))
        secret = create_feed(session, owner.id, now=NOW)
        [event] = parsed(feed_for(session, secret, now=NOW, settings=settings)).walk("VEVENT")
        description = str(event["description"])
        assert sentence in description, language
        assert "Never bought" not in description and "Jamais acheté" not in description


def test_the_uid_of_a_check_in_stays_the_same_from_one_fetch_to_the_next(
    settings: Settings, session: Session
) -> None:
    ann = make_user(session)
    make_check_in(session, ann, due_on=TODAY)
    secret = create_feed(session, ann.id, now=NOW)
    first = events_by_uid(parsed(feed_for(session, secret, now=NOW, settings=settings)))
    later = NOW + timedelta(hours=3)
    second = events_by_uid(parsed(feed_for(session, secret, now=later, settings=settings)))
    assert set(first) == set(second) and len(first) == 1


def test_only_the_hash_of_the_secret_is_stored(settings: Settings, session: Session) -> None:
    ann = make_user(session)
    secret = create_feed(session, ann.id, now=NOW)
    feed = feed_of(session, ann.id)
    assert feed is not None
    assert feed.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in feed.token_hash


def test_regenerating_kills_the_old_address_at_once(settings: Settings, session: Session) -> None:
    ann = make_user(session)
    old = create_feed(session, ann.id, now=NOW)
    new = create_feed(session, ann.id, now=NOW + timedelta(minutes=1))
    assert old != new
    assert feed_for(session, old, now=NOW, settings=settings) is None
    assert feed_for(session, new, now=NOW, settings=settings) is not None
    assert len(session.exec(select(CalendarFeed)).all()) == 1


def test_revoking_kills_the_address(settings: Settings, session: Session) -> None:
    ann = make_user(session)
    secret = create_feed(session, ann.id, now=NOW)
    assert revoke_feed(session, ann.id) is True
    assert feed_for(session, secret, now=NOW, settings=settings) is None
    assert revoke_feed(session, ann.id) is False
    assert feed_of(session, ann.id) is None


def test_a_deactivated_users_feed_answers_nothing_and_they_get_no_new_one(
    settings: Settings, session: Session
) -> None:
    ann = make_user(session)
    secret = create_feed(session, ann.id, now=NOW)
    ann.active = False
    session.add(ann)
    session.commit()
    assert feed_for(session, secret, now=NOW, settings=settings) is None
    with pytest.raises(CalendarFeedError):
        create_feed(session, ann.id, now=NOW)


@pytest.mark.parametrize("token", ["", "x", "a" * 101, "../../etc/passwd", "abc def" * 5])
def test_a_malformed_or_unknown_address_answers_nothing(
    settings: Settings, session: Session, token: str
) -> None:
    make_user(session)
    assert feed_for(session, token, now=NOW, settings=settings) is None


def test_reading_the_feed_notes_when_it_was_last_used(settings: Settings, session: Session) -> None:
    ann = make_user(session)
    secret = create_feed(session, ann.id, now=NOW)
    assert feed_of(session, ann.id).last_used_at is None
    feed_for(session, secret, now=NOW + timedelta(minutes=5), settings=settings)
    session.expire_all()
    assert feed_of(session, ann.id).last_used_at == NOW + timedelta(minutes=5)
