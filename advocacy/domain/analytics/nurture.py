"""Nurture results across campaigns: each campaign's funnel, their sum, and its rates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

from advocacy.domain.analytics.months import share


@dataclass(frozen=True)
class CampaignFunnel:
    """One campaign's way from enrolment to click, and the contacts it stopped for."""

    name: str
    enrolled: int = 0
    planned: int = 0  # steps carried out
    sent: int = 0  # e-mails the provider accepted
    delivered: int = 0
    opened: int = 0
    clicked: int = 0
    stopped: int = 0  # enrolments a stop rule (or a person) ended early

    @property
    def delivery_rate(self) -> float | None:
        """Delivered of sent."""
        return share(self.delivered, self.sent)

    @property
    def open_rate(self) -> float | None:
        """Opened of delivered."""
        return share(self.opened, self.delivered)

    @property
    def click_rate(self) -> float | None:
        """Clicked of delivered."""
        return share(self.clicked, self.delivered)

    @property
    def stop_rate(self) -> float | None:
        """Stopped early of enrolled."""
        return share(self.stopped, self.enrolled)


STAGES = ("enrolled", "planned", "sent", "delivered", "opened", "clicked", "stopped")


def total(funnels: Iterable[CampaignFunnel], name: str) -> CampaignFunnel:
    """Every campaign's funnel added up, stage by stage."""
    items = list(funnels)
    numbers = {
        item.name: sum(getattr(funnel, item.name) for funnel in items)
        for item in fields(CampaignFunnel)
        if item.name != "name"
    }
    return CampaignFunnel(name=name, **numbers)


def stage_values(funnel: CampaignFunnel) -> tuple[int, ...]:
    """The funnel's counts in the order of `STAGES`."""
    return tuple(int(getattr(funnel, stage)) for stage in STAGES)
