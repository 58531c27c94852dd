"""Ready-made column mappings for the exports of HubSpot and Salesforce, recognised from a
file's header line. Standard library only.

A preset names the vendor's own column headers (English, and the French labels Salesforce uses in a
French-speaking org); a file is recognised as one when it has every signature header.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from advocacy.domain.csv_fields import Kind
from advocacy.domain.csv_values import normalise
from advocacy.domain.text import N_


@dataclass(frozen=True)
class Preset:
    name: str
    label: str
    kind: Kind
    signature: frozenset[str]  # normalised headers the file must all have
    columns: Mapping[str, str]  # normalised vendor header → our field


def _preset(name: str, label: str, kind: Kind, signature: str, columns: str) -> Preset:
    """`signature`: "|"-separated headers; `columns`: "Header=field" pairs, "|"-separated."""
    pairs = (pair.split("=") for pair in columns.split("|"))
    return Preset(
        name,
        label,
        kind,
        frozenset(normalise(header) for header in signature.split("|")),
        {normalise(header): field for header, field in pairs},
    )


_HUBSPOT_CONTACTS = (
    "Record ID=external_id|First Name=first_name|Last Name=last_name|Email=email|"
    "Phone Number=phone|Mobile Phone Number=|Job Title=title|Company Name=account_name|"
    "Associated Company ID=account_external_id|Contact owner=owner_email|"
    "Lifecycle Stage=account_stage|Create Date=started_on|Preferred language=language"
)
_HUBSPOT_COMPANIES = (
    "Record ID=external_id|Company name=name|Industry=industry|Lifecycle Stage=stage|"
    "Country/Region=country|Number of Employees=size_band|Company owner=owner_email|"
    "Account owner email=owner_email|About Us=notes|Description=notes"
)
_SALESFORCE_CONTACTS = (
    "Contact ID=external_id|First Name=first_name|Last Name=last_name|Email=email|"
    "Phone=phone|Title=title|Account Name=account_name|Account ID=account_external_id|"
    "Account Owner=owner_email|Contact Owner=owner_email|Type=account_stage|"
    "Created Date=started_on|"
    "ID du contact=external_id|Prénom=first_name|Nom=last_name|Adresse e-mail=email|"
    "E-mail=email|Téléphone=phone|Titre=title|Nom du compte=account_name|"
    "ID du compte=account_external_id|Propriétaire du compte=owner_email|"
    "Propriétaire du contact=owner_email|Date de création=started_on"
)
_SALESFORCE_ACCOUNTS = (
    "Account ID=external_id|Account Name=name|Industry=industry|Type=stage|"
    "Billing Country=country|Employees=size_band|Account Owner=owner_email|"
    "Description=notes|"
    "ID du compte=external_id|Nom du compte=name|Secteur d'activité=industry|"
    "Pays de facturation=country|Employés=size_band|Propriétaire du compte=owner_email"
)

PRESETS: Final = (
    _preset(
        "hubspot-contacts", N_("HubSpot contacts export"), Kind.CONTACTS,
        "Record ID|First Name|Last Name", _HUBSPOT_CONTACTS,
    ),
    _preset(
        "hubspot-companies", N_("HubSpot companies export"), Kind.ACCOUNTS,
        "Record ID|Company name", _HUBSPOT_COMPANIES,
    ),
    _preset(
        "salesforce-contacts", N_("Salesforce contacts report"), Kind.CONTACTS,
        "Contact ID", _SALESFORCE_CONTACTS,
    ),
    _preset(
        "salesforce-contacts-fr", N_("Salesforce contacts report (French)"), Kind.CONTACTS,
        "ID du contact", _SALESFORCE_CONTACTS,
    ),
    _preset(
        "salesforce-accounts", N_("Salesforce accounts report"), Kind.ACCOUNTS,
        "Account ID|Account Name", _SALESFORCE_ACCOUNTS,
    ),
    _preset(
        "salesforce-accounts-fr", N_("Salesforce accounts report (French)"), Kind.ACCOUNTS,
        "ID du compte|Nom du compte", _SALESFORCE_ACCOUNTS,
    ),
)  # fmt: skip


def detect_preset(kind: Kind, headers: Sequence[str]) -> Preset | None:
    """The ready-made mapping whose signature headers the file has, for this kind of file."""
    present = {normalise(header) for header in headers}
    return next(
        (p for p in PRESETS if p.kind is kind and p.signature <= present),
        None,
    )


def preset_mapping(preset: Preset, headers: Sequence[str]) -> dict[str, str]:
    """Header → field for the file's headers the preset knows; each field used once."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        field = preset.columns.get(normalise(header))
        if field is None:
            continue
        mapping[header] = "" if field in taken else field
        if field:
            taken.add(field)
    return mapping
