"""/api/v1/testimonials and /api/v1/references: the advocacy library, as the token may show it.

The token's scope decides the audience given to the consent policy: a `publish` token (the
firm's website or CMS) gets only published, publicly allowed quotes attributed as the client
allowed; a read or write token (the firm's own tools) gets what staff see. Answers carry a strong
ETag, so a CMS polling every minute downloads a body only when something changed.
"""

from __future__ import annotations

from flask import Response, current_app

from advocacy.api.routes import api_route, conditional, found, one, page, parse_query
from advocacy.api.showcase_schemas import (
    IndustryCount,
    LanguageCount,
    ReferenceAvailabilityPublic,
    ReferencePerson,
    ReferenceQuery,
    ServiceLineCount,
    TestimonialList,
    TestimonialPublic,
    TestimonialQuery,
)
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.disclosure import INTERNAL_AUDIENCES, Audience
from advocacy.domain.text import N_
from advocacy.http.security import current_bearer
from advocacy.repository.showcase import TestimonialSearch
from advocacy.services.library import showcase
from advocacy.services.library.showcase import ShownTestimonial


def _audience() -> Audience:
    bearer = current_bearer()
    assert bearer is not None, "the access policy lets no anonymous request reach an API view"
    return bearer.audience


def testimonial_public(shown: ShownTestimonial, audience: Audience) -> TestimonialPublic:
    row, disclosure = shown.testimonial, shown.disclosure
    internal = audience in INTERNAL_AUDIENCES
    assert row.id is not None
    return TestimonialPublic(
        id=row.id,
        status=row.status,
        body=row.body,
        body_html=row.body_html,
        rating=row.rating,
        naming=disclosure.naming,
        attribution=shown.attribution,
        author_name=shown.author.name,
        author_title=shown.author.title,
        author_company=shown.author.company,
        industry=row.industry,
        language=shown.language,
        outcomes=shown.outcomes,
        service_line_ids=shown.service_line_ids,
        logo=disclosure.logo,
        case_study=disclosure.case_study,
        reference_contact=disclosure.reference_contact,
        published_at=row.published_at,
        updated_at=row.updated_at,
        account_id=row.account_id if internal else None,
        contact_id=row.contact_id if internal else None,
    )


@api_route(
    "GET", "/testimonials", summary=N_("List testimonials the token may show"), tag="library",
    scope="publish", query=TestimonialQuery, response=TestimonialList, etag=True,
)  # fmt: skip
def list_testimonials() -> Response:
    """Testimonials ordered by id, filtered by service line, industry, size band, country,
    language, permission, rating, change time, outcome tag or text. A publish token sees only
    published quotes the client allowed in public; read tokens see what staff see."""
    query = parse_query(TestimonialQuery)
    audience = _audience()
    search = TestimonialSearch(
        service_line_id=query.service_line_id,
        industry=query.industry or "",
        size_band=query.size_band or "",
        country=query.country or "",
        language=query.language or "",
        min_rating=query.min_rating,
        since=query.since,
        outcome=query.tag or "",
        text=query.q or "",
    )
    rows, more = showcase.show_testimonials(
        db_session(),
        audience,
        search,
        today=utcnow().date(),
        limit=query.limit,
        after_id=query.after_id,
        permission=query.permission,
    )
    items = [testimonial_public(row, audience) for row in rows]
    last_id = rows[-1].testimonial.id if rows else None
    return conditional(page(TestimonialList, items, more, query, last_id))


@api_route(
    "GET", "/testimonials/<id:testimonial_id>", summary=N_("Read a testimonial"), tag="library",
    scope="publish", response=TestimonialPublic, etag=True,
)  # fmt: skip
def get_testimonial(testimonial_id: int) -> Response:
    """One testimonial, if the token may show it (404 otherwise, withdrawn ones included)."""
    audience = _audience()
    shown = found(
        lambda: showcase.show_testimonial(
            db_session(), audience, testimonial_id, today=utcnow().date()
        )
    )
    return conditional(one(testimonial_public(shown, audience)))


@api_route(
    "GET", "/references", summary=N_("Clients ready for a reference call"), tag="library",
    scope="publish", query=ReferenceQuery, response=ReferenceAvailabilityPublic, etag=True,
)  # fmt: skip
def reference_availability() -> Response:
    """How many clients are ready to speak with a prospect, by industry, service line and
    language; read tokens also get who they are (named as on their testimonial, never their
    e-mail address or phone number)."""
    query = parse_query(ReferenceQuery)
    found_now = showcase.reference_availability(
        db_session(),
        current_app.config["ADVOCACY"],
        _audience(),
        now=utcnow(),
        industry=query.industry or "",
        service_line_id=query.service_line_id,
        language=query.language or "",
    )
    names = found_now.service_line_names
    body = ReferenceAvailabilityPublic(
        total=found_now.total,
        by_industry=[IndustryCount(industry=k, count=n) for k, n in found_now.by_industry.items()],
        by_service_line=[
            ServiceLineCount(service_line_id=k, name=names.get(k, ""), count=n)
            for k, n in found_now.by_service_line.items()
        ],
        by_language=[LanguageCount(language=k, count=n) for k, n in found_now.by_language.items()],
        people=[
            ReferencePerson(
                contact_id=p.contact_id,
                name=p.name,
                title=p.title,
                company=p.company,
                industry=p.industry,
                language=p.language,
                service_line_ids=p.service_line_ids,
            )
            for p in found_now.people
        ],
    )
    return conditional(one(body))
