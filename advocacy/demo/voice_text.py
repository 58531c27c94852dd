"""What the demo firm's clients say: survey comments, testimonial quotes, the uses they allow,
the people they introduce and the prospects who want to speak with them.

Pure data for the demo's client voice (advocacy.demo.voice). Every name and company is
fictional and every address is on a reserved `.example` domain, like the rest of the demo.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from advocacy.domain.referrals import IntroPreference
from advocacy.domain.testimonials import Use


class Quote(NamedTuple):
    """A testimonial as a client would write it; `{line}` is the service line it speaks about."""

    body: str
    outcomes: str  # comma-separated outcome tags, as marketing types them


QUOTES: Final[dict[str, tuple[Quote, ...]]] = {
    "en": (
        Quote(
            "The {line} team understood our business within weeks, not months. "
            "They challenged our assumptions and left us with a plan our board approved "
            "at the first reading.",
            "board approval, faster decisions",
        ),
        Quote(
            "What stood out was the honesty. When the first option would not work, they said "
            "so early and helped us find a better one. We finished **on time and under budget**.",
            "on time, under budget",
        ),
        Quote(
            "We had tried twice before on our own. With their {line} work we finally closed "
            "the gap, and our teams still use the tools a year later.",
            "lasting adoption, capability building",
        ),
        Quote(
            "Pragmatic, calm under pressure and genuinely invested in our success. They felt "
            "like part of our leadership team.",
            "trusted advisor",
        ),
        Quote(
            "The programme cut our cost base by 12% in eighteen months without a single "
            "service incident. I would hire them again tomorrow.",
            "cost reduction, no service disruption",
        ),
        Quote(
            "Their people explained complex choices in plain words. Our executive committee "
            "finally had the facts it needed to decide.",
            "clarity for the executive committee, faster decisions",
        ),
        Quote(
            "From due diligence to the first hundred days, the {line} team kept everyone "
            "aligned. The integration went more smoothly than any we had done before.",
            "smooth integration, alignment",
        ),
        Quote(
            "They did not hand us a report and leave. They stayed until the new way of working "
            "was running, and they trained our own people to carry it on.",
            "capability building, lasting adoption",
        ),
        Quote(
            "A rare mix of strategic thinking and hands-on delivery. Our regulators noticed "
            "the difference at the next review.",
            "regulatory confidence",
        ),
        Quote(
            "We went from monthly guesswork to weekly decisions based on data we trust. "
            "That alone paid for the engagement.",
            "data-driven decisions, return on investment",
        ),
        Quote(
            "Excellent from start to finish: clear milestones, no surprises on the invoice and "
            "a team that listened.",
            "predictable budget",
        ),
        Quote(
            "Their {line} specialists found savings our own analysis had missed, and they "
            "helped us renegotiate with suppliers without damaging the relationships.",
            "cost reduction, supplier relationships",
        ),
        Quote(
            "Our people were sceptical at first. Within three months they were the ones asking "
            "for more. That change in mood is the best result we could have hoped for.",
            "employee engagement, lasting adoption",
        ),
        Quote(
            "They brought experience from other sectors that opened our eyes, yet never "
            "forgot how our own business really works.",
            "fresh perspective",
        ),
        Quote(
            "We reported on our climate targets a full year ahead of plan, with numbers our "
            "auditors accepted without a single reservation.",
            "ahead of plan, clean audit",
        ),
        Quote(
            "Responsive, rigorous and good company. I have recommended them to two peers already.",
            "trusted advisor",
        ),
        Quote(
            "The {line} roadmap they built with us is still the reference document in our "
            "leadership meetings.",
            "clear roadmap, alignment",
        ),
        Quote(
            "They helped us stop three projects that were going nowhere and put the money "
            "where it mattered. Hard conversations, handled with care.",
            "focus, better use of budget",
        ),
    ),
    "fr": (
        Quote(
            "L'équipe {line} a compris nos enjeux en quelques semaines. Elle a su challenger "
            "nos hypothèses et nous laisser un plan validé par notre conseil dès la première "
            "présentation.",
            "validation du conseil, décisions plus rapides",
        ),
        Quote(
            "Une équipe disponible, rigoureuse et franche. Quand une piste ne tenait pas, ils "
            "nous l'ont dit tôt : nous avons tenu **les délais et le budget**.",
            "dans les délais, budget tenu",
        ),
        Quote(
            "Ils ne nous ont pas remis un rapport pour partir ensuite : ils sont restés jusqu'à "
            "ce que nos équipes soient autonomes.",
            "montée en compétences, adoption durable",
        ),
        Quote(
            "Grâce à leur accompagnement {line}, nous avons réduit nos coûts de 10 % sans "
            "dégrader le service à nos clients.",
            "réduction des coûts, qualité de service",
        ),
        Quote(
            "Un vrai partenaire, à l'écoute et exigeant. Je les recommande sans hésiter à mes "
            "pairs.",
            "conseiller de confiance",
        ),
        Quote(
            "Leur regard extérieur nous a fait gagner un temps précieux, et la feuille de route "
            "construite ensemble guide encore notre comité de direction.",
            "feuille de route claire, alignement",
        ),
    ),
}

COMMENTS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "en": {
        "promoter": (
            "A great team to work with.",
            "Clear, honest advice and real results.",
            "They understood our business quickly.",
            "",
            "Excellent work, on time and on budget.",
        ),
        "passive": (
            "Good work overall, though the kick-off took longer than planned.",
            "Solid advice; the final report could have been shorter.",
            "",
        ),
        "detractor": (
            "The team changed three times and we had to explain everything again.",
            "We expected more senior people on the ground.",
            "The invoice did not match what we had agreed.",
        ),
    },
    "fr": {
        "promoter": (
            "Une équipe formidable.",
            "Des conseils clairs et des résultats concrets.",
            "",
        ),
        "passive": ("Bon travail dans l'ensemble, mais un démarrage un peu lent.", ""),
        "detractor": (
            "L'équipe a changé plusieurs fois en cours de mission.",
            "Nous attendions des profils plus expérimentés.",
        ),
    },
}

# The uses a client ticks, with the optional last day (days after writing). Mostly public quotes,
# with the mix marketing meets in practice: anonymised, internal only, time-limited consent.
USE_PROFILES: Final[tuple[tuple[tuple[Use, int | None], ...], ...]] = (
    ((Use.NAMED_PUBLIC, None), (Use.LOGO, None), (Use.REFERENCE_CALLS, None)),
    ((Use.NAMED_PUBLIC, None), (Use.CASE_STUDY, None), (Use.INTERNAL, None)),
    ((Use.ANONYMISED_PUBLIC, None), (Use.INTERNAL, None)),
    ((Use.NAMED_PUBLIC, 365), (Use.LOGO, 365)),
    ((Use.INTERNAL, None), (Use.REFERENCE_CALLS, None)),
    ((Use.ANONYMISED_PUBLIC, None), (Use.REFERENCE_CALLS, 540)),
    ((Use.NAMED_PUBLIC, None), (Use.REFERENCE_CALLS, None), (Use.CASE_STUDY, None)),
    ((Use.NAMED_PUBLIC, 120),),  # a short campaign: its consent may well have run out by now
    ((Use.ANONYMISED_PUBLIC, None), (Use.CASE_STUDY, 365)),
    ((Use.NAMED_PUBLIC, None), (Use.LOGO, None), (Use.INTERNAL, None)),
)
PUBLIC_USES: Final = frozenset({Use.NAMED_PUBLIC, Use.ANONYMISED_PUBLIC})


class Introduction(NamedTuple):
    name: str
    company: str
    note: str
    preference: IntroPreference


INTRODUCTIONS: Final[tuple[Introduction, ...]] = (
    Introduction(
        "Helena Marsh",
        "Brackenridge Mutual Holdings",
        "Their new COO is reviewing the claims operation and asked me who helped us.",
        IntroPreference.EMAIL,
    ),
    Introduction(
        "Tobias Lind",
        "Nordvik Ferries AB",
        "Planning a fleet renewal; happy to join the first call.",
        IntroPreference.REFERRER,
    ),
    Introduction(
        "Claire Vasseur",
        "Maison Verlaine Cosmétiques",
        "Elle prépare son premier rapport de durabilité.",
        IntroPreference.CALL,
    ),
    Introduction(
        "Rajesh Menon",
        "Quayside Digital Health Ltd",
        "Looking for help with a data platform after a merger.",
        IntroPreference.MEETING,
    ),
)
REFERRAL_THANKS: Final = "Thank you for thinking of us: we had a very good first conversation."
REFERRAL_LOST: Final = "They decided to keep the work in-house this year."


class Prospect(NamedTuple):
    """A prospect who wants to speak with a client before signing."""

    name: str
    notes: str
    outcome: str  # how the call went, as the colleague logs it


REFERENCE_PROSPECTS: Final[tuple[Prospect, ...]] = (
    Prospect(
        "Ravensworth Building Society",
        "Final round; their CFO wants to hear how we handled the board.",
        "Very positive: the prospect's CFO asked about the first ninety days.",
    ),
    Prospect(
        "Lindqvist Marine Components",
        "Wants to talk to a client of similar size before the steering committee.",
        "",
    ),
)
