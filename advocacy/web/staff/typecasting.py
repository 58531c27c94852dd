"""The typecasting matrix: accounts by service line, where the firm is known for one thing only."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, current_app, render_template, request

from advocacy.db import db_session
from advocacy.http.security import signed_in
from advocacy.repository.read_models import accounts, typecasting
from advocacy.web.forms.journey import account_filter

bp = Blueprint("typecasting", __name__)

_FILTER_ARGS = ("owner", "industry", "stage")


@bp.get("/typecasting")
@signed_in
def index() -> str:
    session = db_session()
    # The matrix narrows by owner, industry and stage only; the other list filters do not apply.
    wanted = replace(account_filter(request.args), service_line_id=None, camp=None, search="")
    matrix = typecasting.typecasting_matrix(
        session, wanted, threshold=current_app.config["ADVOCACY"].typecasting_relevance_threshold
    )
    return render_template(
        "typecasting/index.html",
        matrix=matrix,
        wanted=wanted,
        current={k: v for k, v in request.args.items() if k in _FILTER_ARGS and v},
        owners=accounts.possible_owners(session),
        industries=accounts.industries(session),
    )
