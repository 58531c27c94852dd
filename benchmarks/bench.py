"""`python3 dev.py bench`: the product's figures on the demo firm, written to docs/benchmarks.md.

    python3 dev.py bench [--quick] [--reuse PATH|URL] [--database-url URL] [--output FILE]
        [--seconds N] [--users N] [--workers N] [--only KEYS] [--no-scripts]

The demo firm: `--reuse` names a kept one (an SQLite file, or a PostgreSQL database with the demo
loaded); otherwise the large firm is built once into instance/bench/ (gitignored) and reused after,
or with `--quick` a small firm is built afresh into a temporary folder (seconds). With
`--database-url` (a PostgreSQL server) the firm is loaded into a scratch database beside the one
named, dropped at the end. Then gunicorn starts with the production settings and the command line
of deploy/advocacy-web.service, and locust (headless, 10 users, no think time) asks for one page at
a time for `--seconds`, `/healthz` first and last as the reference. Then the other benchmark
scripts run, each in its own process: nurture planning, score recompute, mail dispatch, CSV import
(demo generation is measured while building the firm, so not when reusing one).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import bench_firm  # noqa: E402
import bench_report  # noqa: E402
import bench_scripts  # noqa: E402
import bench_web  # noqa: E402

CACHE = ROOT / "instance" / "bench"
API_LISTS = (
    "accounts", "contacts", "engagements", "touchpoints", "check-ins", "referrals",
    "survey-answers", "testimonials", "content", "service-lines",
)  # fmt: skip
KEYS = (
    "healthz", "sign-in", "my-week", "accounts", "account", "contact", "advocates", "library",
    "analytics", *(f"api-{name}" for name in API_LISTS),
)  # fmt: skip


def pages(firm: bench_firm.Firm) -> list[bench_web.Page]:
    """Every figure of the web table, `/healthz` first (it is asked for again at the end)."""
    Page = bench_web.Page
    # The figure is page 50 of the large firm's list; a small firm has fewer pages. The
    # page is asked for as its Next link does (keyset paging: no walk over the pages before).
    list_page = 50 if firm.counts["accounts"] >= 5_000 else 2
    after = firm.list_cursors.get(list_page)
    list_path = f"/accounts?page={list_page}" + (f"&after={after}" if after else "")
    found = [
        Page("healthz", "`/healthz` (the reference)", ["/healthz"], "none", 0, None),
        Page("sign-in", "sign-in (password, `POST /login`)", ["/login"], "sign-in"),
        Page("my-week", "My week (`/`)", ["/"]),
        Page("accounts", f"accounts list (`{list_path}`, from the Next link)", [list_path]),
        Page(
            "account",
            f"an account page (`/accounts/<id>`, {len(firm.account_ids)} accounts)",
            [f"/accounts/{n}" for n in firm.account_ids],
        ),
        Page(
            "contact",
            f"a contact page (`/contacts/<id>`, {len(firm.contact_ids)} contacts)",
            [f"/contacts/{n}" for n in firm.contact_ids],
        ),
        Page("advocates", "advocates (`/advocates`)", ["/advocates"]),
        Page("library", "library (`/library`)", ["/library"]),
        Page(
            "analytics", "analytics dashboard (`/analytics`)", ["/analytics"], "cookie", 500, None
        ),
    ]
    found += [
        Page(f"api-{name}", f"API `GET /api/v1/{name}`", [f"/api/v1/{name}"], "token")
        for name in API_LISTS
    ]
    return found


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="dev.py bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small firm, short runs")
    parser.add_argument("--reuse", help="a kept demo firm: SQLite file or PostgreSQL URL")
    parser.add_argument("--database-url", default="", help="a PostgreSQL server (scratch database)")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--seconds", type=float, help="locust run per page (10; --quick 4)")
    parser.add_argument("--users", type=int, default=10, help="concurrent locust users")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--only", help="comma-separated page keys (healthz is always run)")
    parser.add_argument("--no-scripts", action="store_true", help="pages only, no job scripts")
    args = parser.parse_args(argv)
    if args.database_url and not args.database_url.startswith("postgresql"):
        parser.error("--database-url must be a PostgreSQL URL (SQLite is the default)")
    if args.only and (unknown := set(args.only.split(",")) - set(KEYS)):
        parser.error(f"--only: unknown {', '.join(sorted(unknown))}; known: {', '.join(KEYS)}")
    if args.seconds is None:
        args.seconds = 4.0 if args.quick else 10.0
    if args.seconds <= 0 or args.users < 1 or args.workers < 1:
        parser.error("--seconds, --users and --workers must be positive")
    return args


def say(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


def not_generated(run: bench_report.Run, where: str) -> None:
    run.firm_source = f"reused from `{where}`; demo generation not measured"
    run.figures.append(
        bench_scripts.Figure(
            "demo",
            "demo generation",
            "not measured: the firm was reused",
            judged=False,
            note="build a firm (no --reuse) to measure it",
        )
    )


def the_firm(args: argparse.Namespace, scratch: Path, run: bench_report.Run) -> str:
    """The firm's database URL; builds it when needed (its generation is then a figure)."""
    size = "small" if args.quick else "large"
    run.size = size
    if args.reuse and args.reuse.startswith("postgresql"):
        not_generated(run, args.reuse.rsplit("/", 1)[-1])
        return str(args.reuse)
    if args.database_url:
        url = bench_firm.create_scratch_database(args.database_url)
        run.scratch.append(url)
        say(f"loading the {size} demo firm into {url.rsplit('/', 1)[-1]}")
        run.figures.append(bench_scripts.demo_database(url, size))
        run.firm_source = "loaded in this run into a scratch database"
        return url
    if args.reuse:
        path = Path(args.reuse).resolve()
        if not path.is_file():
            raise SystemExit(f"--reuse {path}: no such file")
        not_generated(run, path.name)
        return f"sqlite:///{path}"
    path = scratch / "demo-small.sqlite" if args.quick else CACHE / "demo-large.sqlite"
    if path.exists():
        not_generated(run, str(path.relative_to(ROOT)))
        return f"sqlite:///{path}"
    path.parent.mkdir(parents=True, exist_ok=True)
    say(f"building the {size} demo firm into {path}")
    run.figures.append(bench_scripts.demo_sqlite(size, path))
    run.firm_source = "built in this run" + (
        "" if args.quick else f" into `{path.relative_to(ROOT)}`"
    )
    return f"sqlite:///{path}"


def measure_pages(args: argparse.Namespace, firm: bench_firm.Firm, run: bench_report.Run) -> None:
    wanted = set(args.only.split(",")) if args.only else None
    chosen = [p for p in pages(firm) if wanted is None or p.key in wanted or p.key == "healthz"]
    say(f"starting gunicorn: {args.workers} workers × {bench_web.THREADS} threads")
    server = bench_web.start_server(firm.url, args.workers)
    try:
        cookie, _ = bench_web.sign_in(server, firm.email, firm.password)
        sign = f"{firm.email}\n{firm.password}"
        alone = {
            page.key: bench_web.warm_up(server, page, cookie, firm.token)
            for page in chosen
            if page.auth != "sign-in"
        }
        for page in [*chosen, chosen[0]]:
            say(f"locust: {args.users} users, {args.seconds:g} s, {page.key}")
            measured = bench_web.run_locust(
                server,
                page,
                users=args.users,
                seconds=args.seconds,
                cookie=cookie,
                token=firm.token,
                sign=sign,
            )
            measured.alone_ms = alone.get(page.key, 0.0)
            run.pages.append(measured)
        run.web_memory = bench_web.peak_memory_mb(server)
    finally:
        bench_web.stop_server(server)
    if any(p.key == "sign-in" for p in chosen):
        run.argon2_ms = bench_web.argon2_verify_ms()


def measure_scripts(args: argparse.Namespace, run: bench_report.Run, sqlite: Path | None) -> None:
    quick = args.quick
    server = args.database_url or (run.url if run.url.startswith("postgresql") else "")

    def scratch() -> str:
        if not server:
            return ""
        url = bench_firm.create_scratch_database(server)
        run.scratch.append(url)
        return url

    say("analytics pages, one at a time, filtered and not")
    run.figures.append(bench_scripts.analytics(run.url, sqlite))
    say("nurture planning")
    run.figures.append(bench_scripts.nurture(5_000 if quick else 100_000, server))
    say("score recompute")
    run.figures.append(bench_scripts.score(run.url, sqlite))
    say("mail dispatch")
    run.figures.append(bench_scripts.mail(1_000 if quick else 10_000, 1 if quick else 3, scratch()))
    say("CSV import")
    rows, accounts = (10_000, 200) if quick else (100_000, 2_000)
    run.figures.append(bench_scripts.csv_import(rows, accounts, scratch()))


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    run = bench_report.Run(started=datetime.now(UTC), quick=args.quick, users=args.users,
                           seconds=args.seconds, workers=args.workers)  # fmt: skip
    run.load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="advocacy-bench-") as folder:
        try:
            run.url = the_firm(args, Path(folder), run)
            say("preparing the firm: migrations, a staff password, an API token")
            firm = bench_firm.prepare(run.url)
            run.counts = firm.counts
            say("storing the analytics answers, as the hourly job does")
            run.analytics_s = bench_firm.store_analytics(run.url)
            try:
                measure_pages(args, firm, run)
            finally:
                bench_firm.forget_token(firm)
            if not args.no_scripts:
                sqlite = Path(run.url.removeprefix("sqlite:///")) if "sqlite" in run.url else None
                measure_scripts(args, run, sqlite)
            run.load_after = os.getloadavg()
            run.database = bench_report.database_version(run.url)
        finally:
            admin = args.database_url or (args.reuse or "")
            for url in run.scratch:
                bench_firm.drop_scratch_database(url, admin)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    previous = args.output.read_text() if args.output.is_file() else ""
    args.output.write_text(bench_report.markdown(run, previous))
    say(f"written {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
