"""The calibration report's reads: the days with score snapshots, and per period start how many
contacts had each score and how many of them gave a testimonial, a referral or a reference call
in the window that followed. One grouped query per period (at most domain.calibration.MAX_PERIODS),
at most 101 rows each, whatever the number of contacts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, exists, func, or_
from sqlmodel import Session, col, select

from advocacy.domain.calibration import ScoreGroup, window_days
from advocacy.models import ReferenceCall, Referral, ScoreSnapshot, Testimonial

# A reference call counts once the client said yes (held or about to be).
GIVEN_CALLS = ("accepted", "held")


def snapshot_days(session: Session) -> dict[date, int]:
    """Every day on which scores were snapshotted, with how many contacts were."""
    query = select(col(ScoreSnapshot.day), func.count()).group_by(col(ScoreSnapshot.day))
    return {day: int(count) for day, count in session.exec(query)}


def score_groups(session: Session, start: date, *, months: int) -> list[ScoreGroup]:
    """Per score on `start`'s snapshots: how many contacts, and how many gave within `months`."""
    # The window opens when the snapshot day ends: what they gave that day was evidence, not news.
    opens = datetime.combine(start, time.min, tzinfo=UTC) + timedelta(days=1)
    closes = opens + timedelta(days=window_days(months))
    who = col(ScoreSnapshot.contact_id)
    wrote = exists().where(
        col(Testimonial.contact_id) == who,
        col(Testimonial.submitted_at) >= opens,
        col(Testimonial.submitted_at) < closes,
    )
    referred = exists().where(
        col(Referral.referrer_contact_id) == who,
        col(Referral.created_at) >= opens,
        col(Referral.created_at) < closes,
    )
    spoke = exists().where(
        and_(
            col(ReferenceCall.contact_id) == who,
            col(ReferenceCall.status).in_(GIVEN_CALLS),
            col(ReferenceCall.asked_at) >= opens,
            col(ReferenceCall.asked_at) < closes,
        )
    )
    gave = case((or_(wrote, referred, spoke), 1), else_=0)
    query = (
        select(col(ScoreSnapshot.score), func.count(), func.sum(gave))
        .where(ScoreSnapshot.day == start)
        .group_by(col(ScoreSnapshot.score))
    )
    return [ScoreGroup(int(score), int(n), int(g or 0)) for score, n, g in session.exec(query)]
