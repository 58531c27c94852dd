#!/usr/bin/env python3
"""The commands of the README, with nothing but Python 3.11+ installed.

    python3 dev.py run    # virtual environment, install, migrate, first admin + demo, serve :5000
    python3 dev.py test   # virtual environment, install with dev extras, run the whole test suite
    python3 dev.py bench  # the figures of docs/benchmarks.md on the large demo firm (--help)

Standard library only: this file runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("ADVOCACY_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
OIDC_PROVIDER = ROOT / "tests" / "oidc"


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def run(*args: str | os.PathLike[str], **options: object) -> None:
    subprocess.run([str(arg) for arg in args], check=True, **options)  # type: ignore[call-overload]


def ensure_venv() -> None:
    if sys.version_info < (3, 11):
        sys.exit("advocacy needs Python 3.11 or newer; this is " + sys.version.split()[0])
    if not PYTHON.exists():
        say(f"creating the virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True, clear=False).create(VENV)


def ensure_installed(extras: str) -> None:
    """Install the project (editable) unless the same pyproject.toml was installed already."""
    stamp = VENV / f".advocacy-installed{extras}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    say("installing advocacy" + (f" with {extras}" if extras else "") + " (first time: ~1 minute)")
    run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PYTHON, "-m", "pip", "install", "--quiet", "-e", f".{extras}", cwd=ROOT)
    stamp.write_text(digest)


def advocacy(*args: str) -> list[str]:
    return [str(PYTHON), "-m", "advocacy", *args]


def command_run(argv: list[str]) -> int:
    ensure_venv()
    ensure_installed("")
    say("applying database migrations")
    run(*advocacy("db", "upgrade"), cwd=ROOT)
    run(*advocacy("first-run"), cwd=ROOT)
    say("starting the web server and the jobs process (Ctrl-C stops both)")
    serve = advocacy("serve", *argv)
    if os.name == "nt":
        return subprocess.call(serve, cwd=ROOT)
    os.chdir(ROOT)
    os.execv(serve[0], serve)  # the server replaces this process, so Ctrl-C reaches it directly
    return 0


def ensure_oidc_provider() -> None:
    """Install the test OpenID Connect provider's npm packages when node is here (tests skip otherwise)."""
    if (OIDC_PROVIDER / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None or not (OIDC_PROVIDER / "package.json").exists():
        return
    say("installing the test OpenID Connect provider (npm)")
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=OIDC_PROVIDER
    )
    if result.returncode != 0:
        say("npm could not install the test provider; the OpenID Connect tests will say why")


def command_test(argv: list[str]) -> int:
    ensure_venv()
    ensure_installed("[dev]")
    ensure_oidc_provider()
    say(
        "running the test suite"
        + (
            " on " + os.environ["ADVOCACY_TEST_DATABASE_URL"].split("@")[-1]
            if os.environ.get("ADVOCACY_TEST_DATABASE_URL")
            else " on SQLite"
        )
    )
    return subprocess.call([str(PYTHON), "-m", "pytest", *argv], cwd=ROOT)


def command_bench(argv: list[str]) -> int:
    ensure_venv()
    ensure_installed("[dev]")  # locust is a dev extra
    return subprocess.call([str(PYTHON), str(ROOT / "benchmarks" / "bench.py"), *argv], cwd=ROOT)


COMMANDS = {"run": command_run, "test": command_test, "bench": command_bench}


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        return 2
    return COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
