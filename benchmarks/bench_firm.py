"""The demo firm `dev.py bench` measures: scratch PostgreSQL databases, loading, sign-in and token.

    .venv/bin/python benchmarks/bench_firm.py --load URL [--size small|large]

`--load` is the child process the bench starts to load the demo firm into an empty database
(PostgreSQL), so the load's peak memory is its own; it prints one JSON line with the time and rows.
SQLite firms are built by `benchmarks/demo_large.py --keep PATH` instead, which also measures the
generation next to plain sqlite3 inserts.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import Session  # noqa: E402

from advocacy import migrate  # noqa: E402
from advocacy.app import create_app  # noqa: E402
from advocacy.db import build_engine  # noqa: E402
from advocacy.demo import loader  # noqa: E402
from advocacy.models import Account, Contact, Touchpoint, User  # noqa: E402
from advocacy.repository.read_models.accounts import PAGE_SIZE  # noqa: E402
from advocacy.services.access import identity, tokens  # noqa: E402

SAMPLE = 20  # account and contact pages: the locust users go round this many of each
LIST_PAGES = (2, 50)  # the accounts list's page measured: a small firm's, a large firm's


@dataclass
class Firm:
    """What the load needs: a staff member who signs in, a read token, pages to visit."""

    url: str
    email: str
    password: str
    token: str
    token_prefix: str
    account_ids: list[int]
    contact_ids: list[int]
    counts: dict[str, int]
    # For a page of the accounts list: the account its Next link starts after (the last one of
    # the page before), as a reader who clicks Next gets there.
    list_cursors: dict[int, int]


def create_scratch_database(server_url: str) -> str:
    """A new, empty database beside the one `server_url` names; returns its URL."""
    name = f"advocacy_bench_{secrets.token_hex(4)}"
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_scratch_database(url: str, server_url: str) -> None:
    name = make_url(url).database
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def prepare(url: str) -> Firm:
    """Migrate, give the first account manager a fresh password and a read token, pick pages."""
    migrate.upgrade(url)
    engine = build_engine(url)
    now = datetime.now(UTC)
    password = secrets.token_urlsafe(18)
    with Session(engine, expire_on_commit=False) as session:
        owners = (
            select(User)
            .where(User.role == "account_manager", User.active.is_(True))  # type: ignore[union-attr, attr-defined]
            .where(User.id.in_(select(Account.owner_id)))  # type: ignore[union-attr]
            .order_by(User.id)
        )
        user = session.scalars(owners).first()
        if user is None or user.id is None:
            raise SystemExit(f"{url}: no active account manager owns an account (not a demo firm?)")
        identity.set_password(session, user.id, password)
        issued = tokens.create_token(session, user.id, ["read"], now=now, name="dev.py bench")
        owned = select(Account.id).where(Account.owner_id == user.id)
        with_contacts = owned.where(Account.id.in_(select(Contact.account_id)))  # type: ignore[union-attr]
        account_ids = list(session.scalars(with_contacts.order_by(Account.id).limit(SAMPLE)))
        contacts = select(Contact.id).where(Contact.account_id.in_(account_ids))  # type: ignore[union-attr]
        contact_ids = list(session.scalars(contacts.order_by(Contact.id).limit(SAMPLE)))
        counts = {
            kind: session.scalar(select(func.count()).select_from(model)) or 0
            for kind, model in (
                ("accounts", Account),
                ("contacts", Contact),
                ("touchpoints", Touchpoint),
            )
        }
        email = user.email
        in_list_order = select(Account.id).order_by(func.lower(Account.name), Account.id)
        cursors = {
            page: session.scalar(in_list_order.offset((page - 1) * PAGE_SIZE - 1).limit(1))
            for page in LIST_PAGES
        }
    engine.dispose()
    return Firm(
        url,
        email,
        password,
        issued.secret,
        issued.token.prefix,
        account_ids,
        contact_ids,
        counts,
        {page: cursor for page, cursor in cursors.items() if cursor is not None},
    )


def store_analytics(url: str) -> float:
    """`advocacy analytics refresh`, as the hourly job has done on a running firm; its seconds."""
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "ADVOCACY_DATABASE_URL": url,
            "ADVOCACY_INSTANCE_PATH": folder,
            "ADVOCACY_SECRET_KEY": secrets.token_urlsafe(48),
            "ADVOCACY_LOG_LEVEL": "WARNING",
        }
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "advocacy", "analytics", "refresh"],
            cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    return time.perf_counter() - started


def forget_token(firm: Firm) -> None:
    """Revoke the run's token, so a reused firm does not collect live ones."""
    engine = build_engine(firm.url)
    with Session(engine) as session:
        tokens.revoke_token(session, firm.token_prefix, now=datetime.now(UTC))
    engine.dispose()


def load(url: str, size: str) -> dict[str, float]:
    """Migrate `url` and load the demo firm into it (the client voice renders e-mails: an app)."""
    migrate.upgrade(url)
    engine = build_engine(url)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "env": "test",
                "database_url": url,
                "instance_path": folder,
                "secret_key": "benchmark-secret-key-long-enough-0123456789abcdef",
                "log_level": "WARNING",
            }
        )
        started = time.perf_counter()
        with app.app_context(), Session(engine, expire_on_commit=False) as session:
            report = loader.load_demo(session, size=size, now=datetime.now(UTC))
        seconds = time.perf_counter() - started
        app.extensions["advocacy.engine"].dispose()
    engine.dispose()
    rows = sum(count for kind, count in report.created.items() if kind != "staff")
    return {"seconds": seconds, "rows": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load", required=True, metavar="URL", help="an empty database")
    parser.add_argument("--size", default="large", choices=loader.SIZES)
    args = parser.parse_args()
    print(json.dumps(load(args.load, args.size)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
