"""/api/v1/accounts: the firm's clients. Marketing tokens read them without the private notes."""

from __future__ import annotations

from flask import Response, current_app, url_for

from advocacy.api.routes import (
    acting_user,
    api_route,
    call_service,
    found,
    one,
    page,
    parse_body,
    parse_query,
    sees_private,
)
from advocacy.api.schemas import (
    AccountAwarenessPublic,
    AccountCreateRequest,
    AccountList,
    AccountQuery,
    AccountUpdateRequest,
    LineAwarenessItem,
)
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import ACCOUNT_WORKERS
from advocacy.domain.text import N_
from advocacy.models import Account, AccountPublic
from advocacy.repository import journey
from advocacy.repository.read_models import api_lists, typecasting
from advocacy.services.journey import accounts


def account_public(account: Account, *, private: bool) -> AccountPublic:
    item = AccountPublic.model_validate(account, from_attributes=True)
    return item if private else item.model_copy(update={"notes": ""})


@api_route(
    "GET", "/accounts", summary=N_("List accounts"), tag="accounts", query=AccountQuery,
    response=AccountList,
)  # fmt: skip
def list_accounts() -> tuple[Response, int]:
    """Accounts ordered by id, filtered by stage, owner, industry, camp, name or update time."""
    query = parse_query(AccountQuery)
    rows, more = api_lists.list_accounts(
        db_session(),
        api_lists.Window(query.limit, query.after_id, query.offset),
        stage=query.stage,
        owner_id=query.owner_id,
        industry=query.industry,
        camp=query.camp,
        name_contains=query.q,
        updated_since=query.updated_since,
    )
    private = sees_private()
    items = [account_public(row, private=private) for row in rows]
    return page(AccountList, items, more, query, rows[-1].id if rows else None)


@api_route(
    "GET", "/accounts/<id:account_id>", summary=N_("Read an account"), tag="accounts",
    response=AccountPublic,
)  # fmt: skip
def get_account(account_id: int) -> tuple[Response, int]:
    """One account."""
    account = found(lambda: journey.get_account(db_session(), account_id))
    return one(account_public(account, private=sees_private()))


@api_route(
    "GET", "/accounts/<id:account_id>/awareness", summary=N_("What an account knows us for"),
    tag="accounts", response=AccountAwarenessPublic,
)  # fmt: skip
def get_account_awareness(account_id: int) -> tuple[Response, int]:
    """Per active service line, how far the account knows it (unaware, introduced, engaged,
    bought) and since when, and its typecasting index."""
    threshold = current_app.config["ADVOCACY"].typecasting_relevance_threshold
    found_awareness = found(
        lambda: typecasting.account_awareness(db_session(), account_id, threshold=threshold)
    )
    return one(
        AccountAwarenessPublic(
            account_id=account_id,
            typecasting_index=found_awareness.index,
            lines=[
                LineAwarenessItem(
                    service_line_id=line.service_line_id,
                    name=line.name,
                    state=line.state,
                    relevant=line.relevant,
                    introduced_at=line.introduced_at,
                    engaged_at=line.engaged_at,
                    bought_at=line.bought_at,
                )
                for line in found_awareness.lines
            ],
        )
    )


@api_route(
    "POST", "/accounts", summary=N_("Create an account"), tag="accounts", scope="write",
    roles=ACCOUNT_WORKERS, body=AccountCreateRequest, response=AccountPublic, status=201,
)  # fmt: skip
def create_account() -> tuple[Response, int]:
    """Create an account at its starting stage (a prospect unless said otherwise)."""
    data = parse_body(AccountCreateRequest)
    account = call_service(
        lambda: accounts.create_account(db_session(), data, by=acting_user(), now=utcnow())
    )
    location = url_for(".get_account", account_id=account.id)
    return one(account_public(account, private=True), 201, location)


@api_route(
    "PATCH", "/accounts/<id:account_id>", summary=N_("Change an account"), tag="accounts",
    scope="write", roles=ACCOUNT_WORKERS, body=AccountUpdateRequest, response=AccountPublic,
)  # fmt: skip
def update_account(account_id: int) -> tuple[Response, int]:
    """Change an account's details; only its owner, its team or an administrator may. The
    stage is not changed here: a move needs a reason and follows the journey rules."""
    found(lambda: journey.get_account(db_session(), account_id))
    data = parse_body(AccountUpdateRequest)
    account = call_service(
        lambda: accounts.update_account(
            db_session(), account_id, data, by=acting_user(), now=utcnow()
        )
    )
    return one(account_public(account, private=True))
