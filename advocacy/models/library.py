"""Marketing's library: collections of quotes put together for a proposal or a deck, and the
index that keeps the library's search fast on the testimonial tables.

An item keeps what its quote could show outside the firm when it was added, so a collection can
flag a quote whose client changed their mind since; what is shown is always decided again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from advocacy.models.types import UTCDateTime
from advocacy.models.voice import TestimonialPermission


class Collection(SQLModel, table=True):
    """Quotes gathered for one proposal, website page or deck."""

    __tablename__ = "collections"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    purpose: str = Field(default="", max_length=500)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class CollectionItem(SQLModel, table=True):
    """One quote in a collection, at its place, with the disclosure it had when added."""

    __tablename__ = "collection_items"
    __table_args__ = (
        UniqueConstraint("collection_id", "testimonial_id", name="uq_collection_testimonial"),
    )

    id: int | None = Field(default=None, primary_key=True)
    collection_id: int = Field(foreign_key="collections.id", index=True, ondelete="CASCADE")
    testimonial_id: int = Field(foreign_key="testimonials.id", index=True, ondelete="CASCADE")
    position: int
    # The EXPORT disclosure at add time (domain.library.StoredDisclosure).
    naming_at_add: str = Field(max_length=12)
    logo_at_add: bool = Field(default=False)
    case_study_at_add: bool = Field(default=False)
    added_by_id: int | None = Field(default=None, foreign_key="users.id")
    added_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


# The library asks "has this quote a live use (of this kind)?" for every quote it walks past: with
# the withdrawal first, SQLite answers from this index alone, without reading permission rows
# (declared here, beside the library's other schema, so the testimonial models stay as they are).
Index(
    "ix_testimonial_permissions_live",
    TestimonialPermission.__table__.c.testimonial_id,  # type: ignore[attr-defined]
    TestimonialPermission.__table__.c.withdrawn_at,  # type: ignore[attr-defined]
    TestimonialPermission.__table__.c.use,  # type: ignore[attr-defined]
    TestimonialPermission.__table__.c.expires_on,  # type: ignore[attr-defined]
)
