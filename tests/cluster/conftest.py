"""One PostgreSQL database per cluster test, copied from a template holding the small demo firm.

The demo firm takes half a minute to build on PostgreSQL; it is built once per test run into a
template database, and each test gets a fresh copy of it (`CREATE DATABASE ... TEMPLATE`, a file
copy that takes a moment), so the tests never see each other's mail, leases or rate-limit users.

`ADVOCACY_CLUSTER_FIRM_URL` names a database on the same server holding a firm already loaded (the
large demo firm, `benchmarks/bench_firm.py --load URL`): the template is then a copy of it, made
ready the same way, and that database itself is left untouched. The 30-minute soak runs on it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from advocacy import migrate
from advocacy.app import create_app
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.demo import loader
from advocacy.models.fields import saved_id
from advocacy.repository import staff
from advocacy.services.access import identity
from tests.conftest import (
    create_postgres_database,
    drop_postgres_database,
    postgres_admin_url,
    settings_overrides,
)
from tests.factories import PASSWORD, make_user

ADMIN_EMAIL = "cluster-admin@firm.example"
# The demo firm's account managers, given a password to sign in with.
STAFF_EMAILS = tuple(
    f"{local_part}@{loader.DEMO_DOMAIN}"
    for local_part, _name, role in loader.DEMO_STAFF
    if role.value == "account_manager"
)


@dataclass(frozen=True)
class ClusterDatabase:
    url: str
    admin_url: str


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClusterDatabase]:
    """A migrated database with the small demo firm and staff who can sign in, built once."""
    if not os.environ.get("ADVOCACY_TEST_DATABASE_URL", "").startswith("postgresql"):
        # Not this database: several processes need one database server to share.
        pytest.skip("the cluster tests run with the PostgreSQL suite")
    admin_url = postgres_admin_url()
    kept_firm = os.environ.get("ADVOCACY_CLUSTER_FIRM_URL", "")
    url = copy_database(admin_url, kept_firm) if kept_firm else create_postgres_database(admin_url)
    try:
        migrate.upgrade(url)
        app = create_app(settings_overrides(url, tmp_path_factory.mktemp("template")))
        with app.app_context():
            session = db_session()
            if not kept_firm:
                loader.load_demo(session, size="small", now=utcnow())
            for email in STAFF_EMAILS:
                user = staff.user_by_email(session, email)
                assert user is not None, email
                identity.set_password(session, saved_id(user), PASSWORD)
            make_user(session, role="admin", email=ADMIN_EMAIL, created_at=utcnow())
        app.extensions["advocacy.engine"].dispose()  # a template must have no connection left
        yield ClusterDatabase(url, admin_url)
    finally:
        drop_postgres_database(admin_url, url)


def copy_database(admin_url: str, source_url: str) -> str:
    """A new database on the server of `admin_url`, a copy of `source_url`'s; its URL."""
    name = f"advocacy_c_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    template = make_url(source_url).database
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def cluster_database(demo_template: ClusterDatabase) -> Iterator[str]:
    """A fresh copy of the demo template for one test; dropped after it, connections and all."""
    url = copy_database(demo_template.admin_url, demo_template.url)
    yield url
    drop_postgres_database(demo_template.admin_url, url)
