"""/api/v1/contacts: people's positions at accounts. Marketing tokens get no e-mail or phone."""

from __future__ import annotations

from flask import Response, url_for
from flask_babel import gettext as _

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
    ContactCreateRequest,
    ContactList,
    ContactQuery,
    ContactUpdateRequest,
)
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.access import ACCOUNT_WORKERS
from advocacy.domain.text import N_
from advocacy.http.problems import ApiProblem
from advocacy.models import Contact, ContactPublic
from advocacy.repository import journey
from advocacy.repository.read_models import api_lists
from advocacy.services.journey import people


def contacts_public(contacts: list[Contact], *, private: bool) -> list[ContactPublic]:
    """Contacts with their person's name and their roles, loaded in two queries."""
    session = db_session()
    names = api_lists.person_names(session, [c.person_id for c in contacts])
    roles = journey.roles_of(session, [c.id for c in contacts if c.id is not None])
    items = []
    for contact in contacts:
        assert contact.id is not None
        item = ContactPublic.model_validate(
            {
                **contact.model_dump(),
                "full_name": names.get(contact.person_id, ""),
                "roles": sorted(roles.get(contact.id, set())),
            }
        )
        items.append(item if private else item.model_copy(update={"email": None, "phone": ""}))
    return items


def _contact(contact_id: int) -> Contact:
    return found(lambda: journey.get_contact(db_session(), contact_id))


@api_route(
    "GET", "/contacts", summary=N_("List contacts"), tag="contacts", query=ContactQuery,
    response=ContactList,
)  # fmt: skip
def list_contacts() -> tuple[Response, int]:
    """Contacts ordered by id, filtered by account, status, e-mail or update time."""
    query = parse_query(ContactQuery)
    private = sees_private()
    if query.email is not None and not private:
        # Looking a person up by e-mail would reveal the address this role may not see.
        raise ApiProblem(403, _("Your role may not search contacts by e-mail."))
    rows, more = api_lists.list_contacts(
        db_session(),
        api_lists.Window(query.limit, query.after_id, query.offset),
        account_id=query.account_id,
        status=query.status,
        email=query.email,
        updated_since=query.updated_since,
    )
    items = contacts_public(rows, private=private)
    return page(ContactList, items, more, query, rows[-1].id if rows else None)


@api_route(
    "GET", "/contacts/<id:contact_id>", summary=N_("Read a contact"), tag="contacts",
    response=ContactPublic,
)  # fmt: skip
def get_contact(contact_id: int) -> tuple[Response, int]:
    """One contact."""
    return one(contacts_public([_contact(contact_id)], private=sees_private())[0])


@api_route(
    "POST", "/contacts", summary=N_("Add a contact to an account"), tag="contacts", scope="write",
    roles=ACCOUNT_WORKERS, body=ContactCreateRequest, response=ContactPublic, status=201,
)  # fmt: skip
def create_contact() -> tuple[Response, int]:
    """Add a person's position at an account the token's user may edit."""
    data = parse_body(ContactCreateRequest)
    contact = call_service(
        lambda: people.add_contact(
            db_session(), data.account_id, data, by=acting_user(), now=utcnow()
        ),
        body_refs=True,
    )
    location = url_for(".get_contact", contact_id=contact.id)
    return one(contacts_public([contact], private=True)[0], 201, location)


@api_route(
    "PATCH", "/contacts/<id:contact_id>", summary=N_("Change a contact"), tag="contacts",
    scope="write", roles=ACCOUNT_WORKERS, body=ContactUpdateRequest, response=ContactPublic,
)  # fmt: skip
def update_contact(contact_id: int) -> tuple[Response, int]:
    """Change a contact's details and roles; the person's name follows them everywhere."""
    _contact(contact_id)
    data = parse_body(ContactUpdateRequest)
    contact = call_service(
        lambda: people.update_contact(
            db_session(), contact_id, data, by=acting_user(), now=utcnow()
        )
    )
    return one(contacts_public([contact], private=True)[0])
