"""Alembic, driven from the app's settings (the migrations folder may be inside a wheel)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from advocacy.resources import resource_path


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resource_path("migrations")))
    # ConfigParser interpolation would treat % in passwords as syntax.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations up to `revision`."""
    command.upgrade(alembic_config(url), revision)


def autogenerate(url: str, message: str) -> None:
    """Write a migration for what the models have and the (up-to-date) database lacks."""
    command.revision(alembic_config(url), message=message, autogenerate=True)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revisions(url: str) -> tuple[str, ...]:
    return tuple(ScriptDirectory.from_config(alembic_config(url)).get_heads())


def knows_revision(url: str, revision: str) -> bool:
    """Whether `revision` is one of this version's migrations (an older database can be upgraded)."""
    try:
        return ScriptDirectory.from_config(alembic_config(url)).get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown or malformed revision
        return False
