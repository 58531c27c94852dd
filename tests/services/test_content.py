"""The content library on a real database: marketing adds, changes, archives and restores items;
a refused change leaves nothing behind; the list filters as the page and the API ask; and what
nurture may offer is read in two queries whatever the library's size."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from advocacy.domain.content import Reader, is_available_to
from advocacy.domain.errors import NotAllowed, NotFound, RuleError
from advocacy.models import (
    ContentItem,
    ContentItemCreate,
    ContentItemIndustry,
    ContentItemServiceLine,
    ContentItemStage,
    ContentItemUpdate,
    User,
)
from advocacy.repository import content
from advocacy.repository.content import ContentFilter
from advocacy.services.content import items
from tests.conftest import NOW, count_queries
from tests.factories import make_service_line, make_user

TODAY = NOW.date()


@pytest.fixture
def marketer(session: Session) -> User:
    return make_user(session, role="marketing", password=None)


def new_item(session: Session, by: User, line_ids: list[int], **fields: Any) -> ContentItem:
    data = ContentItemCreate.model_validate(
        {
            "kind": "article",
            "title": fields.pop("title", "Transfer pricing after the reform"),
            "url": "https://insights.firm.example/tp",
            "service_line_ids": line_ids,
            **fields,
        }
    )
    return items.create_item(session, data, by=by, now=NOW)


def counts(session: Session) -> list[int]:
    return [
        session.exec(select(func.count()).select_from(model)).one()
        for model in (ContentItem, ContentItemServiceLine, ContentItemIndustry, ContentItemStage)
    ]


def test_marketing_adds_an_item_with_its_lines_industries_and_stages(
    session: Session, marketer: User
) -> None:
    tax, tp = make_service_line(session, "Tax"), make_service_line(session, "Transfer pricing")
    item = new_item(
        session,
        marketer,
        [tp.id, tax.id],
        language="fr",
        industries=["Logistics", " logistics", "Retail"],
        stages=["between", "former", "between"],
        valid_from="2026-11-01",
        valid_until="2027-03-31",
    )
    assert item.id and item.kind == "article" and item.language == "fr" and not item.archived
    assert item.created_by_id == item.updated_by_id == marketer.id
    assert item.created_at == item.updated_at == NOW
    links = content.links_of(session, [item.id])[item.id]
    assert sorted(links.service_line_ids) == sorted([tp.id, tax.id])
    assert links.industries == ["Logistics", "Retail"] and links.stages == ["between", "former"]


def test_an_account_manager_may_not_keep_the_library(session: Session) -> None:
    line = make_service_line(session, "Tax")
    manager = make_user(session, role="account_manager", password=None)
    with pytest.raises(NotAllowed):
        new_item(session, manager, [line.id])
    assert counts(session) == [0, 0, 0, 0]


def test_an_unknown_service_line_is_refused_and_nothing_is_written(
    session: Session, marketer: User
) -> None:
    line = make_service_line(session, "Tax")
    with pytest.raises(RuleError, match="Unknown service line"):
        new_item(session, marketer, [line.id, line.id + 100])
    session.rollback()
    assert counts(session) == [0, 0, 0, 0]


@pytest.mark.parametrize(
    "bad",
    [
        {"url": "javascript:alert(1)"},
        {"url": "ftp://files.example/a"},
        {"service_line_ids": []},
        {"title": "  "},
        {"valid_from": "2026-12-01", "valid_until": "2026-11-30"},
        {"kind": "podcast"},
        {"language": "de"},
        {"stages": ["someday"]},
    ],
)
def test_bad_input_is_refused_by_the_schema(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ContentItemCreate.model_validate(
            {"kind": "article", "title": "T", "url": "https://a.example", "service_line_ids": [1]}
            | bad
        )


def test_an_update_changes_only_what_is_given_and_records_who_and_when(
    session: Session, marketer: User
) -> None:
    tax, esg = make_service_line(session, "Tax"), make_service_line(session, "ESG")
    item = new_item(session, marketer, [tax.id], industries=["Banking"], summary="Old")
    other = make_user(session, role="admin", password=None)
    later = NOW + timedelta(hours=2)
    data = ContentItemUpdate.model_validate({"title": "New title", "service_line_ids": [esg.id]})
    items.update_item(session, item.id or 0, data, by=other, now=later)
    session.expire_all()
    stored = session.get(ContentItem, item.id)
    assert stored is not None
    assert (stored.title, stored.summary, stored.url) == (
        "New title",
        "Old",
        "https://insights.firm.example/tp",
    )
    assert stored.updated_by_id == other.id and stored.created_by_id == marketer.id
    assert stored.updated_at == later and stored.created_at == NOW
    links = content.links_of(session, [item.id or 0])[item.id or 0]
    assert links.service_line_ids == [esg.id] and links.industries == ["Banking"]


def test_an_update_that_breaks_the_window_changes_nothing(session: Session, marketer: User) -> None:
    line = make_service_line(session, "Tax")
    item = new_item(session, marketer, [line.id], valid_from="2026-11-01", title="Kept")
    data = ContentItemUpdate.model_validate({"title": "Lost", "valid_until": "2026-10-01"})
    with pytest.raises(ValidationError):
        items.update_item(session, item.id or 0, data, by=marketer, now=NOW)
    session.rollback()
    session.expire_all()
    stored = session.get(ContentItem, item.id)
    assert stored is not None and stored.title == "Kept" and stored.valid_until is None


def test_archiving_takes_an_item_out_of_use_and_restoring_brings_it_back(
    session: Session, marketer: User
) -> None:
    line = make_service_line(session, "Tax")
    item = new_item(session, marketer, [line.id])
    assert items.archive_item(session, item.id or 0, by=marketer, now=NOW).archived
    with pytest.raises(RuleError, match="archived already"):
        items.archive_item(session, item.id or 0, by=marketer, now=NOW)
    assert content.available_content(session, NOW) == {}
    assert not items.restore_item(session, item.id or 0, by=marketer, now=NOW).archived
    assert list(content.available_content(session, NOW)) == [(line.id, "en")]
    with pytest.raises(NotFound):
        items.archive_item(session, 999_999, by=marketer, now=NOW)


def test_the_list_filters_by_every_field_and_pages(session: Session, marketer: User) -> None:
    tax, esg = make_service_line(session, "Tax"), make_service_line(session, "ESG")
    a = new_item(session, marketer, [tax.id], title="Pillar two", industries=["Banking"])
    b = new_item(session, marketer, [esg.id], title="CSRD in practice", kind="webinar")
    c = new_item(session, marketer, [tax.id, esg.id], title="Green tax", language="fr")
    d = new_item(session, marketer, [tax.id], title="Old note", valid_until="2026-01-31")
    e = new_item(session, marketer, [esg.id], title="For boards", stages=["active"])
    f = new_item(session, marketer, [esg.id], title="Archived one")
    items.archive_item(session, f.id or 0, by=marketer, now=NOW)

    def ids(**wanted: Any) -> set[int | None]:
        found = content.list_content(session, ContentFilter(**wanted), page=1, size=50)
        return {row.item.id for row in found.rows}

    assert ids() == {a.id, b.id, c.id, d.id, e.id}
    assert ids(service_line_id=tax.id) == {a.id, c.id, d.id}
    assert ids(kind="webinar") == {b.id}
    assert ids(language="fr") == {c.id}
    assert ids(industry="banking") == {a.id, b.id, c.id, d.id, e.id}
    assert ids(industry="Media") == {b.id, c.id, d.id, e.id}
    assert ids(stage="between") == {a.id, b.id, c.id, d.id}
    assert ids(valid_on=TODAY) == {a.id, b.id, c.id, e.id}
    assert ids(text="TAX") == {c.id}
    assert ids(text="%") == set()
    assert ids(archived=True) == {f.id}
    assert len(ids(archived=None)) == 6
    page = content.list_content(session, ContentFilter(), page=2, size=2)
    assert (page.total, page.pager.page, page.pager.pages, len(page.rows)) == (5, 2, 3, 2)


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    with count_queries(engine) as seen:
        yield seen


def test_what_may_be_offered_now_is_read_in_two_queries_grouped_by_line_and_language(
    session: Session, marketer: User, statements: list[str]
) -> None:
    lines = [make_service_line(session, f"Line {n}") for n in range(4)]
    for n in range(40):
        new_item(
            session,
            marketer,
            [lines[n % 4].id, lines[(n + 1) % 4].id],
            language="fr" if n % 3 == 0 else "en",
            industries=["Banking"] if n % 2 else [],
            stages=["between"] if n % 5 == 0 else [],
            valid_until=(TODAY - timedelta(days=1)).isoformat() if n % 7 == 0 else None,
        )
    session.expire_all()
    statements.clear()
    offered = content.available_content(session, NOW)
    assert len(statements) == 2
    expired = {n for n in range(40) if n % 7 == 0}
    assert sum(len(found) for found in offered.values()) == 2 * (40 - len(expired))
    assert {language for _line, language in offered} == {"en", "fr"}
    fr_banking_between = Reader(language="fr", industry="BANKING", stage="between")
    for (_line, language), found in offered.items():
        for item in found:
            assert item.language == language
            if item.industries:
                assert item.industries == frozenset({"banking"})
            assert is_available_to(item, fr_banking_between, NOW) == (language == "fr")


def test_a_page_of_the_list_costs_the_same_few_queries_whatever_the_library_holds(
    session: Session, marketer: User, statements: list[str]
) -> None:
    lines = [make_service_line(session, f"Line {n}") for n in range(3)]

    def queries_for_a_page() -> int:
        session.expire_all()
        statements.clear()
        page = content.list_content(session, ContentFilter(industry="Banking"), page=1, size=25)
        assert page.rows
        return len(statements)

    new_item(session, marketer, [lines[0].id], industries=["Banking"], stages=["active"])
    few = queries_for_a_page()
    for n in range(30):
        new_item(session, marketer, [line.id for line in lines[: 1 + n % 3]], stages=["former"])
    assert queries_for_a_page() == few == 4
