"""Demo data and the first start of a new installation.

The demo firm is written in bulk (Core executemany, ids assigned here, one transaction): the
large firm has over two million rows, which the per-row services could not write in minutes.
Consistency comes from the generator (advocacy.demo.firm), which lays out every account's
history with the journey's own rules.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, func, text
from sqlmodel import Session, SQLModel, col, select

from advocacy.adapters.email_templates import current_settings
from advocacy.adapters.passwords import hash_password
from advocacy.demo import advocacy_history, campaigns, content, vocabulary, voice
from advocacy.demo.firm import DEFAULT_SEED, DEMO_PREFIX, DEMO_SIZES, TABLES, DemoFirm
from advocacy.domain.access import ACCOUNT_WORKERS, is_administrator
from advocacy.domain.identity import Role
from advocacy.models import Account, ServiceLine, ServiceLineIndustry, User
from advocacy.models.fields import saved_id
from advocacy.repository import staff
from advocacy.services.access.identity import checked_email
from advocacy.services.analytics import stored
from advocacy.services.nurture import awareness
from advocacy.services.scoring import recompute

DEMO_DOMAIN = "demo.advocacy.example"
# Staff of the demo firm. They are invited (no password): an admin sends them their link, which
# keeps a public demo from shipping well-known passwords.
DEMO_STAFF: tuple[tuple[str, str, Role], ...] = (
    ("camille.durand", "Camille Durand", Role.ACCOUNT_MANAGER),
    ("sam.okafor", "Sam Okafor", Role.ACCOUNT_MANAGER),
    ("lea.martin", "Léa Martin", Role.ACCOUNT_MANAGER),
    ("jordan.lee", "Jordan Lee", Role.MARKETING),
)
SIZES = tuple(DEMO_SIZES)
CHUNK_ROWS = 5_000
# Progress of a long load: (accounts written, accounts in all).
Progress = Callable[[int, int], None]


@dataclass
class DemoReport:
    created: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # time per phase, for the benchmark

    def count(self, kind: str, *, created: bool, n: int = 1) -> None:
        target = self.created if created else self.skipped
        target[kind] = target.get(kind, 0) + n

    def timed(self, phase: str, seconds: float) -> None:
        self.seconds[phase] = self.seconds.get(phase, 0.0) + seconds


def _add_demo_staff(session: Session, report: DemoReport, *, now: datetime) -> None:
    for local_part, name, role in DEMO_STAFF:
        email = f"{local_part}@{DEMO_DOMAIN}"
        if staff.user_by_email(session, email) is not None:
            report.count("staff", created=False)
            continue
        session.add(User(email=email, name=name, role=role.value, created_at=now, invited_at=now))
        report.count("staff", created=True)
    session.flush()


def _demo_service_lines(session: Session, report: DemoReport, *, now: datetime) -> list[int]:
    """The catalogue's ids, in the demo's order; lines the firm already has are reused."""
    ids: list[int] = []
    for number, (name, description, _) in enumerate(vocabulary.SERVICE_LINES):
        line = session.exec(select(ServiceLine).where(ServiceLine.name == name)).first()
        if line is None:
            line = ServiceLine(name=name, description=description, created_at=now)
            session.add(line)
            session.flush()
            session.add_all(
                ServiceLineIndustry(
                    service_line_id=saved_id(line),
                    industry=industry,
                    relevance=vocabulary.relevance(number, industry),
                )
                for industry in vocabulary.INDUSTRIES
            )
            report.count("service lines", created=True)
        assert line.id is not None
        ids.append(line.id)
    session.flush()
    return ids


def _next_ids(connection: Connection) -> dict[str, int]:
    tables = SQLModel.metadata.tables
    return {
        name: (connection.execute(select(func.max(tables[name].c.id))).scalar() or 0) + 1
        for name in TABLES
    }


@contextmanager
def _bulk_load(connection: Connection) -> Iterator[None]:
    """A bigger page cache on SQLite while the load runs (index pages stay in memory)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MiB
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(before or -2000)}")


def _advance_sequences(connection: Connection) -> None:
    # Ids were given here, not drawn from PostgreSQL's sequences: move them past the new rows.
    if connection.dialect.name != "postgresql":
        return
    for name in TABLES:
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id)) FROM {name}"  # noqa: S608 - table names are ours
            )
        )


def _add_demo_firm(
    session: Session,
    report: DemoReport,
    *,
    size: str,
    seed: int,
    now: datetime,
    progress: Progress | None,
) -> None:
    """Write the demo firm unless it is there already (its accounts' external ids say so)."""
    existing = session.exec(
        select(func.count())
        .select_from(Account)
        .where(col(Account.external_id).startswith(DEMO_PREFIX))
    ).one()
    if existing:
        report.count("accounts", created=False, n=existing)
        return
    owners = (
        session.exec(
            select(User.id)
            .where(col(User.email).endswith("@" + DEMO_DOMAIN), User.role == Role.ACCOUNT_MANAGER)
            .order_by(col(User.email))
        ).all()
        or session.exec(  # the demo managers were given other roles: any manager will do
            select(User.id)
            .where(col(User.role).in_(ACCOUNT_WORKERS), col(User.active))
            .order_by(col(User.id))
        ).all()
    )
    line_ids = _demo_service_lines(session, report, now=now)
    connection = session.connection()
    firm = DemoFirm(
        size=DEMO_SIZES[size],
        seed=seed,
        now=now,
        owner_ids=[owner for owner in owners if owner is not None],
        service_line_ids=line_ids,
        first_ids=_next_ids(connection),
    )
    tables = SQLModel.metadata.tables
    total, done = DEMO_SIZES[size].accounts, 0
    with _bulk_load(connection):
        blocks = firm.blocks()
        while True:
            started = time.perf_counter()
            block = next(blocks, None)
            report.timed("generate", time.perf_counter() - started)
            if block is None:
                break
            for name in TABLES:
                rows = block[name]
                started = time.perf_counter()
                for first in range(0, len(rows), CHUNK_ROWS):
                    connection.execute(tables[name].insert(), rows[first : first + CHUNK_ROWS])
                report.timed(f"write {name}", time.perf_counter() - started)
                if rows:
                    report.count(name.replace("_", " "), created=True, n=len(rows))
            done += len(block["accounts"])
            if progress is not None:
                progress(done, total)
    _advance_sequences(connection)


def load_demo(
    session: Session,
    *,
    size: str,
    now: datetime,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
) -> DemoReport:
    """Add the demo staff and firm; running it again adds nothing twice."""
    if size not in SIZES:
        raise ValueError(f"unknown demo size {size!r}; expected one of {', '.join(SIZES)}")
    report = DemoReport()
    _add_demo_staff(session, report, now=now)
    _add_demo_firm(session, report, size=size, seed=seed, now=now, progress=progress)
    started = time.perf_counter()
    session.commit()
    report.timed("commit", time.perf_counter() - started)
    started = time.perf_counter()
    voice.add_client_voice(session, report, seed=seed, now=now)
    report.timed("client voice", time.perf_counter() - started)
    content.add_content(session, report, seed=seed, now=now)
    _rebuild_awareness(session, report, now=now)
    _add_campaigns(session, report, now=now)
    if size == "small":  # eight full replays would add minutes to the large performance firm
        started = time.perf_counter()
        advocacy_history.add_advocacy_history(
            session, report, seed=seed, now=now, settings=current_settings()
        )
        report.timed("score history", time.perf_counter() - started)
    _recompute_scores(session, report, now=now)
    if report.created:
        _store_analytics(session, report, now=now)
    return report


def _rebuild_awareness(session: Session, report: DemoReport, *, now: datetime) -> None:
    """The firm was written in bulk, past the use cases: derive what each client knows from it."""
    started = time.perf_counter()
    awareness.rebuild_awareness(session, now=now)
    report.timed("awareness", time.perf_counter() - started)


def _add_campaigns(session: Session, report: DemoReport, *, now: datetime) -> None:
    """The demo's campaigns, once the planner can see what each client knows."""
    started = time.perf_counter()
    campaigns.add_campaigns(session, report, now=now)
    report.timed("campaigns", time.perf_counter() - started)


def _recompute_scores(session: Session, report: DemoReport, *, now: datetime) -> None:
    """Score every demo contact from the evidence just written (the default weights)."""
    started = time.perf_counter()
    recompute.recompute_all(session, now=now, rules=recompute.ScoringRules())
    report.timed("scores", time.perf_counter() - started)


def _store_analytics(session: Session, report: DemoReport, *, now: datetime) -> None:
    """Store the analytics answers, as the jobs process does, so the first pages show them."""
    started = time.perf_counter()
    stored.refresh(session, now=now)
    report.timed("analytics", time.perf_counter() - started)


@dataclass(frozen=True)
class FirstRun:
    admin_email: str
    admin_password: str | None  # only when the admin was created by this run
    demo: DemoReport | None  # only when this run loaded the demo


def first_run(session: Session, admin_email: str, *, now: datetime) -> FirstRun:
    """On an empty database: create an administrator with a generated password and the small demo firm."""
    if staff.count_users(session) > 0:
        admin = next(
            (u for u in staff.list_users(session) if is_administrator(Role(u.role)) and u.active),
            None,
        )
        return FirstRun(admin.email if admin else "", None, None)
    password = secrets.token_urlsafe(15)
    admin = User(
        email=checked_email(admin_email),
        name="Administrator",
        role=Role.ADMIN.value,
        created_at=now,
        password_hash=hash_password(password),
    )
    session.add(admin)
    report = DemoReport()
    _add_demo_staff(session, report, now=now)
    _add_demo_firm(session, report, size="small", seed=DEFAULT_SEED, now=now, progress=None)
    session.commit()
    voice.add_client_voice(session, report, seed=DEFAULT_SEED, now=now)
    content.add_content(session, report, seed=DEFAULT_SEED, now=now)
    _rebuild_awareness(session, report, now=now)
    _add_campaigns(session, report, now=now)
    advocacy_history.add_advocacy_history(
        session, report, seed=DEFAULT_SEED, now=now, settings=current_settings()
    )
    _recompute_scores(session, report, now=now)
    _store_analytics(session, report, now=now)
    return FirstRun(admin.email, password, report)
