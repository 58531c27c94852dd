"""How long the firm keeps what it no longer needs (docs/guide.md, "Retention").

Content is emptied, not rows deleted: an e-mail still proves it was sent and when (consent,
pressure, results), a survey's score still counts in the firm's figures; what goes is what was
written — the message's text, the former client's free comment. A prospect nobody has heard
from for long enough is erased like a person who asked (domain/erasure.py): the firm has no
relationship left to justify keeping who they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from advocacy.domain.outbox import Status

# Messages still on their way keep their content whatever their age: the sender needs it.
FINAL_MAIL_STATUSES = frozenset(
    {Status.SENT.value, Status.FAILED.value, Status.SUPPRESSED.value, Status.CANCELLED.value}
)


@dataclass(frozen=True)
class RetentionPolicy:
    """Days each kind of content is kept; 0 keeps it for ever."""

    mail_content_days: int
    former_survey_comments_days: int
    inactive_prospects_days: int = 0

    def mail_cutoff(self, now: datetime) -> datetime | None:
        """Messages queued before this moment lose their content (None: keep every one)."""
        return _cutoff(now, self.mail_content_days)

    def survey_comment_cutoff(self, now: datetime) -> datetime | None:
        """Former clients' comments answered before this moment are emptied (None: keep all)."""
        return _cutoff(now, self.former_survey_comments_days)

    def prospect_cutoff(self, now: datetime) -> datetime | None:
        """Prospects with no activity since this moment are erased (None: keep every one)."""
        return _cutoff(now, self.inactive_prospects_days)


def _cutoff(now: datetime, days: int) -> datetime | None:
    return None if days <= 0 else now - timedelta(days=days)
