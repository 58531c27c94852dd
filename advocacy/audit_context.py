"""Where the current work comes from, for the audit log: the one place that holds it.

The web layer knows a request's address and its bearer token, the jobs runner which job runs, the
command line which command: each sets it here for the length of its work, and the audit recorder
reads it. Services receive the acting user explicitly; what they cannot know comes from here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass

from advocacy.domain.audit import SYSTEM, Actor

MAX_ADDRESS_LENGTH = 45  # the longest textual IPv6 address


@dataclass(frozen=True)
class Origin:
    """The address the work came from (None outside a request) and who acts when no user is
    named by the service (a token, a job, a command, or the system)."""

    address: str | None = None
    actor: Actor = SYSTEM
    # The user behind the token acting, when `actor` is an API token: an entry a service records
    # for that user is then recorded as the token's (domain.audit.through_token).
    token_user_id: int | None = None


# Origin is frozen: sharing the default between contexts is safe.
_ORIGIN: ContextVar[Origin] = ContextVar("advocacy_audit_origin", default=Origin())  # noqa: B039


def current() -> Origin:
    return _ORIGIN.get()


def begin(*, address: str | None = None, actor: Actor = SYSTEM) -> Token[Origin]:
    """Start a unit of work (a request, a job run, a command); `end` restores what was before."""
    return _ORIGIN.set(Origin((address or None) and address[:MAX_ADDRESS_LENGTH], actor))


def act_as(actor: Actor, *, token_user_id: int | None = None) -> None:
    """Name who acts from now on in this unit of work (a request's token, once accepted, with
    the id of the user it belongs to)."""
    _ORIGIN.set(Origin(current().address, actor, token_user_id))


def end(token: Token[Origin]) -> None:
    _ORIGIN.reset(token)


@contextmanager
def acting(actor: Actor, *, address: str | None = None) -> Iterator[None]:
    """Everything inside is recorded as done by `actor`."""
    token = begin(address=address, actor=actor)
    try:
        yield
    finally:
        end(token)
