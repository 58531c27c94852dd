"""Account use cases: create and edit accounts, move them through the journey, decide the camp."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from advocacy.domain import journey
from advocacy.domain.access import may_edit_account, may_own_accounts, may_reassign_owner
from advocacy.domain.audit import Action
from advocacy.domain.errors import Conflict, NotAllowed, RuleError
from advocacy.domain.identity import Role
from advocacy.domain.journey import Camp, Stage
from advocacy.domain.text import N_
from advocacy.models import Account, AccountCreate, AccountUpdate, JourneySignal, StageChange, User
from advocacy.models.fields import saved_id
from advocacy.repository import audit, scoring
from advocacy.repository.journey import (
    account_by_external_id,
    between_accounts_with_last_end,
    get_account,
    open_signal,
    resolve_signals,
    team_user_ids,
)
from advocacy.services.scoring import recompute
from advocacy.services.webhooks import events as webhook_events


def check_may_edit(session: Session, account: Account, user: User) -> None:
    """Raise NotAllowed unless `user` may change `account`."""
    assert account.id is not None and user.id is not None
    team = team_user_ids(session, account.id)
    if not may_edit_account(
        Role(user.role), user.id, owner_id=account.owner_id, team_user_ids=team
    ):
        raise NotAllowed(
            N_("Only the account's owner, its team or an administrator may change it.")
        )


def _check_owner(session: Session, owner_id: int | None) -> None:
    if owner_id is None:
        return
    owner = session.get(User, owner_id)
    if owner is None or not owner.active or not may_own_accounts(Role(owner.role)):
        raise RuleError(N_("The owner must be an active account manager or administrator."))


def add_account(
    session: Session, data: AccountCreate, *, by: User | None, now: datetime, source: str = "manual"
) -> Account:
    """Add an account and its first stage to the history (helper: flushes, does not commit)."""
    _check_owner(session, data.owner_id)
    if data.external_id and account_by_external_id(session, data.external_id):
        raise Conflict(N_("Another account already has this external id."))
    account = Account.model_validate(
        data.model_dump(),
        update={"stage_since": now, "created_at": now, "updated_at": now, "source": source},
    )
    session.add(account)
    session.flush()
    session.add(
        StageChange(
            account_id=saved_id(account),
            from_stage=None,
            to_stage=account.stage,
            at=now,
            reason=N_("account created"),
            by_user_id=by.id if by else None,
        )
    )
    return account


def create_account(session: Session, data: AccountCreate, *, by: User, now: datetime) -> Account:
    """Create an account at its starting stage (a prospect unless said otherwise)."""
    account = add_account(session, data, by=by, now=now)
    session.commit()
    return account


def update_account(
    session: Session, account_id: int, data: AccountUpdate, *, by: User, now: datetime
) -> Account:
    """Change an account's details (not its stage: that is a move with a reason)."""
    account = get_account(session, account_id)
    check_may_edit(session, account, by)
    changes = data.model_dump(exclude_unset=True)
    if "owner_id" in changes and changes["owner_id"] != account.owner_id:
        # Every path (pages, API) obeys the same hand-over rule as the owner form.
        assert by.id is not None
        if not may_reassign_owner(Role(by.role), by.id, owner_id=account.owner_id):
            raise NotAllowed(N_("Only the account's owner or an administrator may hand it over."))
        _check_owner(session, changes["owner_id"])
    external_id = changes.get("external_id")
    other = account_by_external_id(session, external_id) if external_id else None
    if other is not None and other.id != account.id:
        raise Conflict(N_("Another account already has this external id."))
    for name, value in changes.items():
        setattr(account, name, value)
    account.updated_at = now
    session.add(account)
    session.commit()
    return account


def record_move(
    session: Session,
    account: Account,
    new: Stage,
    *,
    reason: str,
    by: User | None,
    now: datetime,
    rule: str | None = None,
) -> StageChange:
    """Apply a stage move to `account` and append it to the history (helper: no commit)."""
    assert account.id is not None
    move = journey.move_stage(
        account.id, Stage(account.stage), new, at=now, reason=reason, rule=rule
    )
    account.stage, account.stage_since, account.updated_at = move.new.value, move.at, now
    change = StageChange(
        account_id=account.id,
        from_stage=move.old.value,
        to_stage=move.new.value,
        at=move.at,
        reason=move.reason,
        by_user_id=by.id if by else None,
        rule=move.rule,
    )
    session.add_all([account, change])
    _rescore_account(session, account, now=now)
    webhook_events.account_stage_changed(session, account, old_stage=move.old.value, now=now)
    if new is not Stage.FORMER:
        resolve_signals(session, account.id, "propose_former", now=now)
    return change


def move_account_to_stage(
    session: Session, account_id: int, new: Stage, *, reason: str, by: User, now: datetime
) -> Account:
    """Move an account to another journey stage by hand and record why."""
    account = get_account(session, account_id)
    check_may_edit(session, account, by)
    change = record_move(session, account, new, reason=reason, by=by, now=now)
    # The reason is free text about a client: the history keeps it, the audit log does not.
    audit.record(
        session,
        Action.STAGE_CHANGED,
        actor=audit.user_actor(by),
        subject=("account", account.id),
        details={"from": change.from_stage, "to": change.to_stage},
        now=now,
    )
    session.commit()
    return account


def set_former_camp(
    session: Session, account_id: int, camp: Camp, *, reason: str, by: User, now: datetime
) -> Account:
    """Decide how a client remembers us; the bad camp is never asked for advocacy."""
    account = get_account(session, account_id)
    check_may_edit(session, account, by)
    apply_camp(session, account, camp, reason=reason, now=now)
    session.commit()
    return account


def apply_camp(
    session: Session, account: Account, camp: Camp, *, reason: str, now: datetime
) -> None:
    """Write the camp and its reason; a bad camp also marks do-not-ask (helper: no commit).

    Shared by a person's decision and by the evidence of survey answers, so both obey one rule.
    """
    if not reason.strip():
        raise RuleError(N_("Say why: the camp decides who may be asked for advocacy."))
    account.camp, account.camp_reason = camp.value, reason.strip()[:500]
    if camp is Camp.BAD:
        account.do_not_ask = True
    account.updated_at = now
    session.add(account)
    _rescore_account(session, account, now=now)


def _rescore_account(session: Session, account: Account, *, now: datetime) -> None:
    """The account's camp or stage changed: its people's scores follow in this transaction."""
    session.flush()
    recompute.rescore(session, scoring.contact_ids_of_account(session, saved_id(account)), now=now)


def set_do_not_ask(
    session: Session, account_id: int, do_not_ask: bool, *, by: User, now: datetime
) -> Account:
    """Mark or unmark an account as never to be asked for advocacy (a bad camp stays marked)."""
    account = get_account(session, account_id)
    check_may_edit(session, account, by)
    if not do_not_ask and account.camp == Camp.BAD:
        raise RuleError(N_("A bad-camp account stays do-not-ask; change the camp first."))
    account.do_not_ask, account.updated_at = do_not_ask, now
    session.add(account)
    _rescore_account(session, account, now=now)
    session.commit()
    return account


def flag_silent_accounts(
    session: Session, *, now: datetime, silence: timedelta, apply: bool = False
) -> list[int]:
    """Propose (or, with `apply`, make) the move to former for accounts silent too long.

    Safe to run twice: an account with an open proposal is not proposed again.
    """
    flagged: list[int] = []
    for account, last_end in between_accounts_with_last_end(session):
        assert account.id is not None
        if not journey.proposes_former(
            Stage(account.stage),
            last_engagement_end=last_end,
            stage_since=account.stage_since,
            now=now,
            silence=silence,
        ):
            continue
        if apply:
            record_move(
                session,
                account,
                Stage.FORMER,
                reason=N_("no engagement for a long time"),
                by=None,
                now=now,
                rule="journey.silence",
            )
        elif open_signal(session, account.id, "propose_former") is None:
            session.add(
                JourneySignal(
                    kind="propose_former",
                    account_id=account.id,
                    owner_id=account.owner_id,
                    message="No engagement for a long time: move to former client?",
                    created_at=now,
                )
            )
        else:
            continue
        flagged.append(account.id)
    session.commit()
    return flagged
