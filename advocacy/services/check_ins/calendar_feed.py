"""A person's calendar of open check-ins: a secret address that Google Calendar or Outlook subscribes to.

Calendar servers cannot sign in, so the address itself is the credential. It carries 256 random
bits and only its hash is kept, as for API tokens. Regenerating replaces the hash, so the old
address stops working at once; revoking deletes the row. Each open check-in is an all-day event on
its due date with a stable UID, so a calendar updates the event when the date moves and drops it
once the check-in is closed (it is no longer in the feed).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from icalendar import Calendar, Event, vDuration
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from advocacy.adapters.reason_sentences import talking_point_sentence
from advocacy.adapters.translations import speaking
from advocacy.domain.errors import RuleError
from advocacy.domain.text import N_
from advocacy.models import CalendarFeed, User
from advocacy.repository import staff
from advocacy.repository.open_check_ins import OpenCheckIn, open_check_ins_of
from advocacy.services.access.tokens import LAST_USED_RESOLUTION, hash_secret
from advocacy.services.check_ins.digest import check_in_url
from advocacy.settings import LANGUAGES, Settings

SECRET_BYTES = 32  # 256 bits, like API tokens: there is nothing to guess
# What a well-formed secret looks like (token_urlsafe of 32 bytes is 43 characters); anything else
# is refused before hashing or querying.
_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_\-]{20,100}$")
PRODID = "-//advocacy//check-ins//EN"
# How often calendars should fetch again. Google and Outlook decide for themselves, but read these
# hints (RFC 7986 REFRESH-INTERVAL, and Outlook's X-PUBLISHED-TTL).
REFRESH = timedelta(hours=1)
TALKING_POINT_LINES = 5


class CalendarFeedError(RuleError):
    """A calendar feed request the rules refuse; the message says why."""


def feed_url(settings: Settings, secret: str) -> str:
    return f"{settings.base_url}/calendar/{secret}.ics"


def feed_of(session: Session, user_id: int) -> CalendarFeed | None:
    """The user's calendar feed (never its secret), or None when they have none."""
    return session.exec(select(CalendarFeed).where(CalendarFeed.user_id == user_id)).first()


def create_feed(session: Session, user_id: int, *, now: datetime) -> str:
    """Give the user a new feed address and return its secret (shown once); any old one dies."""
    user = staff.get_user(session, user_id)
    if not user.active:
        raise CalendarFeedError(N_("A deactivated user cannot have a calendar feed."))
    secret = secrets.token_urlsafe(SECRET_BYTES)
    for attempt in range(2):
        token_hash = hash_secret(secret)
        feed = feed_of(session, user_id) or CalendarFeed(
            user_id=user_id, token_hash=token_hash, created_at=now
        )
        feed.token_hash = token_hash
        feed.created_at = now
        feed.last_used_at = None
        session.add(feed)
        try:
            session.commit()
        except IntegrityError:
            # Two first creations at once (a double click): the other row stands, and the
            # second attempt replaces its secret like any regeneration.
            session.rollback()
            if attempt:
                raise
            continue
        break
    return secret


def revoke_feed(session: Session, user_id: int) -> bool:
    """Delete the user's feed so its address stops working; False when there was none."""
    feed = feed_of(session, user_id)
    if feed is None:
        return False
    session.delete(feed)
    session.commit()
    return True


def feed_for(session: Session, token: str, *, now: datetime, settings: Settings) -> bytes | None:
    """The iCalendar document behind `token`, or None when the address is unknown or revoked
    (or its owner deactivated). Notes when a calendar last read it (at most once a minute)."""
    if not _SECRET_SHAPE.match(token):
        return None
    feed = session.exec(
        select(CalendarFeed).where(CalendarFeed.token_hash == hash_secret(token))
    ).first()
    if feed is None:
        return None
    user = session.get(User, feed.user_id)
    if user is None or not user.active:
        return None
    check_ins = open_check_ins_of(session, [feed.user_id]).get(feed.user_id, [])
    document = _calendar(user, check_ins, now=now, settings=settings)
    if feed.last_used_at is None or now - feed.last_used_at >= LAST_USED_RESOLUTION:
        feed.last_used_at = now
        session.add(feed)
    session.commit()
    return document


def _calendar(
    user: User, check_ins: list[OpenCheckIn], *, now: datetime, settings: Settings
) -> bytes:
    language = user.language if user.language in LANGUAGES else settings.default_language
    host = urlsplit(settings.base_url).hostname or "localhost"
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    with speaking(language) as _:
        name = _("Check-ins – %(firm)s", firm=settings.firm_name)
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(REFRESH))
        for item in check_ins:
            calendar.add_component(_event(item, _, host=host, now=now, settings=settings))
    ical: bytes = calendar.to_ical()
    return ical


def _event(
    item: OpenCheckIn,
    gettext: Callable[..., str],
    *,
    host: str,
    now: datetime,
    settings: Settings,
) -> Event:
    """One all-day event; `gettext` speaks the feed owner's language."""
    lines = []
    if item.contact_name:
        lines.append(gettext("Contact: %(name)s", name=item.contact_name))
    for line in item.next_lines:
        # Inside the feed owner's language (see _calendar), like the rest of the description.
        lines.append(
            gettext("Talk about %(line)s:", line=line.name) + " " + talking_point_sentence(line)
        )
    if item.never_bought:
        lines.append(
            gettext(
                "Never bought: %(lines)s",
                lines=", ".join(item.never_bought[:TALKING_POINT_LINES]),
            )
        )
    if item.open_engagements:
        lines.append(
            gettext(
                "Running: %(engagements)s",
                engagements=", ".join(item.open_engagements[:TALKING_POINT_LINES]),
            )
        )
    url = check_in_url(settings, item.id)
    lines.append(url)
    event = Event()
    event.add("uid", f"checkin-{item.id}@{host}")
    event.add("dtstamp", now)
    event.add("last-modified", item.updated_at)
    event.add("dtstart", item.due_on)
    event.add("dtend", item.due_on + timedelta(days=1))
    event.add("summary", gettext("Check-in: %(account)s", account=item.account_name))
    event.add("description", "\n".join(lines))
    event.add("url", url)
    # Open check-ins only are in the feed: a closed one disappears from subscribed calendars.
    event.add("status", "CONFIRMED")
    # A reminder to call, not a meeting: it must not mark the day as busy.
    event.add("transp", "TRANSPARENT")
    return event
