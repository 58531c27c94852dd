"""Content library use cases: add an item, change it, archive it or bring it back.

Only marketing and administrators keep the library (`domain.access.may_manage_content`); each
function checks the rules, refuses with a RuleError saying why, and commits once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from advocacy.domain.access import may_manage_content
from advocacy.domain.content import ContentKind, ContentLanguage
from advocacy.domain.errors import NotAllowed, RuleError
from advocacy.domain.identity import Role
from advocacy.domain.text import N_
from advocacy.models import ContentItem, ContentItemCreate, ContentItemUpdate, User
from advocacy.repository import content
from advocacy.repository.journey import existing_service_line_ids

# The fields kept on the item's own row; the others are rows of their own (models.content).
_LINKS = frozenset({"service_line_ids", "industries", "stages"})


def _check_may_manage(by: User) -> None:
    if not may_manage_content(Role(by.role)):
        raise NotAllowed(N_("Only marketing and administrators keep the content library."))


def _check_service_lines(session: Session, line_ids: list[int]) -> None:
    if set(line_ids) - existing_service_line_ids(session, line_ids):
        raise RuleError(N_("Unknown service line."))


def _row_values(data: ContentItemCreate) -> dict[str, Any]:
    values = data.model_dump(exclude=set(_LINKS))
    values["kind"] = ContentKind(data.kind).value
    values["language"] = ContentLanguage(data.language).value
    return values


def create_item(
    session: Session, data: ContentItemCreate, *, by: User, now: datetime
) -> ContentItem:
    """Add an item to the library, with the service lines it introduces and whom it suits."""
    _check_may_manage(by)
    _check_service_lines(session, data.service_line_ids)
    item = ContentItem.model_validate(
        _row_values(data),
        update={
            "created_by_id": by.id,
            "updated_by_id": by.id,
            "created_at": now,
            "updated_at": now,
        },
    )
    session.add(item)
    session.flush()
    assert item.id is not None
    content.set_links(
        session, item.id, data.service_line_ids, data.industries, [s.value for s in data.stages]
    )
    session.commit()
    return item


def update_item(
    session: Session, item_id: int, data: ContentItemUpdate, *, by: User, now: datetime
) -> ContentItem:
    """Change an item; fields left out keep their value."""
    _check_may_manage(by)
    item = content.get_item(session, item_id)
    links = content.links_of(session, [item_id])[item_id]
    current = {
        **item.model_dump(),
        "service_line_ids": links.service_line_ids,
        "industries": links.industries,
        "stages": links.stages,
    }
    # The rules that span fields (the validity window) are checked on the merged result before
    # the row is touched, so a refusal leaves nothing half-changed.
    merged = ContentItemCreate.model_validate({**current, **data.model_dump(exclude_unset=True)})
    _check_service_lines(session, merged.service_line_ids)
    for name, value in _row_values(merged).items():
        setattr(item, name, value)
    item.updated_by_id, item.updated_at = by.id, now
    session.add(item)
    content.set_links(
        session,
        item_id,
        merged.service_line_ids,
        merged.industries,
        [s.value for s in merged.stages],
    )
    session.commit()
    return item


def archive_item(session: Session, item_id: int, *, by: User, now: datetime) -> ContentItem:
    """Archive an item: offered to nobody from now on, kept for the record of what was sent."""
    return _set_archived(session, item_id, True, by=by, now=now)


def restore_item(session: Session, item_id: int, *, by: User, now: datetime) -> ContentItem:
    """Bring an archived item back into use."""
    return _set_archived(session, item_id, False, by=by, now=now)


def _set_archived(
    session: Session, item_id: int, archived: bool, *, by: User, now: datetime
) -> ContentItem:
    _check_may_manage(by)
    item = content.get_item(session, item_id)
    if item.archived == archived:
        raise RuleError(
            N_("This item is archived already.") if archived else N_("This item is in use already.")
        )
    item.archived = archived
    item.updated_by_id, item.updated_at = by.id, now
    session.add(item)
    session.commit()
    return item
