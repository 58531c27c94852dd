"""All tables, imported here so SQLModel.metadata knows every one of them (Alembic reads it)."""

from advocacy.models.identity import OidcIdentity, User, UserPublic
from advocacy.models.operations import SchedulerHeartbeat

__all__ = ["OidcIdentity", "SchedulerHeartbeat", "User", "UserPublic"]
