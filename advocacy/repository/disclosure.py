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
from advocacy.repository.testimonials import PermissionRow, StoredPermission, as_permissions


def live_uses(
    session: Session, testimonial_ids: Sequence[int], *, today: date
) -> dict[int, frozenset[Use]]:
    """Per testimonial, the uses its client allows today (withdrawn and expired left out)."""
    rows: dict[int, list[StoredPermission]] = defaultdict(list)
    if testimonial_ids:
        # Plain rows, not ORM objects: lists and pages read hundreds of these per request.
        for testimonial_id, use, expires_on, withdrawn_at in session.exec(
            select(
                col(TestimonialPermission.testimonial_id),
                col(TestimonialPermission.use),
                col(TestimonialPermission.expires_on),
                col(TestimonialPermission.withdrawn_at),
            ).where(col(TestimonialPermission.testimonial_id).in_(testimonial_ids))
        ):
            rows[testimonial_id].append(PermissionRow(use, expires_on, withdrawn_at))
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
