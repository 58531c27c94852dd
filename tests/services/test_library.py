"""The library and its collections on a real database: words and every filter narrow the search,
what is shown follows the one consent policy, a withdrawal through the client's manage link
takes a quote out of the results and the exports at once, an expired permission counts as never
given, and a collection flags quotes whose terms changed since they were added."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session

from advocacy.domain.disclosure import Naming
from advocacy.domain.errors import NotAllowed, RuleError
from advocacy.domain.library import PAGE_SIZE, ItemState, LibraryQuery, PermissionFilter
from advocacy.domain.references import Cap
from advocacy.domain.testimonials import Use
from advocacy.models import ReferenceCall, ReferenceRequest
from advocacy.services.library import collections, search
from advocacy.services.voice import testimonial_consent, testimonials
from advocacy.services.voice.testimonial_consent import Choices
from tests.conftest import NOW
from tests.factories import (
    make_account,
    make_mail_contact,
    make_service_line,
    make_testimonial,
    make_testimonial_link,
    make_user,
)

TODAY = NOW.date()
NEXT_YEAR = date(2027, 11, 23)
WORDING = {use: f"shown: {use.value}" for use in Use}
LABELS = {"named": "Named", "anonymised": "Anonymised", "yes": "yes", "no": "no"}


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


def quote(session: Session, contact: Any = None, **fields: Any) -> Any:
    """An approved quote (named public by default) by `contact` or a new contact."""
    fields.setdefault("status", "approved")
    fields.setdefault("approved_at", NOW)
    fields.setdefault("uses", {"named_public": None})
    fields.setdefault("display_title", "CFO")
    fields.setdefault("display_company", "Acme Industrial")
    return make_testimonial(session, contact or make_mail_contact(session), **fields)


def found_ids(session: Session, **query: Any) -> list[int]:
    result = search.search_library(session, LibraryQuery(**query), today=TODAY)
    return [f.testimonial.id for f in result.found]


def test_words_are_found_in_the_quote_the_tags_the_company_the_role_and_service_lines(
    ctx: Flask, session: Session
) -> None:
    marketer = make_user(session, role="marketing")
    line = make_service_line(session, "Procurement Advisory")
    by_body = quote(session, body="Our costs fell by 12%.")
    by_outcome = quote(session, body="Great.", outcomes="cost reduction")
    by_role = quote(session, body="Fine.", display_title="Head of Costing")
    by_company = quote(session, body="Good.", display_company="Costa Logistics")
    tagged = quote(session, body="Nice.")
    testimonials.set_tags(
        session,
        tagged.id,
        service_line_ids={line.id},
        industry="",
        outcomes="",
        by=marketer,
        now=NOW,
    )
    quote(session, body="Nothing to see.", display_company="Acme")
    assert sorted(found_ids(session, text="COST")) == sorted(
        [by_body.id, by_outcome.id, by_role.id, by_company.id]
    )
    assert found_ids(session, text="procurement") == [tagged.id]
    assert found_ids(session, text="costs 12%") == [by_body.id]  # every word must be found
    assert found_ids(session, text="%") == [by_body.id]  # a wildcard typed is a character


def test_words_with_accents_are_found_whatever_their_case(ctx: Flask, session: Session) -> None:
    zurich = quote(session, body="Notre équipe à ZÜRICH a gagné six semaines.")
    societe = quote(session, body="Merci.", display_company="SOCIÉTÉ GÉNÉRALE DES EAUX")
    quote(session, body="Zurich, without the umlaut, is another spelling.")
    assert found_ids(session, text="zürich") == [zurich.id]
    assert found_ids(session, text="Zürich ÉQUIPE") == [zurich.id]
    assert found_ids(session, text="société") == [societe.id]
    assert found_ids(session, text="GÉNÉRALE eaux") == [societe.id]


def test_each_filter_narrows_the_search(ctx: Flask, session: Session) -> None:
    marketer = make_user(session, role="marketing")
    line = make_service_line(session, "Data & AI")
    big_fr = make_account(
        session, name="Big FR", industry="Banking", size_band="5000+", country="FR", stage="active"
    )
    small_de = make_account(session, name="Small DE", size_band="11-50", country="DE")
    french = make_mail_contact(session, big_fr, language="fr")
    english = make_mail_contact(session, small_de, language="en")
    a = quote(session, french, industry="Banking", rating=5, approved_at=NOW - timedelta(days=400))
    b = quote(session, english, industry="Retail", rating=3, uses={"anonymised_public": None})
    testimonials.set_tags(
        session,
        a.id,
        service_line_ids={line.id},
        industry="Banking",
        outcomes="",
        by=marketer,
        now=NOW,
    )
    assert found_ids(session, service_line_id=line.id) == [a.id]
    assert found_ids(session, industry="Retail") == [b.id]
    assert found_ids(session, size_band="5000+") == [a.id]
    assert found_ids(session, country="DE") == [b.id]
    assert found_ids(session, language="fr") == [a.id]
    assert found_ids(session, min_rating=4) == [a.id]
    assert found_ids(session, approved_since=TODAY - timedelta(days=30)) == [b.id]
    assert found_ids(session, stage="active") == [a.id]
    assert found_ids(session, stage="prospect") == [b.id]
    assert found_ids(session, permission=PermissionFilter.NAMED) == [a.id]
    assert found_ids(session, permission=PermissionFilter.ANONYMISED) == [b.id]
    assert found_ids(session, industry="Banking", country="DE") == []


def test_each_permission_filter_follows_the_policy(ctx: Flask, session: Session) -> None:
    named_logo = quote(session, uses={"named_public": None, "logo": None})
    anonymised_logo = quote(session, uses={"anonymised_public": None, "logo": None})
    internal = quote(session, uses={"internal": None, "case_study": None})
    reference = quote(session, uses={"internal": None, "reference_calls": None})
    expected = {
        PermissionFilter.NAMED: [named_logo.id],
        PermissionFilter.ANONYMISED: [anonymised_logo.id],
        PermissionFilter.INTERNAL_ONLY: [reference.id, internal.id],
        # A logo names the company: never beside an anonymised quote.
        PermissionFilter.LOGO: [named_logo.id],
        PermissionFilter.CASE_STUDY: [internal.id],
        PermissionFilter.REFERENCE_CALLS: [reference.id],
    }
    for wanted, ids in expected.items():
        assert found_ids(session, permission=wanted) == ids, wanted


def test_results_show_what_may_go_outside_and_the_attribution_per_permission(
    ctx: Flask, session: Session
) -> None:
    named = quote(session, display_name="Ann Client", uses={"named_public": None, "logo": None})
    anonymised = quote(
        session, display_name="Bob Secret", industry="Energy", uses={"anonymised_public": None}
    )
    internal = quote(session, display_name="Cy Inside", uses={"internal": None})
    result = search.search_library(session, LibraryQuery(), today=TODAY)
    by_id = {f.testimonial.id: f for f in result.found}
    assert by_id[named.id].export_attribution == "Ann Client, CFO, Acme Industrial"
    assert by_id[named.id].export.logo and by_id[named.id].outside.value == "named"
    assert by_id[anonymised.id].export_attribution == "CFO, Energy"
    assert by_id[anonymised.id].staff_attribution.startswith("Bob Secret")  # staff know the client
    assert by_id[internal.id].outside.value == "internal_only"
    assert not by_id[internal.id].export.shown


def test_drafts_withdrawn_and_expired_quotes_are_never_found(ctx: Flask, session: Session) -> None:
    kept = quote(session)
    quote(session, status="submitted", approved_at=None)
    quote(session, status="withdrawn")
    quote(session, uses={"named_public": TODAY - timedelta(days=1)})  # its last day has passed
    assert found_ids(session) == [kept.id]


def test_the_last_day_of_a_permission_still_counts_and_the_next_day_it_is_gone(
    ctx: Flask, session: Session
) -> None:
    ending = quote(session, uses={"named_public": TODAY})
    assert found_ids(session) == [ending.id]
    later = search.search_library(session, LibraryQuery(), today=TODAY + timedelta(days=1))
    assert later.found == [] and later.total == 0


def test_a_withdrawal_through_the_manage_link_leaves_results_and_exports_at_once(
    ctx: Flask, session: Session
) -> None:
    marketer = make_user(session, role="marketing")
    contact = make_mail_contact(session)
    withdrawn = quote(session, contact, body="They listened.")
    kept = quote(session, body="They delivered.")
    deck = collections.create_collection(session, "Deck", "", by=marketer, now=NOW)
    for testimonial in (withdrawn, kept):
        collections.add_to_collection(session, deck.id, testimonial.id, by=marketer, now=NOW)
    token = make_testimonial_link(session, contact, purpose="manage")
    testimonial_consent.change_permissions(
        session, token, withdrawn.id, Choices({}, WORDING), now=NOW
    )

    assert found_ids(session, text="listened") == []
    opened = collections.open_collection(session, deck.id, today=TODAY)
    assert [q.state for q in opened.quotes] == [ItemState.NO_LONGER_ALLOWED, ItemState.ALLOWED]
    rows = list(collections.export_rows(opened, anonymous="a client", labels=LABELS))
    assert [row[1] for row in rows[1:]] == ["They delivered."]


def test_a_collection_flags_a_quote_whose_terms_changed_since_it_was_added(
    ctx: Flask, session: Session
) -> None:
    marketer = make_user(session, role="marketing")
    contact = make_mail_contact(session)
    testimonial = quote(
        session, contact, display_name="Ann", uses={"named_public": None, "anonymised_public": None}
    )
    deck = collections.create_collection(session, "Proposal", "", by=marketer, now=NOW)
    item = collections.add_to_collection(session, deck.id, testimonial.id, by=marketer, now=NOW)
    assert item.naming_at_add == Naming.NAMED.value
    token = make_testimonial_link(session, contact, purpose="manage")
    testimonial_consent.change_permissions(
        session, token, testimonial.id, Choices({Use.ANONYMISED_PUBLIC: None}, WORDING), now=NOW
    )
    opened = collections.open_collection(session, deck.id, today=TODAY)
    [changed] = opened.quotes
    assert changed.state is ItemState.CHANGED
    assert changed.attribution == "CFO"  # exported under today's terms: no name any more
    _header, row = list(collections.export_rows(opened, anonymous="a client", labels=LABELS))
    assert row[2] == "CFO" and row[3] == "Anonymised"
    collections.keep_under_new_terms(session, deck.id, item.id, by=marketer, now=NOW)
    assert collections.open_collection(session, deck.id, today=TODAY).quotes[0].state is (
        ItemState.ALLOWED
    )


def test_an_expired_permission_counts_as_no_longer_allowed_in_a_collection(
    ctx: Flask, session: Session
) -> None:
    marketer = make_user(session, role="marketing")
    testimonial = quote(session, uses={"named_public": TODAY + timedelta(days=5)})
    deck = collections.create_collection(session, "Web page", "", by=marketer, now=NOW)
    collections.add_to_collection(session, deck.id, testimonial.id, by=marketer, now=NOW)
    later = collections.open_collection(session, deck.id, today=TODAY + timedelta(days=6))
    assert later.quotes[0].state is ItemState.NO_LONGER_ALLOWED and later.exported == []


def test_only_quotes_that_may_leave_the_firm_go_into_a_collection_once(
    ctx: Flask, session: Session
) -> None:
    marketer = make_user(session, role="marketing")
    deck = collections.create_collection(session, "Deck", "", by=marketer, now=NOW)
    internal = quote(session, uses={"internal": None})
    with pytest.raises(RuleError):
        collections.add_to_collection(session, deck.id, internal.id, by=marketer, now=NOW)
    session.rollback()
    public = quote(session)
    collections.add_to_collection(session, deck.id, public.id, by=marketer, now=NOW)
    with pytest.raises(RuleError):
        collections.add_to_collection(session, deck.id, public.id, by=marketer, now=NOW)


def test_collections_are_marketings_and_need_a_name(ctx: Flask, session: Session) -> None:
    with pytest.raises(NotAllowed):
        collections.create_collection(
            session, "Deck", "", by=make_user(session, role="account_manager"), now=NOW
        )
    with pytest.raises(RuleError):
        collections.create_collection(
            session, "   ", "", by=make_user(session, role="marketing"), now=NOW
        )


def test_items_move_up_and_down_and_removal_keeps_the_order(ctx: Flask, session: Session) -> None:
    marketer = make_user(session, role="marketing")
    deck = collections.create_collection(session, "Deck", "", by=marketer, now=NOW)
    items = [
        collections.add_to_collection(
            session, deck.id, quote(session, body=b).id, by=marketer, now=NOW
        )
        for b in ("one", "two", "three")
    ]

    def order() -> list[str]:
        opened = collections.open_collection(session, deck.id, today=TODAY)
        return [q.testimonial.body for q in opened.quotes]

    collections.move_in_collection(session, deck.id, items[2].id, up=True, by=marketer, now=NOW)
    assert order() == ["one", "three", "two"]
    collections.move_in_collection(session, deck.id, items[0].id, up=True, by=marketer, now=NOW)
    assert order() == ["one", "three", "two"]
    collections.remove_from_collection(session, deck.id, items[2].id, by=marketer, now=NOW)
    assert order() == ["one", "two"]


def test_exported_cells_that_look_like_formulas_are_neutralised(
    ctx: Flask, session: Session
) -> None:
    marketer = make_user(session, role="marketing")
    hostile = quote(session, body='=HYPERLINK("http://evil.example")', display_name="@Ann")
    deck = collections.create_collection(session, "Deck", "", by=marketer, now=NOW)
    collections.add_to_collection(session, deck.id, hostile.id, by=marketer, now=NOW)
    opened = collections.open_collection(session, deck.id, today=TODAY)
    _header, row = list(collections.export_rows(opened, anonymous="a client", labels=LABELS))
    assert row[1].startswith("'=") and row[2].startswith("'@")


def test_results_come_in_pages_newest_first(ctx: Flask, session: Session) -> None:
    contact = make_mail_contact(session)
    made = [quote(session, contact, body=f"quote {n}").id for n in range(PAGE_SIZE + 3)]
    first = search.search_library(session, LibraryQuery(), today=TODAY)
    second = search.search_library(session, LibraryQuery(page=2), today=TODAY)
    assert first.total == PAGE_SIZE + 3 and first.pages == 2
    assert [f.testimonial.id for f in first.found] == made[::-1][:PAGE_SIZE]
    assert [f.testimonial.id for f in second.found] == made[::-1][PAGE_SIZE:]


def test_case_studies_logos_and_reference_ready_contacts_follow_the_policy(
    ctx: Flask, session: Session
) -> None:
    case = quote(session, uses={"internal": None, "case_study": None})
    logo = quote(session, uses={"named_public": None, "logo": None}, logo_path="logo.png")
    quote(session, uses={"anonymised_public": None, "logo": None}, logo_path="hidden.png")
    busy_contact = make_mail_contact(session)
    busy = quote(session, busy_contact, uses={"reference_calls": None})
    free = quote(session, uses={"reference_calls": None})
    assert [f.testimonial.id for f in search.case_study_candidates(session, today=TODAY)] == [
        case.id
    ]
    assert [f.testimonial.id for f in search.logos_allowed(session, today=TODAY)] == [logo.id]
    asker = make_user(session)
    request = ReferenceRequest(
        requested_by_id=asker.id, prospect_name="Prospect", created_at=NOW, updated_at=NOW
    )
    session.add(request)
    session.flush()
    for days in (3, 10):
        session.add(
            ReferenceCall(
                request_id=request.id,
                contact_id=busy_contact.id,
                status="held",
                asked_at=NOW - timedelta(days=days),
            )
        )
    session.commit()
    ready = search.reference_ready(session, Cap(max_calls=2, days=91), now=NOW)
    assert [(r.found.testimonial.id, r.calls, r.available) for r in ready] == [
        (free.id, 0, True),
        (busy.id, 2, False),
    ]
