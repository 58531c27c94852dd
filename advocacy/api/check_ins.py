"""/api/v1/check-ins: planned conversations, for account managers' tools (a calendar, a CRM).

As on the pages: account managers and administrators only. An account manager reads their own
check-ins, an administrator everyone's; completing one follows the account edit rule (owner,
team or administrator) through the same service as the check-in page.
"""

from __future__ import annotations

from flask import Response
from flask_babel import gettext as _

from advocacy.adapters.reason_sentences import talking_point_sentence
from advocacy.api.routes import (
    acting_user,
    api_route,
    call_service,
    found,
    one,
    page,
    parse_body,
    parse_query,
)
from advocacy.api.showcase_schemas import (
    CheckInCompleteRequest,
    CheckInList,
    CheckInNextLine,
    CheckInPublic,
    CheckInQuery,
)
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import ACCOUNT_WORKERS, may_read_check_in, reads_every_check_in
from advocacy.domain.cadence import CheckInOutcome
from advocacy.domain.identity import Role
from advocacy.domain.text import N_
from advocacy.domain.touchpoints import Channel
from advocacy.http.problems import ApiProblem, FieldProblem, invalid
from advocacy.models import CheckIn
from advocacy.repository import get_row
from advocacy.repository.journey import contact_ids_at, get_account
from advocacy.repository.read_models import api_lists
from advocacy.repository.read_models.my_week import points_of
from advocacy.services.check_ins import work
from advocacy.services.check_ins.work import Completion
from advocacy.services.journey import accounts


def check_in_public(row: CheckIn) -> CheckInPublic:
    public = CheckInPublic.model_validate(row, from_attributes=True)
    public.next_lines = [
        CheckInNextLine(
            service_line_id=line.service_line_id,
            name=line.name,
            reason=dict(line.reason),
            reason_text=talking_point_sentence(line),
        )
        for line in points_of(row.talking_points_json).next_lines
    ]
    return public


def _sees_everyone() -> bool:
    return reads_every_check_in(Role(acting_user().role))


def _readable(check_in_id: int) -> CheckIn:
    """The check-in if the token's user may read it; someone else's is a 404 for an account
    manager, as if it did not exist."""
    row = found(lambda: get_row(db_session(), CheckIn, check_in_id))
    user = acting_user()
    assert user.id is not None
    if not may_read_check_in(Role(user.role), user.id, owner_id=row.owner_id):
        raise ApiProblem(404, _("There is nothing at this address."))
    return row


@api_route(
    "GET", "/check-ins", summary=N_("List check-ins"), tag="check-ins", roles=ACCOUNT_WORKERS,
    query=CheckInQuery, response=CheckInList,
)  # fmt: skip
def list_check_ins() -> tuple[Response, int]:
    """Check-ins ordered by id: an account manager's own, or anyone's for an administrator
    (optionally one owner's), filtered by status, account or due day."""
    query = parse_query(CheckInQuery)
    owner_id = query.owner_id if _sees_everyone() else acting_user().id
    rows, more = api_lists.list_check_ins(
        db_session(),
        api_lists.Window(query.limit, query.after_id, query.offset),
        owner_id=owner_id,
        account_id=query.account_id,
        status=query.status,
        due_before=query.due_before,
    )
    items = [check_in_public(row) for row in rows]
    return page(CheckInList, items, more, query, rows[-1].id if rows else None)


@api_route(
    "GET", "/check-ins/<id:check_in_id>", summary=N_("Read a check-in"), tag="check-ins",
    roles=ACCOUNT_WORKERS, response=CheckInPublic,
)  # fmt: skip
def get_check_in(check_in_id: int) -> tuple[Response, int]:
    """One check-in (an account manager's own, or any for an administrator)."""
    return one(check_in_public(_readable(check_in_id)))


def _check_contact(account_id: int, contact_id: int | None) -> None:
    # The service refuses the same choice; checked here first to name the field in the problem.
    if contact_id is None:
        return
    if not contact_ids_at(db_session(), account_id, [contact_id], active_only=True):
        raise invalid(
            [
                FieldProblem(
                    loc=["body", "contact_id"],
                    message=_("Choose an active contact of this account."),
                    type="not_found",
                )
            ]
        )


@api_route(
    "POST", "/check-ins/<id:check_in_id>/complete", summary=N_("Complete a check-in"),
    tag="check-ins", scope="write", roles=ACCOUNT_WORKERS, body=CheckInCompleteRequest,
    response=CheckInPublic,
)  # fmt: skip
def complete_check_in(check_in_id: int) -> tuple[Response, int]:
    """Close an open check-in with its outcome; the conversation is logged on the account's
    timeline and the next check-in follows the account's rhythm (or `next_on`). Only the
    account's owner, its team or an administrator may."""
    session = db_session()
    row = found(lambda: get_row(session, CheckIn, check_in_id))
    account = found(lambda: get_account(session, row.account_id))
    call_service(lambda: accounts.check_may_edit(session, account, acting_user()))
    data = parse_body(CheckInCompleteRequest)
    _check_contact(row.account_id, data.contact_id)
    done = Completion(
        outcome=CheckInOutcome(data.outcome),
        channel=Channel(data.channel),
        notes=data.notes,
        next_step=data.next_step,
        contact_id=data.contact_id,
        next_on=data.next_on,
    )
    closed = call_service(
        lambda: work.complete_check_in(session, check_in_id, done, by=acting_user(), now=utcnow())
    )
    return one(check_in_public(closed))
