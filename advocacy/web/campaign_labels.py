"""What the nurture campaigns' codes are called on the pages, in the reader's language.

Merged into `labels.LABELS`, so templates name them with `label(kind, value)` like every code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from advocacy.domain.campaigns import (
    AskStepKind,
    CampaignStatus,
    EnrolmentStatus,
    HoldReason,
    StepKind,
    StopReason,
)
from advocacy.domain.score_asks import Tier

CAMPAIGN_LABELS: Mapping[str, Mapping[str, Any]] = {
    "advocacy_tier": {
        Tier.CHAMPION: _l("Champion"),
        Tier.ADVOCATE: _l("Advocate"),
        Tier.PASSIVE: _l("Passive"),
        Tier.AT_RISK: _l("At risk"),
        Tier.DO_NOT_ASK: _l("Do not ask"),
    },
    "campaign_status": {
        CampaignStatus.DRAFT: _l("Draft"),
        CampaignStatus.ACTIVE: _l("Running"),
        CampaignStatus.PAUSED: _l("Paused"),
        CampaignStatus.FINISHED: _l("Finished"),
    },
    "step_kind": {
        StepKind.WAIT: _l("Wait"),
        StepKind.EMAIL: _l("E-mail with chosen content"),
        StepKind.NEXT_LINE_EMAIL: _l("E-mail introducing the next service line"),
        StepKind.ASK: _l("Ask"),
        StepKind.TASK: _l("Task for the account manager"),
    },
    "ask_kind": {
        AskStepKind.SURVEY: _l("A survey"),
        AskStepKind.TESTIMONIAL: _l("A testimonial"),
        AskStepKind.REFERRAL: _l("A referral"),
    },
    "enrolment_status": {
        EnrolmentStatus.ACTIVE: _l("In the campaign"),
        EnrolmentStatus.STOPPED: _l("Stopped"),
        EnrolmentStatus.COMPLETED: _l("Completed"),
    },
    "stop_reason": {
        StopReason.REPLIED: _l("Replied or reached out: a person takes over"),
        StopReason.NEW_ENGAGEMENT: _l("Hired us again"),
        StopReason.UNSUBSCRIBED: _l("Unsubscribed or objected"),
        StopReason.BAD_CAMP: _l("The account moved to the bad camp"),
        StopReason.DETRACTOR: _l("Detractor: repair first"),
        StopReason.LEFT: _l("Left the account or retired"),
        StopReason.REMOVED: _l("Removed by hand"),
        StopReason.LEFT_SEGMENT: _l("No longer in the audience"),
        StopReason.COMPLETED: _l("Every step done"),
        StopReason.CAMPAIGN_FINISHED: _l("The campaign was finished"),
    },
    "hold_reason": {
        HoldReason.OVER_BUDGET: _l("Pressure budget full: they heard from us recently"),
        HoldReason.OUTSIDE_WINDOW: _l("Outside their send window"),
        HoldReason.NO_CONSENT: _l("No lawful basis for marketing e-mail"),
        HoldReason.SUPPRESSED: _l("Unsubscribed, bounced or reported spam"),
        HoldReason.MAY_NOT_ASK: _l("May not be asked now"),
        HoldReason.NO_NEXT_LINE: _l("No service line left to introduce"),
        HoldReason.NO_CONTENT: _l("No content in their language for the line"),
        HoldReason.NO_ADDRESS: _l("No e-mail address"),
    },
}
