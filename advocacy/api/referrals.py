"""/api/v1/referrals: the referral pipeline, for the firm's CRM. As on the pages, account managers
and administrators read it; only the referral's owner or an administrator moves it along."""

from __future__ import annotations

from flask import Response

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
    ReferralList,
    ReferralPublic,
    ReferralQuery,
    ReferralUpdateRequest,
)
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import ACCOUNT_WORKERS
from advocacy.domain.referrals import ReferralStatus
from advocacy.domain.text import N_
from advocacy.models import Referral
from advocacy.repository import get_row
from advocacy.repository.read_models import api_lists
from advocacy.services.voice import referrals


def referral_public(row: Referral) -> ReferralPublic:
    return ReferralPublic.model_validate(row, from_attributes=True)


@api_route(
    "GET", "/referrals", summary=N_("List referrals"), tag="referrals", roles=ACCOUNT_WORKERS,
    query=ReferralQuery, response=ReferralList,
)  # fmt: skip
def list_referrals() -> tuple[Response, int]:
    """Referrals ordered by id, filtered by status or owner."""
    query = parse_query(ReferralQuery)
    rows, more = api_lists.list_referrals(
        db_session(),
        api_lists.Window(query.limit, query.after_id, query.offset),
        status=query.status,
        owner_id=query.owner_id,
    )
    items = [referral_public(row) for row in rows]
    return page(ReferralList, items, more, query, rows[-1].id if rows else None)


@api_route(
    "GET", "/referrals/<id:referral_id>", summary=N_("Read a referral"), tag="referrals",
    roles=ACCOUNT_WORKERS, response=ReferralPublic,
)  # fmt: skip
def get_referral(referral_id: int) -> tuple[Response, int]:
    """One referral."""
    return one(referral_public(found(lambda: get_row(db_session(), Referral, referral_id))))


@api_route(
    "PATCH", "/referrals/<id:referral_id>", summary=N_("Change a referral's status"),
    tag="referrals", scope="write", roles=ACCOUNT_WORKERS, body=ReferralUpdateRequest,
    response=ReferralPublic,
)  # fmt: skip
def update_referral(referral_id: int) -> tuple[Response, int]:
    """Move a referral along its pipeline (received, contacted, meeting, won, lost; a lost one
    needs `lost_reason`). Only its owner or an administrator may."""
    found(lambda: get_row(db_session(), Referral, referral_id))
    data = parse_body(ReferralUpdateRequest)
    row = call_service(
        lambda: referrals.change_referral_status(
            db_session(),
            referral_id,
            ReferralStatus(data.status),
            lost_reason=data.lost_reason,
            by=acting_user(),
            now=utcnow(),
        )
    )
    return one(referral_public(row))
