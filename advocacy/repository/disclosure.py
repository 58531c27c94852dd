"""What each testimonial may show today, in bulk: the one policy (domain/disclosure.py) fed from
the stored permissions, for every surface that lists testimonials (library, API, wall, exports)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, col, select

from advocacy.domain.disclosure import Audience, Disclosure, disclose
from advocacy.domain.testimonials import Use, allowed_uses
from advocacy.models import Testimonial, TestimonialPermission
from advocacy.repository.testimonials import StoredPermission, as_permissions


def live_uses(
    session: Session, testimonial_ids: Sequence[int], *, today: date
) -> dict[int, frozenset[Use]]:
    """Per testimonial, the uses its client allows today (withdrawn and expired left out)."""
    rows: dict[int, list[StoredPermission]] = defaultdict(list)
    if testimonial_ids:
        # Plain rows, not ORM objects: lists and pages read hundreds of these per request.
        for row in session.exec(
            select(
                TestimonialPermission.testimonial_id,
                TestimonialPermission.use,
                TestimonialPermission.expires_on,
                TestimonialPermission.withdrawn_at,
            ).where(col(TestimonialPermission.testimonial_id).in_(testimonial_ids))
        ):
            rows[row.testimonial_id].append(row)
    return {tid: allowed_uses(as_permissions(rows.get(tid, [])), today) for tid in testimonial_ids}


def disclosures(
    session: Session, testimonials: Sequence[Testimonial], audience: Audience, *, today: date
) -> dict[int, Disclosure]:
    """Per testimonial, what `audience` may see of it today."""
    ids = [t.id for t in testimonials if t.id is not None]
    uses = live_uses(session, ids, today=today)
    return {
        t.id: disclose(t.status, uses.get(t.id, frozenset()), audience)
        for t in testimonials
        if t.id is not None
    }
