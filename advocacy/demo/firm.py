"""The demo firm, generated: accounts in every stage and camp, their people, work and touchpoints.

Pure and deterministic: the same seed, `now`, owners and first ids give the same rows. Rows come
out as plain dicts keyed by column name, a block of accounts at a time, so the service can write a
large firm in bulk without holding it all in memory. Consistency is built in, not checked after:
each account's history is laid out as a timeline of engagements, and its stage changes are read
off that timeline with the same rules as `journey.stage_implied_by_engagements`.
"""

from __future__ import annotations

from bisect import bisect
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Final

from advocacy.demo import vocabulary
from advocacy.demo.people import (
    HORIZON_DAYS,
    MOVER_SHARE,
    AccountDraft,
    PeopleDraft,
    Row,
    ascii_slug,
)
from advocacy.demo.timeline import plan_timeline
from advocacy.demo.vocabulary import TOUCH_PATTERNS
from advocacy.domain.journey import Camp, Stage
from advocacy.domain.people import BuyingRole
from advocacy.domain.touchpoints import Initiative, TouchpointKind, TouchpointSource

# Insert order: every table after the ones its rows point to.
TABLES: Final = (
    "accounts",
    "account_team_members",
    "stage_changes",
    "people",
    "contacts",
    "contact_roles",
    "engagements",
    "engagement_service_lines",
    "engagement_contacts",
    "touchpoints",
    "journey_signals",
)
DEMO_PREFIX: Final = "demo-"  # external id prefix of demo accounts: how a second run knows
DEFAULT_SEED: Final = 20240611


@dataclass(frozen=True)
class DemoSize:
    """Targets for the whole firm; the generated totals land close to them."""

    accounts: int
    contacts: int
    engagements: int
    touchpoints: int


DEMO_SIZES: Final[Mapping[str, DemoSize]] = {
    "small": DemoSize(accounts=60, contacts=300, engagements=150, touchpoints=3_000),
    "large": DemoSize(accounts=10_000, contacts=100_000, engagements=40_000, touchpoints=2_000_000),
}

# Share of accounts per (stage, camp), in percent; camps only matter for former clients.
STAGE_MIX: Final[tuple[tuple[Stage, Camp, int], ...]] = (
    (Stage.PROSPECT, Camp.UNKNOWN, 30),
    (Stage.ACTIVE, Camp.UNKNOWN, 25),
    (Stage.BETWEEN, Camp.UNKNOWN, 25),
    (Stage.FORMER, Camp.GOOD, 9),
    (Stage.FORMER, Camp.BAD, 4),
    (Stage.FORMER, Camp.UNKNOWN, 7),
)
# How busy an account's journey map is, by stage (relative to the average account).
_TOUCH_FACTOR: Final = {
    Stage.PROSPECT: 0.5,
    Stage.ACTIVE: 1.4,
    Stage.BETWEEN: 1.1,
    Stage.FORMER: 0.9,
}
# Recent-ness of touchpoints: below 1 crowds them towards today, above 1 towards the past.
_TOUCH_SKEW: Final = {Stage.PROSPECT: 0.8, Stage.ACTIVE: 0.6, Stage.BETWEEN: 1.0, Stage.FORMER: 1.7}
PROSPECT_ENGAGEMENTS: Final = 1.5  # proposals per prospect, on average


def quotas(total: int, shares: Sequence[int]) -> list[int]:
    """Split `total` by percentage shares (largest remainder), at least one each when it fits."""
    exact = [total * share / sum(shares) for share in shares]
    counts = [int(value) for value in exact]
    by_remainder = sorted(range(len(shares)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    if total >= len(shares):
        for i, count in enumerate(counts):
            if count == 0:
                counts[i] = 1
                counts[counts.index(max(counts))] -= 1
    return counts


class DemoFirm(PeopleDraft):
    """A generator of the demo firm's rows; `blocks()` yields them a block of accounts at a time."""

    def __init__(
        self,
        *,
        size: DemoSize,
        seed: int,
        now: datetime,
        owner_ids: Sequence[int],
        service_line_ids: Sequence[int],
        first_ids: Mapping[str, int],
    ) -> None:
        if not owner_ids:
            raise ValueError("the demo firm needs at least one account manager to own accounts")
        if len(service_line_ids) != len(vocabulary.SERVICE_LINES):
            raise ValueError("one id per demo service line is expected")
        super().__init__(
            seed=seed, now=now, first_ids={table: first_ids.get(table, 1) for table in TABLES}
        )
        self.size = size
        self.owner_ids = list(owner_ids)
        self.line_ids = list(service_line_ids)
        self.line_names = [name for name, _, _ in vocabulary.SERVICE_LINES]
        self.used_names: set[str] = set()
        self._plan_accounts()
        self._prepare_touch_tables()

    # --- plan -------------------------------------------------------------------------------

    def _plan_accounts(self) -> None:
        counts = quotas(self.size.accounts, [share for _, _, share in STAGE_MIX])
        self.kinds = [
            (stage, camp)
            for (stage, camp, _), count in zip(STAGE_MIX, counts, strict=True)
            for _ in range(count)
        ]
        self.rng.shuffle(self.kinds)
        n = self.size.accounts
        prospects = sum(1 for stage, _ in self.kinds if stage is Stage.PROSPECT)
        clients = max(1, n - prospects)
        self.client_engagements = max(
            1.0, (self.size.engagements - prospects * PROSPECT_ENGAGEMENTS) / clients
        )
        movers_factor = 1 + MOVER_SHARE
        self.contacts_per_account = self.size.contacts / max(1, n) / movers_factor
        mix = {stage: 0 for stage in Stage}
        for stage, _ in self.kinds:
            mix[stage] += 1
        average = sum(_TOUCH_FACTOR[s] * c for s, c in mix.items()) / max(1, n)
        self.touch_scale = self.size.touchpoints / max(1, n) / average
        self.country_cum = list(accumulate(c[5] for c in vocabulary.COUNTRIES))
        self.band_cum = list(accumulate(weight for _, weight in vocabulary.SIZE_BANDS))
        # Where a service line matters to an industry, its clients buy it more often.
        self.relevance = [
            [vocabulary.relevance(line, industry) for line in range(len(self.line_names))]
            for industry in vocabulary.INDUSTRIES
        ]

    def _prepare_touch_tables(self) -> None:
        self.touch_columns = [
            (
                kind.value,
                initiative.value,
                tuple(channel.value for channel in channels),
                "{line}" in texts[0],  # the touchpoint is about a service line
                (
                    TouchpointSource.SYSTEM
                    if kind is TouchpointKind.SURVEY
                    else TouchpointSource.MANUAL
                ).value,
                initiative is Initiative.FIRM,
                initiative is Initiative.EXTERNAL,
            )
            for kind, initiative, channels, texts, _ in TOUCH_PATTERNS
        ]
        self.touch_cum = [
            list(accumulate(pattern[4][profile] for pattern in TOUCH_PATTERNS))
            for profile in range(3)
        ]
        # Summaries rendered once per service line: the 2,000,000-row run formats nothing.
        self.touch_summaries = [
            [[text.format(line=line) for text in pattern[3]] for line in self.line_names]
            for pattern in TOUCH_PATTERNS
        ]

    def _company_name(
        self, country: tuple[str, tuple[str, ...], str, str, str, int], industry: str
    ) -> str:
        rng = self.rng
        for attempt in range(50):
            word = rng.choice(vocabulary.NAME_WORDS)
            if attempt > 5 or rng.random() < 0.2:
                word = f"{word} {rng.choice(vocabulary.NAME_WORDS)}"
            name = (
                f"{word} {rng.choice(vocabulary.INDUSTRY_NOUNS[industry])} {rng.choice(country[1])}"
            )
            if name not in self.used_names:
                break
        else:  # pragma: no cover - 10,000 names from millions of combinations
            name = f"{name} {len(self.used_names)}"
        self.used_names.add(name)
        return name

    # --- blocks -----------------------------------------------------------------------------

    def blocks(self, block_size: int = 250) -> Iterator[dict[str, list[Row]]]:
        """The firm's rows, `block_size` accounts at a time, each block in TABLES order."""
        for first in range(0, self.size.accounts, block_size):
            yield self._block(self.kinds[first : first + block_size])

    def _block(self, kinds: list[tuple[Stage, Camp]]) -> dict[str, list[Row]]:
        rows: dict[str, list[Row]] = {table: [] for table in TABLES}
        accounts = [self._account(stage, camp, rows) for stage, camp in kinds]
        for account in accounts:
            self._contacts(account, rows)
        for account in accounts:
            self._journey(account, rows)
        arrivals = self._departures(accounts, rows)
        # A contact points at the one that replaced it elsewhere: those are written first.
        rows["contacts"] = arrivals + rows["contacts"]
        for account in accounts:
            self._touchpoints(account, rows["touchpoints"])
        return rows

    def _account(self, stage: Stage, camp: Camp, rows: dict[str, list[Row]]) -> AccountDraft:
        rng = self.rng
        country = vocabulary.COUNTRIES[self._pick(self.country_cum)]
        industry_index = rng.randrange(len(vocabulary.INDUSTRIES))
        industry = vocabulary.INDUSTRIES[industry_index]
        name = self._company_name(country, industry)
        weights = self.relevance[industry_index]
        home = rng.choices(range(len(weights)), weights=weights)[0]
        account_id = self._id("accounts")
        owner = self.owner_ids[rng.randrange(len(self.owner_ids))]
        row: Row = {
            "id": account_id,
            "name": name,
            "industry": industry,
            "size_band": vocabulary.SIZE_BANDS[self._pick(self.band_cum)][0],
            "country": country[0],
            "notes": "",
            "external_id": f"{DEMO_PREFIX}{len(self.used_names):06d}",
            "owner_id": owner,
            "stage": stage.value,
            "camp": camp.value,
            "camp_reason": "",
            "do_not_ask": False,
            "source": "demo",
        }
        rows["accounts"].append(row)
        if len(self.owner_ids) > 1 and rng.random() < 0.2:
            teammate = rng.choice([o for o in self.owner_ids if o != owner])
            rows["account_team_members"].append(
                {
                    "id": self._id("account_team_members"),
                    "account_id": account_id,
                    "user_id": teammate,
                }
            )
        domain = ascii_slug(name) + ".example"
        account = AccountDraft(
            account_id, name, domain, stage, camp, owner, 0.0, country, home, industry_index, row
        )
        self._timeline(account, rows)
        return account

    def _engagement_count(self, stage: Stage) -> int:
        if stage is Stage.PROSPECT:
            return self.rng.randint(1, 2)  # PROSPECT_ENGAGEMENTS on average
        return max(1, round(self.client_engagements * self.rng.uniform(0.4, 1.6)))

    def _timeline(self, account: AccountDraft, rows: dict[str, list[Row]]) -> None:
        timeline = plan_timeline(
            self.rng,
            account.stage,
            account.camp,
            self._engagement_count(account.stage),
            horizon=HORIZON_DAYS,
        )
        account.timeline = timeline
        account.start = timeline.start
        last = timeline.moves[-1]
        account.row.update(
            created_at=self._at(timeline.start),
            stage_since=self._at(last.day),
            updated_at=self._at(max(last.day, *(e.decided for e in timeline.engagements))),
            camp_reason=timeline.camp_reason,
            do_not_ask=account.camp is Camp.BAD,
        )
        for move in timeline.moves:
            rows["stage_changes"].append(
                {
                    "id": self._id("stage_changes"),
                    "account_id": account.id,
                    "from_stage": move.old.value if move.old else None,
                    "to_stage": move.new.value,
                    "at": self._at(move.day),
                    "reason": move.reason,
                    "by_user_id": None if move.rule else account.owner_id,
                    "rule": move.rule,
                }
            )

    # --- engagements ------------------------------------------------------------------------

    def _line_for(self, account: AccountDraft) -> int:
        rng = self.rng
        if rng.random() < 0.6:  # clients buy what they believe we do: typecasting, in data
            return account.home_line
        weights = self.relevance[account.industry]
        return rng.choices(range(len(weights)), weights=weights)[0]

    def _value(self, account: AccountDraft) -> Decimal:
        low, high = {
            "11-50": (20, 80),
            "51-200": (40, 150),
            "201-1000": (80, 400),
            "1001-5000": (150, 900),
            "5000+": (300, 2500),
        }[str(account.row["size_band"])]
        return Decimal(self.rng.randint(low, high) * 1000)

    def _journey(self, account: AccountDraft, rows: dict[str, list[Row]]) -> None:
        rng = self.rng
        assert account.timeline is not None
        deciders = [
            c for c in account.contacts if c.roles & {BuyingRole.DECISION_MAKER, BuyingRole.SPONSOR}
        ]
        others = [c for c in account.contacts if c not in deciders]
        phases: dict[int, int] = {}
        for planned in account.timeline.engagements:
            engagement_id = self._id("engagements")
            line = self._line_for(account)
            phases[line] = phases.get(line, 0) + 1
            title = rng.choice(vocabulary.ENGAGEMENT_TITLES).format(
                line=self.line_names[line], phase=phases[line]
            )
            rows["engagements"].append(
                {
                    "id": engagement_id,
                    "account_id": account.id,
                    "title": title,
                    "currency": account.country[4],
                    "value": self._value(account),
                    "status": planned.status.value,
                    "revisit_on": self._on(planned.revisit) if planned.revisit else None,
                    "start_date": self._on(planned.start) if planned.start is not None else None,
                    "end_date": self._on(planned.end) if planned.end is not None else None,
                    "external_id": None,
                    "created_at": self._at(planned.proposed),
                    "updated_at": self._at(planned.decided),
                }
            )
            lines = [line]
            if rng.random() < 0.2:
                second = rng.randrange(len(self.line_ids))
                if second != line:
                    lines.append(second)
            for index in lines:
                rows["engagement_service_lines"].append(
                    {
                        "id": self._id("engagement_service_lines"),
                        "engagement_id": engagement_id,
                        "service_line_id": self.line_ids[index],
                    }
                )
            involved = rng.sample(deciders, k=min(len(deciders), 1 + (rng.random() < 0.3)))
            involved += rng.sample(others, k=min(len(others), rng.randint(0, 2)))
            for contact in involved:
                rows["engagement_contacts"].append(
                    {
                        "id": self._id("engagement_contacts"),
                        "engagement_id": engagement_id,
                        "contact_id": contact.id,
                    }
                )

    # --- touchpoints --------------------------------------------------------------------------

    def _touchpoints(self, account: AccountDraft, out: list[Row]) -> None:
        rng = self.rng
        random_ = rng.random
        stage = account.stage
        count = max(3, round(self.touch_scale * _TOUCH_FACTOR[stage] * rng.uniform(0.5, 1.5)))
        profile = 0 if stage is Stage.PROSPECT else 2 if account.camp is Camp.BAD else 1
        cum = self.touch_cum[profile]
        total = cum[-1]
        skew = _TOUCH_SKEW[stage]
        start, span = account.start, HORIZON_DAYS - account.start
        days = sorted(start + span * random_() ** skew for _ in range(count))
        contacts = account.contacts
        n_contacts = len(contacts)
        n_lines = len(self.line_ids)
        home = account.home_line
        owner = account.owner_id
        account_id = account.id
        origin = self.origin
        next_id = self.next_id["touchpoints"]
        line_ids, columns, summaries_by_pattern = (
            self.line_ids,
            self.touch_columns,
            self.touch_summaries,
        )
        for day in days:
            pattern = bisect(cum, random_() * total)
            kind, initiative, channels, about_line, source, firm, external = columns[pattern]
            line = home if random_() < 0.6 else int(random_() * n_lines)
            summaries = summaries_by_pattern[pattern][line]
            contact = contacts[int(random_() * n_contacts)]
            contact_id = contact.id if contact.since <= day <= contact.until else None
            if external and random_() < 0.5:
                contact_id = None
            at = origin + timedelta(days=day)
            out.append(
                {
                    "id": next_id,
                    "account_id": account_id,
                    "contact_id": contact_id,
                    "kind": kind,
                    "channel": channels[int(random_() * len(channels))],
                    "initiative": initiative,
                    "service_line_id": line_ids[line] if about_line else None,
                    "occurred_at": at,
                    "summary": summaries[int(random_() * len(summaries))],
                    "source": source,
                    "external_id": None,
                    "created_by_id": owner if firm else None,
                    "created_at": at,
                }
            )
            next_id += 1
        self.next_id["touchpoints"] = next_id
