"""The audit log's rules: which actions are recorded, who can act, and what an entry may say.

An entry names who acted, what they did and to what; its details are a few short facts chosen per
action. Never a secret, a password or text a client wrote: the log outlives what it describes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

MAX_LABEL_LENGTH = 254
MAX_DETAIL_LENGTH = 200
MIN_RETENTION_DAYS = 30


class ActorKind(StrEnum):
    USER = "user"
    TOKEN = "token"  # noqa: S105 - an action code, not a secret
    CLIENT_LINK = "client_link"
    JOB = "job"
    COMMAND_LINE = "command_line"
    SYSTEM = "system"


class Action(StrEnum):
    """Stable codes: they are stored, filtered on and exported, so they never change meaning."""

    SIGN_IN = "sign_in.succeeded"
    SIGN_IN_FAILED = "sign_in.failed"
    SIGN_OUT = "sign_out"
    USER_CREATED = "user.created"
    USER_ROLE_CHANGED = "user.role_changed"
    USER_DEACTIVATED = "user.deactivated"
    USER_REACTIVATED = "user.reactivated"
    USER_PASSWORD_SET = "user.password_set"  # noqa: S105 - an action code, not a secret
    TOKEN_CREATED = "token.created"  # noqa: S105 - an action code, not a secret
    TOKEN_REVOKED = "token.revoked"  # noqa: S105 - an action code, not a secret
    TESTIMONIAL_APPROVED = "testimonial.approved"
    TESTIMONIAL_PUBLISHED = "testimonial.published"
    TESTIMONIAL_WITHDRAWN = "testimonial.withdrawn"
    TESTIMONIAL_PERMISSION_CHANGED = "testimonial.permission_changed"
    CONSENT_CHANGED = "consent.changed"
    STAGE_CHANGED = "account.stage_changed"
    IMPORT_RUN = "import.run"
    EXPORT_RUN = "export.run"
    AUDIT_EXPORTED = "audit.exported"
    AUDIT_PURGED = "audit.purged"
    PERSON_EXPORTED = "person.exported"
    PERSON_ERASED = "person.erased"
    WEBHOOK_ENDPOINT_REGISTERED = "webhook.endpoint_registered"
    WEBHOOK_ENDPOINT_CHANGED = "webhook.endpoint_changed"
    WEBHOOK_ENDPOINT_DELETED = "webhook.endpoint_deleted"


# What each action's details may hold. Anything else is a programming mistake, refused at once so
# that free text cannot slip into the log through a new call.
ALLOWED_DETAILS: Mapping[Action, frozenset[str]] = {
    Action.SIGN_IN: frozenset({"method"}),
    Action.SIGN_IN_FAILED: frozenset({"method", "reason"}),
    Action.SIGN_OUT: frozenset(),
    Action.USER_CREATED: frozenset({"role", "method"}),
    Action.USER_ROLE_CHANGED: frozenset({"from", "to"}),
    Action.USER_DEACTIVATED: frozenset(),
    Action.USER_REACTIVATED: frozenset(),
    Action.USER_PASSWORD_SET: frozenset({"method"}),
    Action.TOKEN_CREATED: frozenset({"prefix", "scopes", "user_id", "expires_days"}),
    Action.TOKEN_REVOKED: frozenset({"prefix", "user_id"}),
    Action.TESTIMONIAL_APPROVED: frozenset({"from", "to"}),
    Action.TESTIMONIAL_PUBLISHED: frozenset({"from", "to"}),
    Action.TESTIMONIAL_WITHDRAWN: frozenset({"from", "to"}),
    Action.TESTIMONIAL_PERMISSION_CHANGED: frozenset({"granted", "withdrawn", "source"}),
    Action.CONSENT_CHANGED: frozenset({"categories", "status", "source"}),
    Action.STAGE_CHANGED: frozenset({"from", "to"}),
    Action.IMPORT_RUN: frozenset({"kind", "file", "created", "updated", "skipped", "errors"}),
    Action.EXPORT_RUN: frozenset({"kind", "rows"}),
    Action.AUDIT_EXPORTED: frozenset({"rows", "filters"}),
    Action.AUDIT_PURGED: frozenset({"entries", "before"}),
    Action.PERSON_EXPORTED: frozenset({"tables", "rows", "format"}),
    Action.PERSON_ERASED: frozenset({"tables", "rows"}),
    Action.WEBHOOK_ENDPOINT_REGISTERED: frozenset({"events", "scope"}),
    Action.WEBHOOK_ENDPOINT_CHANGED: frozenset({"enabled"}),
    Action.WEBHOOK_ENDPOINT_DELETED: frozenset(),
}

Detail = str | int | bool | None


@dataclass(frozen=True)
class Actor:
    """Who acted: a kind, the id of that kind's row when there is one, and a label kept as text
    (a user's e-mail can change or be erased later; the entry keeps what it was)."""

    kind: ActorKind
    id: int | None = None
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", self.label[:MAX_LABEL_LENGTH])


SYSTEM = Actor(ActorKind.SYSTEM, None, "system")


def through_token(token: Actor, user: Actor) -> Actor:
    """A user acting through one of their API tokens: the token is the actor (its id), and the
    label names both, so that the entry says which token and whose it is."""
    return Actor(ActorKind.TOKEN, token.id, f"{user.label} via token {token.label}")


def client_link_actor(contact_id: int | None) -> Actor:
    """A client acting through a signed link: named by their contact id only, so that erasing the
    person leaves nothing personal here."""
    return Actor(ActorKind.CLIENT_LINK, contact_id, f"contact #{contact_id}")


def job_actor(job_id: str) -> Actor:
    """The actor for everything a scheduled job does."""
    return Actor(ActorKind.JOB, None, job_id)


def command_line_actor(command: str) -> Actor:
    """The actor for everything an `advocacy` command does."""
    return Actor(ActorKind.COMMAND_LINE, None, command)


def checked_details(action: Action, details: Mapping[str, Detail]) -> dict[str, Detail]:
    """The details of an entry, or ValueError when a key is not one this action may carry."""
    unknown = set(details) - ALLOWED_DETAILS[action]
    if unknown:
        raise ValueError(f"{action.value} may not carry {sorted(unknown)}")
    checked: dict[str, Detail] = {}
    for key, value in details.items():
        if isinstance(value, str):
            value = value[:MAX_DETAIL_LENGTH]
        elif value is not None and not isinstance(value, bool | int):
            raise ValueError(f"{action.value}.{key} must be text, a number or a yes/no")
        checked[key] = value
    return checked


def retention_cutoff(now: datetime, days: int) -> datetime:
    """Entries that occurred before this moment are past their retention."""
    return now - timedelta(days=max(days, MIN_RETENTION_DAYS))


def action_of(code: str) -> Action | None:
    """The action a filter names, or None for anything unknown (a filter is never an error)."""
    try:
        return Action(code)
    except ValueError:
        return None
