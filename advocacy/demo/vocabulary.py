"""Word lists of the demo firm: a consultancy's catalogue, its markets, and fictional names.

Company names are built from word lists so they read like real firms yet match none on purpose;
every e-mail address is on a reserved `.example` domain and every phone number in a range set
aside for fiction, so a demo database can never reach a real person.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from advocacy.domain.people import BuyingRole, Seniority
from advocacy.domain.touchpoints import Channel, Initiative, TouchpointKind

# (name, description, industries where it matters most): relevance 5 there, 2 or 3 elsewhere.
SERVICE_LINES: Final[tuple[tuple[str, str, tuple[str, ...]], ...]] = (
    (
        "Strategy",
        "Corporate and business-unit strategy, portfolio choices, growth plans.",
        ("Banking", "Energy & Utilities", "Retail & Consumer", "Telecommunications"),
    ),
    (
        "M&A Advisory",
        "Target screening, commercial due diligence, post-merger integration.",
        ("Banking", "Pharmaceuticals", "Technology", "Manufacturing"),
    ),
    (
        "Digital Transformation",
        "Operating models, customer journeys and platforms for a digital business.",
        ("Retail & Consumer", "Insurance", "Public Sector", "Media"),
    ),
    (
        "Data & AI",
        "Data platforms, analytics, machine learning put to work on real decisions.",
        ("Banking", "Insurance", "Retail & Consumer", "Healthcare", "Technology"),
    ),
    (
        "Cybersecurity",
        "Security strategy, resilience testing, identity and incident readiness.",
        ("Banking", "Healthcare", "Public Sector", "Energy & Utilities"),
    ),
    (
        "Operations Excellence",
        "Lean operations, supply chain, footprint and cost programmes.",
        ("Manufacturing", "Logistics & Transport", "Agriculture & Food"),
    ),
    (
        "ESG & Sustainability",
        "Climate strategy, CSRD reporting, decarbonisation roadmaps.",
        ("Energy & Utilities", "Manufacturing", "Real Estate", "Agriculture & Food"),
    ),
    (
        "Change Management",
        "Leadership alignment, adoption and communication for large change.",
        ("Public Sector", "Healthcare", "Insurance"),
    ),
    (
        "Procurement Advisory",
        "Spend analysis, sourcing waves, supplier risk and negotiation support.",
        ("Manufacturing", "Retail & Consumer", "Logistics & Transport", "Public Sector"),
    ),
    (
        "Risk & Compliance",
        "Regulatory programmes, controls, model risk and compliance operating models.",
        ("Banking", "Insurance", "Pharmaceuticals"),
    ),
    (
        "Finance Transformation",
        "Finance operating model, close and planning, ERP-enabled finance.",
        ("Banking", "Telecommunications", "Media", "Real Estate"),
    ),
    (
        "Talent & Organisation",
        "Organisation design, workforce planning, culture and skills.",
        ("Healthcare", "Technology", "Public Sector", "Media"),
    ),
)


def relevance(line: int, industry: str) -> int:
    """How much service line number `line` matters to `industry`, 1 (little) to 5 (most)."""
    return 5 if industry in SERVICE_LINES[line][2] else 2 + line % 2


INDUSTRIES: Final[tuple[str, ...]] = (
    "Banking",
    "Insurance",
    "Healthcare",
    "Pharmaceuticals",
    "Energy & Utilities",
    "Manufacturing",
    "Retail & Consumer",
    "Logistics & Transport",
    "Telecommunications",
    "Public Sector",
    "Technology",
    "Real Estate",
    "Media",
    "Agriculture & Food",
)

# The noun that says what a company of the industry does, for its name.
INDUSTRY_NOUNS: Final[dict[str, tuple[str, ...]]] = {
    "Banking": ("Bank", "Capital", "Savings", "Finance", "Trust"),
    "Insurance": ("Assurance", "Mutual", "Insurance", "Re", "Cover"),
    "Healthcare": ("Health", "Clinics", "Care", "Medical", "Hospitals"),
    "Pharmaceuticals": ("Pharma", "Therapeutics", "Biologics", "Labs", "Life Sciences"),
    "Energy & Utilities": ("Energy", "Power", "Utilities", "Renewables", "Grid"),
    "Manufacturing": ("Industries", "Manufacturing", "Components", "Machines", "Materials"),
    "Retail & Consumer": ("Retail", "Stores", "Brands", "Foods Market", "Home"),
    "Logistics & Transport": ("Logistics", "Freight", "Shipping", "Rail", "Transport"),
    "Telecommunications": ("Telecom", "Networks", "Mobile", "Fibre", "Connect"),
    "Public Sector": ("Agency", "Authority", "Council", "Services Board", "Institute"),
    "Technology": ("Software", "Systems", "Technologies", "Cloud", "Digital"),
    "Real Estate": ("Properties", "Estates", "Real Estate", "Land", "Developments"),
    "Media": ("Media", "Publishing", "Broadcasting", "Studios", "Press"),
    "Agriculture & Food": ("Farms", "Agri", "Foods", "Dairy", "Harvest"),
}

NAME_WORDS: Final[tuple[str, ...]] = (
    "Alder", "Amberly", "Ashgrove", "Azure", "Basalt", "Beacon", "Birchwood", "Bluewater",
    "Brightmoor", "Cairn", "Calder", "Cedarline", "Clearbrook", "Cobalt", "Copperfield", "Corvid",
    "Crescent", "Danvers", "Driftwood", "Eastmere", "Ember", "Evenfield", "Fairhaven", "Fenwick",
    "Fjordline", "Foxglove", "Galeway", "Glenmore", "Granite", "Greyfriar", "Halcyon", "Harbour",
    "Hartwell", "Hazelmere", "Highmoor", "Ironbridge", "Juniper", "Kestrel", "Kingsley", "Lakeshore",
    "Larkspur", "Lumen", "Marlowe", "Meridian", "Millbrook", "Moorland", "Nettlefield", "Nimbus",
    "Northgate", "Oakhurst", "Orchid", "Palisade", "Pinecrest", "Quarry", "Quillon", "Redfern",
    "Ridgeway", "Riverstone", "Rowan", "Saffron", "Saltmarsh", "Silverbirch", "Skyline", "Solent",
    "Stonebridge", "Sunmere", "Tamsin", "Thornbury", "Tidewater", "Torrent", "Umberfield", "Valemont",
    "Vantage", "Westbrook", "Whitcombe", "Willowmere", "Windrush", "Wrenfield", "Yarrow", "Zephyr",
)  # fmt: skip

# (country, legal suffixes, time zone, language, currency, share of accounts in percent)
COUNTRIES: Final[tuple[tuple[str, tuple[str, ...], str, str, str, int], ...]] = (
    ("FR", ("SA", "SAS", "Groupe"), "Europe/Paris", "fr", "EUR", 26),
    ("GB", ("plc", "Ltd", "Group"), "Europe/London", "en", "GBP", 20),
    ("DE", ("GmbH", "AG", "Gruppe"), "Europe/Berlin", "en", "EUR", 12),
    ("BE", ("SA", "NV"), "Europe/Brussels", "fr", "EUR", 6),
    ("NL", ("BV", "NV"), "Europe/Amsterdam", "en", "EUR", 6),
    ("CH", ("AG", "SA"), "Europe/Zurich", "fr", "CHF", 5),
    ("ES", ("SA", "SL"), "Europe/Madrid", "en", "EUR", 4),
    ("IT", ("SpA", "Srl"), "Europe/Rome", "en", "EUR", 4),
    ("IE", ("Ltd", "DAC"), "Europe/Dublin", "en", "EUR", 3),
    ("LU", ("SA", "Sàrl"), "Europe/Luxembourg", "fr", "EUR", 2),
    ("US", ("Inc.", "LLC", "Corp."), "America/New_York", "en", "USD", 9),
    ("CA", ("Inc.", "Ltd"), "America/Toronto", "en", "CAD", 3),
)

SIZE_BANDS: Final[tuple[tuple[str, int], ...]] = (
    ("11-50", 8),
    ("51-200", 17),
    ("201-1000", 30),
    ("1001-5000", 27),
    ("5000+", 18),
)

FIRST_NAMES: Final[tuple[str, ...]] = (
    "Adele", "Ahmed", "Aiko", "Alba", "Alexandre", "Amara", "Anders", "Anna", "Arjun", "Astrid",
    "Aurélie", "Beatriz", "Benedikt", "Bruno", "Camille", "Carlos", "Chiara", "Chloé", "Daniel",
    "Dario", "Elena", "Elif", "Emma", "Erik", "Fatima", "Felix", "Fiona", "Florian", "Freya",
    "Gabriel", "Greta", "Hana", "Hannah", "Hugo", "Ibrahim", "Ines", "Isabel", "Jakob", "James",
    "Jana", "Javier", "Joanna", "Jonas", "Julia", "Karim", "Katarzyna", "Laura", "Lena", "Leon",
    "Lina", "Lucas", "Lucía", "Maëlle", "Malik", "Marco", "Margot", "Maria", "Mateo", "Maya",
    "Mehdi", "Mia", "Nadia", "Niamh", "Nils", "Noah", "Nora", "Olivia", "Omar", "Oscar", "Paula",
    "Pierre", "Priya", "Rafael", "Ravi", "Rosa", "Ruth", "Samir", "Sara", "Sebastian", "Sofia",
    "Sven", "Thomas", "Tomás", "Valentina", "Victor", "Yasmin", "Yusuf", "Zoé",
)  # fmt: skip

LAST_NAMES: Final[tuple[str, ...]] = (
    "Abbott", "Achterberg", "Alvarez", "Andersson", "Aubert", "Bakker", "Barros", "Becker",
    "Bellamy", "Bertrand", "Blanchard", "Brennan", "Caldwell", "Castillo", "Chevalier", "Costa",
    "Dalton", "De Vries", "Delacroix", "Dubois", "Eriksen", "Fabre", "Ferreira", "Fischer",
    "Fontaine", "Gallagher", "Garnier", "Hartmann", "Haugen", "Hoffmann", "Holloway", "Jansen",
    "Kaya", "Keller", "Kowalski", "Lambert", "Laurent", "Lindqvist", "Lombardi", "Marchetti",
    "Mercier", "Moreau", "Morgan", "Nakamura", "Navarro", "Nielsen", "Novak", "O'Connell", "Okafor",
    "Oliveira", "Pereira", "Petrov", "Quinn", "Ramos", "Renard", "Richter", "Rossi", "Rousseau",
    "Schmidt", "Schneider", "Sorensen", "Tan", "Thornton", "Van Dijk", "Vasquez", "Vidal", "Vogel",
    "Wagner", "Walsh", "Weber", "Whitaker", "Yilmaz", "Zimmermann",
)  # fmt: skip

# Buying-group role -> (seniorities it usually comes with, job titles).
ROLE_PROFILES: Final[dict[BuyingRole, tuple[tuple[Seniority, ...], tuple[str, ...]]]] = {
    BuyingRole.DECISION_MAKER: (
        (Seniority.C_LEVEL, Seniority.C_LEVEL, Seniority.BOARD),
        ("Chief Executive Officer", "Chief Operating Officer", "Managing Director", "President"),
    ),
    BuyingRole.SPONSOR: (
        (Seniority.VP_DIRECTOR, Seniority.VP_DIRECTOR, Seniority.C_LEVEL),
        (
            "Director of Strategy",
            "VP Transformation",
            "Chief Digital Officer",
            "Head of Operations",
        ),
    ),
    BuyingRole.USER: (
        (Seniority.MANAGER, Seniority.INDIVIDUAL, Seniority.MANAGER),
        ("Programme Manager", "Business Analyst", "Operations Manager", "Data Lead", "Team Lead"),
    ),
    BuyingRole.PROCUREMENT: (
        (Seniority.MANAGER, Seniority.VP_DIRECTOR),
        ("Procurement Manager", "Head of Procurement", "Category Manager"),
    ),
    BuyingRole.COMPLIANCE: (
        (Seniority.MANAGER, Seniority.VP_DIRECTOR),
        ("Compliance Officer", "Head of Risk", "Legal Counsel"),
    ),
    BuyingRole.CSR: (
        (Seniority.MANAGER, Seniority.VP_DIRECTOR),
        ("Sustainability Manager", "Head of CSR", "ESG Reporting Lead"),
    ),
    BuyingRole.FINANCE: (
        (Seniority.VP_DIRECTOR, Seniority.C_LEVEL),
        ("Chief Financial Officer", "Finance Director", "Head of FP&A"),
    ),
    BuyingRole.OTHER: (
        (Seniority.MANAGER, Seniority.INDIVIDUAL),
        ("Executive Assistant", "Works Council Member", "IT Architect"),
    ),
}

# How much a contact's word weighs, by seniority (before some personal variation).
INFLUENCE_BY_SENIORITY: Final[dict[Seniority, int]] = {
    Seniority.BOARD: 5,
    Seniority.C_LEVEL: 5,
    Seniority.VP_DIRECTOR: 4,
    Seniority.MANAGER: 3,
    Seniority.INDIVIDUAL: 2,
}

ENGAGEMENT_TITLES: Final[tuple[str, ...]] = (
    "{line} review",
    "{line} programme",
    "{line} roadmap",
    "{line} diagnostic",
    "{line}: phase {phase}",
    "{line} support",
)

# Why a former client left unhappy, or left at all: the camp's reason on the account.
BAD_CAMP_REASONS: Final[tuple[str, ...]] = (
    "Programme ran late and over budget; the sponsor said so in the closing review.",
    "Cancelled after the steering committee lost confidence in the team.",
    "Survey after delivery scored 3/10: promised senior time never came.",
)
GOOD_CAMP_REASONS: Final[tuple[str, ...]] = (
    "Closing survey 10/10; the sponsor offered to act as a reference.",
    "Delivered ahead of plan; the client stayed in touch after the team changed.",
    "Sponsor praised the work at the board; no new budget since the merger.",
)


class TouchPattern(NamedTuple):
    kind: TouchpointKind
    initiative: Initiative
    channels: tuple[Channel, ...]
    summaries: tuple[str, ...]
    weights: tuple[int, int, int]  # how often: at a prospect, a client, a bad-camp former client


K, By, C = TouchpointKind, Initiative, Channel
TOUCH_PATTERNS: Final[tuple[TouchPattern, ...]] = (
    TouchPattern(K.MEETING, By.FIRM, (C.IN_PERSON, C.VIDEO),
                 ("Quarterly check-in on {line}", "Steering committee: {line}", "Partner lunch"),
                 (6, 14, 4)),
    TouchPattern(K.MEETING, By.CLIENT, (C.IN_PERSON, C.VIDEO),
                 ("Asked to meet about a new {line} need", "Visited our office"), (3, 5, 1)),
    TouchPattern(K.CALL, By.CLIENT, (C.PHONE, C.VIDEO),
                 ("Question about {line}", "Called about the invoice schedule"), (3, 8, 2)),
    TouchPattern(K.CALL, By.FIRM, (C.PHONE,),
                 ("Follow-up call", "Catch-up call after the project"), (5, 8, 4)),
    TouchPattern(K.EMAIL, By.FIRM, (C.EMAIL,),
                 ("Sent the {line} briefing", "Shared the project summary"), (8, 10, 4)),
    TouchPattern(K.EMAIL, By.CLIENT, (C.EMAIL,),
                 ("E-mailed a question on {line}", "Asked for the workshop slides"), (3, 8, 2)),
    TouchPattern(K.EVENT, By.FIRM, (C.EVENT,),
                 ("Came to our {line} breakfast", "Roundtable on {line}"), (5, 4, 1)),
    TouchPattern(K.EVENT, By.EXTERNAL, (C.EVENT,),
                 ("Met at an industry conference", "Shared a panel at a trade fair"), (3, 1, 1)),
    TouchPattern(K.SURVEY, By.FIRM, (C.WEB, C.EMAIL),
                 ("Mid-project satisfaction survey answered", "Closing survey answered"),
                 (0, 4, 2)),
    TouchPattern(K.TESTIMONIAL, By.CLIENT, (C.EMAIL, C.WEB),
                 ("Wrote a testimonial on the {line} work",), (0, 1, 0)),
    TouchPattern(K.REFERRAL, By.CLIENT, (C.PHONE, C.EMAIL, C.IN_PERSON),
                 ("Referred us to a peer for {line}",), (0, 1, 0)),
    TouchPattern(K.CONTENT, By.FIRM, (C.EMAIL, C.WEB, C.SOCIAL),
                 ("Newsletter: {line} insights", "Sent our {line} report"), (10, 6, 3)),
    TouchPattern(K.CONTENT, By.EXTERNAL, (C.SOCIAL, C.WEB),
                 ("Shared our article on social media",), (2, 1, 0)),
    TouchPattern(K.PROPOSAL, By.FIRM, (C.EMAIL,), ("Sent a proposal for {line}",), (3, 2, 0)),
    TouchPattern(K.PRESS, By.EXTERNAL, (C.WEB, C.OTHER),
                 ("Press mention of the {line} programme", "Trade press quoted our work"),
                 (1, 1, 1)),
    TouchPattern(K.NOTE, By.FIRM, (C.OTHER,),
                 ("Reorganisation announced", "New CFO appointed"), (2, 3, 2)),
    TouchPattern(K.NOTE, By.EXTERNAL, (C.WEB,), ("Review left on a ratings site",), (1, 1, 1)),
)  # fmt: skip
