"""Apply the retention settings: what the firm no longer needs is emptied, nightly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from advocacy.adapters.images import PictureStore
from advocacy.domain.retention import RetentionPolicy
from advocacy.repository import retention
from advocacy.repository.journey import get_person
from advocacy.services.privacy.erasure import erase_person
from advocacy.settings import Settings


@dataclass(frozen=True)
class RetentionReport:
    """How many rows lost their content, and how many prospects were erased, in one run."""

    mail_messages: int
    survey_comments: int
    prospects_erased: int = 0


def policy_of(settings: Settings) -> RetentionPolicy:
    """The retention policy the settings describe."""
    return RetentionPolicy(
        mail_content_days=settings.retention_mail_content_days,
        former_survey_comments_days=settings.retention_former_survey_comments_days,
        inactive_prospects_days=settings.retention_inactive_prospects_days,
    )


def apply_retention(
    session: Session,
    policy: RetentionPolicy,
    *,
    now: datetime,
    pictures: PictureStore | None = None,
) -> RetentionReport:
    """Empty the content older than the policy allows, then erase the inactive prospects.

    The content goes in one transaction; each prospect is erased in one of their own, by the
    erasure service itself, so that a retention erasure is exactly a requested one (fingerprints
    in the suppression list, webhooks told, audit entry).
    """
    mail_cutoff = policy.mail_cutoff(now)
    comment_cutoff = policy.survey_comment_cutoff(now)
    mail = retention.empty_old_mail(session, mail_cutoff) if mail_cutoff else 0
    comments = (
        retention.empty_former_clients_comments(session, comment_cutoff) if comment_cutoff else 0
    )
    session.commit()
    prospect_cutoff = policy.prospect_cutoff(now)
    found = retention.inactive_prospects(session, prospect_cutoff) if prospect_cutoff else []
    for person_id, contact_id in found:
        # The job is the one erasing: the erasure's confirmation is its own reading of the name.
        name = get_person(session, person_id).full_name
        erase_person(session, contact_id, by=None, now=now, pictures=pictures, confirm_name=name)
    return RetentionReport(mail, comments, len(found))
