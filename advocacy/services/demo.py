"""Demo data and the first start of a new installation."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from advocacy import repository
from advocacy.adapters.passwords import hash_password
from advocacy.domain.identity import Role
from advocacy.models import User
from advocacy.services.identity import checked_email

DEMO_DOMAIN = "demo.advocacy.example"
# Staff of the demo firm. They are invited (no password): an admin sends them their link, which
# keeps a public demo from shipping well-known passwords.
DEMO_STAFF: tuple[tuple[str, str, Role], ...] = (
    ("camille.durand", "Camille Durand", Role.ACCOUNT_MANAGER),
    ("sam.okafor", "Sam Okafor", Role.ACCOUNT_MANAGER),
    ("lea.martin", "Léa Martin", Role.ACCOUNT_MANAGER),
    ("jordan.lee", "Jordan Lee", Role.MARKETING),
)
SIZES = ("small", "large")


@dataclass
class DemoReport:
    created: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, *, created: bool) -> None:
        target = self.created if created else self.skipped
        target[kind] = target.get(kind, 0) + 1


def _add_demo_staff(session: Session, report: DemoReport, *, now: datetime) -> None:
    for local_part, name, role in DEMO_STAFF:
        email = f"{local_part}@{DEMO_DOMAIN}"
        if repository.user_by_email(session, email) is not None:
            report.count("staff", created=False)
            continue
        session.add(User(email=email, name=name, role=role.value, created_at=now, invited_at=now))
        report.count("staff", created=True)
    session.flush()


def load_demo(session: Session, *, size: str, now: datetime) -> DemoReport:
    """Add the demo firm; running it again adds nothing twice."""
    if size not in SIZES:
        raise ValueError(f"unknown demo size {size!r}; expected one of {', '.join(SIZES)}")
    report = DemoReport()
    _add_demo_staff(session, report, now=now)
    session.commit()
    return report


@dataclass(frozen=True)
class FirstRun:
    admin_email: str
    admin_password: str | None  # only when the admin was created by this run
    demo: DemoReport | None  # only when this run loaded the demo


def first_run(session: Session, admin_email: str, *, now: datetime) -> FirstRun:
    """On an empty database: create an administrator with a generated password and the demo firm."""
    if repository.count_users(session) > 0:
        admin = next(
            (u for u in repository.list_users(session) if u.role == Role.ADMIN and u.active), None
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
    session.commit()
    return FirstRun(admin.email, password, report)
