"""Apply the retention settings: what the firm no longer needs is emptied, nightly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from advocacy.domain.retention import RetentionPolicy
from advocacy.repository import retention
from advocacy.settings import Settings


@dataclass(frozen=True)
class RetentionReport:
    """How many rows lost their content in one run."""

    mail_messages: int
    survey_comments: int


def policy_of(settings: Settings) -> RetentionPolicy:
    """The retention policy the settings describe."""
    return RetentionPolicy(
        mail_content_days=settings.retention_mail_content_days,
        former_survey_comments_days=settings.retention_former_survey_comments_days,
    )


def apply_retention(session: Session, policy: RetentionPolicy, *, now: datetime) -> RetentionReport:
    """Empty the content older than the policy allows, in one transaction."""
    mail_cutoff = policy.mail_cutoff(now)
    comment_cutoff = policy.survey_comment_cutoff(now)
    mail = retention.empty_old_mail(session, mail_cutoff) if mail_cutoff else 0
    comments = (
        retention.empty_former_clients_comments(session, comment_cutoff) if comment_cutoff else 0
    )
    session.commit()
    return RetentionReport(mail, comments)
