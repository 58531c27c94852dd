"""A campaign's life: which status may follow which."""

from __future__ import annotations

import pytest

from advocacy.domain.campaigns import CampaignStatus, check_transition
from advocacy.domain.errors import RuleError

DRAFT, ACTIVE, PAUSED, FINISHED = (
    CampaignStatus.DRAFT,
    CampaignStatus.ACTIVE,
    CampaignStatus.PAUSED,
    CampaignStatus.FINISHED,
)


@pytest.mark.parametrize(
    ("current", "wanted"),
    [(DRAFT, ACTIVE), (ACTIVE, PAUSED), (PAUSED, ACTIVE), (ACTIVE, FINISHED), (DRAFT, FINISHED)],
)
def test_a_campaign_is_activated_paused_resumed_and_finished(
    current: CampaignStatus, wanted: CampaignStatus
) -> None:
    check_transition(current, wanted)


@pytest.mark.parametrize(
    ("current", "wanted", "message"),
    [
        (FINISHED, ACTIVE, "finished campaign cannot change"),
        (FINISHED, DRAFT, "finished campaign cannot change"),
        (ACTIVE, DRAFT, "cannot make that change"),
        (PAUSED, PAUSED, "cannot make that change"),
    ],
)
def test_a_campaign_never_goes_back_to_draft_nor_comes_back_from_finished(
    current: CampaignStatus, wanted: CampaignStatus, message: str
) -> None:
    with pytest.raises(RuleError, match=message):
        check_transition(current, wanted)
