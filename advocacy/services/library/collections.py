"""Collections of quotes for a proposal or a deck: create, add from the library, remove, reorder,
and open or export them with consent checked again each time.

A collection leaves the firm, so it is judged for the EXPORT audience: a quote that may not go
outside cannot be added; one whose client has since taken that back is shown as no longer allowed
and left out of every export; one whose terms changed since it was added is flagged.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from advocacy.domain import library as rules
from advocacy.domain.access import MARKETERS
from advocacy.domain.csv_import import neutralise_cell
from advocacy.domain.disclosure import Audience, Disclosure, attribution
from advocacy.domain.errors import NotAllowed, RuleError
from advocacy.domain.identity import Role
from advocacy.domain.library import ItemState, StoredDisclosure
from advocacy.domain.testimonials import plain_quote
from advocacy.domain.text import N_
from advocacy.models import Collection, CollectionItem, Testimonial, User
from advocacy.repository import get_row
from advocacy.repository.disclosure import disclosures
from advocacy.repository.library import item_count, item_in, items_of, next_position
from advocacy.services.library.search import author_of


def _check_marketing(user: User) -> None:
    if Role(user.role) not in MARKETERS:
        raise NotAllowed(N_("Only marketing or an administrator may do this."))


def _texts(name: str, purpose: str) -> tuple[str, str]:
    name, purpose = " ".join(name.split()), purpose.strip()
    if not name:
        raise RuleError(N_("Give the collection a name."))
    if len(name) > rules.MAX_NAME_LENGTH:
        raise RuleError(
            N_("The name is too long (%(n)d characters at most)."), n=rules.MAX_NAME_LENGTH
        )
    if len(purpose) > rules.MAX_PURPOSE_LENGTH:
        raise RuleError(
            N_("The purpose is too long (%(n)d characters at most)."), n=rules.MAX_PURPOSE_LENGTH
        )
    return name, purpose


def create_collection(
    session: Session, name: str, purpose: str, *, by: User, now: datetime
) -> Collection:
    """Start a collection for a proposal, a page or a deck."""
    _check_marketing(by)
    name, purpose = _texts(name, purpose)
    collection = Collection(
        name=name, purpose=purpose, created_by_id=by.id, created_at=now, updated_at=now
    )
    session.add(collection)
    session.commit()
    return collection


def _export_disclosure(session: Session, testimonial: Testimonial, today: date) -> Disclosure:
    found = disclosures(session, [testimonial], Audience.EXPORT, today=today)
    return found.get(testimonial.id or 0, Disclosure())


def add_to_collection(
    session: Session, collection_id: int, testimonial_id: int, *, by: User, now: datetime
) -> CollectionItem:
    """Put a quote at the end of a collection, remembering what it may show outside today."""
    _check_marketing(by)
    collection = get_row(session, Collection, collection_id)
    testimonial = get_row(session, Testimonial, testimonial_id)
    if item_in(session, collection_id, testimonial_id) is not None:
        raise RuleError(N_("This quote is already in the collection."))
    if item_count(session, collection_id) >= rules.MAX_ITEMS:
        raise RuleError(N_("A collection holds at most %(n)d quotes."), n=rules.MAX_ITEMS)
    export = _export_disclosure(session, testimonial, now.date())
    if not export.shown:
        raise RuleError(N_("This quote may not leave the firm, so it cannot go into a collection."))
    stored = StoredDisclosure.of(export)
    item = CollectionItem(
        collection_id=collection_id,
        testimonial_id=testimonial_id,
        position=next_position(session, collection_id),
        naming_at_add=stored.naming,
        logo_at_add=stored.logo,
        case_study_at_add=stored.case_study,
        added_by_id=by.id,
        added_at=now,
    )
    session.add(item)
    collection.updated_at = now
    session.commit()
    return item


def _item(session: Session, collection_id: int, item_id: int) -> CollectionItem:
    item = get_row(session, CollectionItem, item_id)
    if item.collection_id != collection_id:
        raise RuleError(N_("This quote is not in this collection."))
    return item


def remove_from_collection(
    session: Session, collection_id: int, item_id: int, *, by: User, now: datetime
) -> None:
    """Take a quote out of a collection; the others keep their order."""
    _check_marketing(by)
    collection = get_row(session, Collection, collection_id)
    session.delete(_item(session, collection_id, item_id))
    collection.updated_at = now
    session.commit()


def move_in_collection(
    session: Session, collection_id: int, item_id: int, *, up: bool, by: User, now: datetime
) -> None:
    """Move a quote one place up or down (nothing happens at either end)."""
    _check_marketing(by)
    collection = get_row(session, Collection, collection_id)
    _item(session, collection_id, item_id)
    items = [item for item, _quote in items_of(session, collection_id)]
    order = rules.moved([item.id or 0 for item in items], item_id, up=up)
    by_id = {item.id: item for item in items}
    for position, moved_id in enumerate(order, start=1):
        by_id[moved_id].position = position
    collection.updated_at = now
    session.commit()


def keep_under_new_terms(
    session: Session, collection_id: int, item_id: int, *, by: User, now: datetime
) -> None:
    """Marketing saw that a quote's terms changed and keeps it as it may go out today."""
    _check_marketing(by)
    item = _item(session, collection_id, item_id)
    testimonial = get_row(session, Testimonial, item.testimonial_id)
    export = _export_disclosure(session, testimonial, now.date())
    if not export.shown:
        raise RuleError(N_("This quote may no longer leave the firm: remove it instead."))
    stored = StoredDisclosure.of(export)
    item.naming_at_add, item.logo_at_add = stored.naming, stored.logo
    item.case_study_at_add = stored.case_study
    get_row(session, Collection, collection_id).updated_at = now
    session.commit()


@dataclass(frozen=True)
class CollectedQuote:
    """One item as the collection shows it today."""

    item: CollectionItem
    testimonial: Testimonial
    export: Disclosure
    staff: Disclosure
    state: ItemState

    @property
    def attribution(self) -> str:
        return attribution(self.export, author_of(self.testimonial))

    @property
    def quote(self) -> str:
        return plain_quote(self.testimonial.body)

    @property
    def outside(self) -> rules.Outside:
        return rules.outside(self.export)

    @property
    def exported(self) -> bool:
        return rules.exported(self.state)


@dataclass(frozen=True)
class OpenedCollection:
    collection: Collection
    quotes: list[CollectedQuote]

    @property
    def exported(self) -> list[CollectedQuote]:
        return [quote for quote in self.quotes if quote.exported]

    def count(self, state: ItemState) -> int:
        return sum(1 for quote in self.quotes if quote.state is state)


def open_collection(session: Session, collection_id: int, *, today: date) -> OpenedCollection:
    """A collection with each quote judged again against today's consent."""
    collection = get_row(session, Collection, collection_id)
    pairs = items_of(session, collection_id)
    quotes = [quote for _item, quote in pairs]
    export = disclosures(session, quotes, Audience.EXPORT, today=today)
    staff = disclosures(session, quotes, Audience.STAFF, today=today)
    found = []
    for item, quote in pairs:
        now_export = export.get(quote.id or 0, Disclosure())
        added = StoredDisclosure(item.naming_at_add, item.logo_at_add, item.case_study_at_add)
        found.append(
            CollectedQuote(
                item=item,
                testimonial=quote,
                export=now_export,
                staff=staff.get(quote.id or 0, Disclosure()),
                state=rules.item_state(added, now_export),
            )
        )
    return OpenedCollection(collection, found)


CSV_COLUMNS = ("position", "quote", "attribution", "may_be_published", "logo", "rating", "flag")


def export_rows(
    opened: OpenedCollection, *, anonymous: str, labels: dict[str, str]
) -> Iterator[Sequence[str]]:
    """The header, then one row per quote that may still go out, every cell neutralised.

    `anonymous` is the translated word for an anonymised quote without role or sector ("a client");
    `labels` translates naming and flag values for the people who open the file.
    """
    yield CSV_COLUMNS
    for position, quote in enumerate(opened.exported, start=1):
        row = (
            str(position),
            quote.quote,
            quote.attribution or anonymous,
            labels.get(quote.outside.value, quote.outside.value),
            labels.get("yes" if quote.export.logo else "no", ""),
            "" if quote.testimonial.rating is None else str(quote.testimonial.rating),
            labels.get(quote.state.value, "") if quote.state is ItemState.CHANGED else "",
        )
        yield [neutralise_cell(cell) for cell in row]
