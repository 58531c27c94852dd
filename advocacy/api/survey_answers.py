"""/api/v1/survey-answers: clients' NPS and CSAT answers, for reporting tools. Read-only: an
answer is the client's word, given through their own link."""

from __future__ import annotations

from flask import Response

from advocacy.api.routes import api_route, page, parse_query
from advocacy.api.showcase_schemas import SurveyAnswerList, SurveyAnswerPublic, SurveyAnswerQuery
from advocacy.db import db_session
from advocacy.domain.text import N_
from advocacy.models import Survey
from advocacy.repository.read_models import api_lists


def answer_public(row: Survey) -> SurveyAnswerPublic:
    return SurveyAnswerPublic.model_validate(row, from_attributes=True)


@api_route(
    "GET", "/survey-answers", summary=N_("List survey answers"), tag="survey-answers",
    query=SurveyAnswerQuery, response=SurveyAnswerList,
)  # fmt: skip
def list_survey_answers() -> tuple[Response, int]:
    """Answered surveys ordered by id, filtered by account, contact, kind or answer time."""
    query = parse_query(SurveyAnswerQuery)
    rows, more = api_lists.list_survey_answers(
        db_session(),
        api_lists.Window(query.limit, query.after_id, query.offset),
        account_id=query.account_id,
        contact_id=query.contact_id,
        kind=query.kind,
        since=query.since,
    )
    items = [answer_public(row) for row in rows]
    return page(SurveyAnswerList, items, more, query, rows[-1].id if rows else None)
