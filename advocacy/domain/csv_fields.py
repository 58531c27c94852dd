"""The CSV import catalogue: the fields each table takes, the header names CRMs and spreadsheets
give them, and which fields a file must provide. Standard library only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from advocacy.domain.text import N_


class Kind(StrEnum):
    ACCOUNTS = "accounts"
    CONTACTS = "contacts"
    ENGAGEMENTS = "engagements"
    TOUCHPOINTS = "touchpoints"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    parse: str  # key into PARSERS
    aliases: tuple[str, ...] = ()


def _f(name: str, label: str, parse: str, aliases: str = "") -> FieldSpec:
    """A field; `aliases` are header names as CRMs and spreadsheets write them, "|"-separated."""
    return FieldSpec(name, label, parse, tuple(a for a in aliases.split("|") if a))


_ACCOUNT_REF = (
    _f(
        "account_external_id",
        N_("Account external id"),
        "text",
        "account id|company id|associated company id|associated company ids|"
        "company record id|account record id|parent account id|id du compte",
    ),
    _f(
        "account_name",
        N_("Account name"),
        "text",
        "account name|company name|company|account|associated company|"
        "organisation|organization|societe|entreprise|client|nom du compte",
    ),
)

FIELDS: Final[Mapping[Kind, tuple[FieldSpec, ...]]] = {
    Kind.ACCOUNTS: (
        _f(
            "external_id",
            N_("External id"),
            "text",
            "record id|account id|company id|id|external id|hubspot id|"
            "salesforce id|company record id|account record id|id du compte",
        ),
        _f(
            "name",
            N_("Name"),
            "text",
            "company name|account name|name|company|organisation|organization|"
            "raison sociale|societe|entreprise|nom du compte",
        ),
        _f("industry", N_("Industry"), "text", "industry|sector|secteur|industrie"),
        _f(
            "size_band",
            N_("Size"),
            "size",
            "size|company size|employees|number of employees|headcount|effectif",
        ),
        _f(
            "country",
            N_("Country"),
            "upper",
            "country|country region|billing country|country code|pays",
        ),
        _f(
            "stage",
            N_("Journey stage"),
            "stage",
            "stage|journey stage|lifecycle stage|type|account type|etape",
        ),
        _f(
            "owner_email",
            N_("Owner e-mail"),
            "lower",
            "owner email|account owner email|company owner email|owner e mail|company owner|"
            "account owner|proprietaire du compte",
        ),
        _f("notes", N_("Notes"), "text", "notes|description|about|comments"),
    ),
    Kind.CONTACTS: (
        _f(
            "external_id",
            N_("External id"),
            "text",
            "record id|contact id|id|external id|hubspot id|salesforce id|contact record id|"
            "id du contact",
        ),
        _f("full_name", N_("Full name"), "text", "name|full name|contact name|contact|nom complet"),
        _f("first_name", N_("First name"), "text", "first name|firstname|given name|prenom"),
        _f(
            "last_name",
            N_("Last name"),
            "text",
            "last name|lastname|surname|family name|nom|nom de famille",
        ),
        _f(
            "email",
            N_("E-mail"),
            "lower",
            "email|e mail|email address|e mail address|work email|courriel|adresse e mail",
        ),
        *_ACCOUNT_REF,
        _f("title", N_("Job title"), "text", "job title|title|position|fonction|poste|titre"),
        _f(
            "phone",
            N_("Phone"),
            "text",
            "phone|phone number|business phone|mobile phone|mobile|telephone",
        ),
        _f("language", N_("Language"), "language", "language|preferred language|langue"),
        _f("timezone", N_("Time zone"), "text", "time zone|timezone|fuseau horaire"),
        _f("seniority", N_("Seniority"), "seniority", "seniority|seniority level|level"),
        _f("influence", N_("Influence (1-5)"), "int", "influence"),
        _f(
            "roles",
            N_("Buying-group roles"),
            "roles",
            "buying role|buying roles|roles|role|contact role|contact roles",
        ),
        _f(
            "started_on",
            N_("Started on"),
            "date",
            "start date|started on|since|create date|created date|date de creation",
        ),
        _f(
            "consent_basis",
            N_("Consent basis"),
            "text",
            "consent basis|legal basis for processing contact s data|legal basis",
        ),
        _f("consent_source", N_("Consent source"), "text", "consent source"),
        # Used only for an account the import creates: its owner and its starting stage.
        _f(
            "owner_email",
            N_("Account owner e-mail"),
            "lower",
            "contact owner|account owner|owner|owner email|hubspot owner|"
            "proprietaire du compte|proprietaire du contact",
        ),
        _f(
            "account_stage",
            N_("Account stage (lifecycle)"),
            "lifecycle",
            "lifecycle stage|type|account type|cycle de vie|phase du cycle de vie",
        ),
    ),
    Kind.ENGAGEMENTS: (
        _f(
            "external_id",
            N_("External id"),
            "text",
            "record id|deal id|opportunity id|engagement id|project id|id|external id",
        ),
        _f(
            "title",
            N_("Title"),
            "text",
            "deal name|opportunity name|engagement|engagement name|project name|project|title|name",
        ),
        *_ACCOUNT_REF,
        _f("status", N_("Status"), "status", "status|stage|deal stage|opportunity stage|statut"),
        _f("value", N_("Value"), "decimal", "amount|value|deal amount|fee|fees|montant"),
        _f(
            "currency",
            N_("Currency"),
            "upper",
            "currency|deal currency code|currency iso code|opportunity currency|devise",
        ),
        _f("start_date", N_("Start date"), "date", "start date|started on|date de debut"),
        _f("end_date", N_("End date"), "date", "end date|ended on|date de fin"),
        _f("revisit_on", N_("Revisit on"), "date", "revisit on|revisit date|follow up date"),
        _f(
            "service_lines",
            N_("Service lines"),
            "list",
            "service line|service lines|services|practice|practice area",
        ),
    ),
    Kind.TOUCHPOINTS: (
        _f(
            "external_id",
            N_("External id"),
            "text",
            "record id|activity id|task id|touchpoint id|id|external id",
        ),
        *_ACCOUNT_REF,
        _f(
            "contact_external_id",
            N_("Contact external id"),
            "text",
            "contact id|associated contact id|who id|contact record id",
        ),
        _f(
            "contact_email",
            N_("Contact e-mail"),
            "lower",
            "contact email|email|e mail|associated contact email",
        ),
        _f(
            "kind",
            N_("Kind"),
            "kind",
            "kind|type|activity type|engagement type|task type|touchpoint type",
        ),
        _f(
            "initiative",
            N_("Initiative"),
            "initiative",
            "initiative|direction|call direction|email direction|initiated by",
        ),
        _f("channel", N_("Channel"), "channel", "channel|medium|canal"),
        _f(
            "occurred_at",
            N_("Occurred at"),
            "datetime",
            "occurred at|date|activity date|timestamp|activity timestamp|date time|when",
        ),
        _f(
            "summary",
            N_("Summary"),
            "text",
            "summary|subject|body|notes|description|comments|resume",
        ),
        _f("service_line", N_("Service line"), "text", "service line|practice"),
    ),
}

# Each group must have at least one of its fields mapped, and filled on every row.
REQUIRED: Final[Mapping[Kind, tuple[tuple[str, ...], ...]]] = {
    Kind.ACCOUNTS: (("name",),),
    # A contact's account may also come from the domain of their e-mail address.
    Kind.CONTACTS: (("full_name", "first_name", "last_name"),),
    Kind.ENGAGEMENTS: (("title",), ("account_external_id", "account_name")),
    Kind.TOUCHPOINTS: (
        ("account_external_id", "account_name"),
        ("kind",),
        ("initiative",),
        ("occurred_at",),
    ),
}


def field_spec(kind: Kind, name: str) -> FieldSpec | None:
    return next((spec for spec in FIELDS[kind] if spec.name == name), None)
