"""The deployment files in deploy/: the systemd units parse, and what they run exists."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from advocacy.settings import Settings
from tests.conftest import need

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = ("advocacy-web.service", "advocacy-jobs.service", "advocacy-migrate.service")
INSTALL = "/srv/advocacy"


def _exec_start(unit: str) -> list[str]:
    text = (DEPLOY / unit).read_text().replace("\\\n", " ")
    line = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


def _installed_here(folder: Path, broken: str | None = None) -> list[Path]:
    """The units as they would be installed on this machine: its venv, a user that exists."""
    venv = Path(sys.prefix)
    (folder / "instance").mkdir()
    (folder / "advocacy.env").write_text("ADVOCACY_ENV=production\n")
    written = []
    for unit in UNITS:
        text = (DEPLOY / unit).read_text()
        text = text.replace(f"{INSTALL}/.venv", str(venv)).replace(INSTALL, str(folder))
        text = text.replace("/etc/advocacy/advocacy.env", str(folder / "advocacy.env"))
        text = re.sub(r"^(User|Group)=advocacy$", r"\1=root", text, flags=re.MULTILINE)
        if broken:
            text = text.replace(f"{venv}/bin/{broken}", f"{venv}/bin/{broken}-missing")
        (folder / unit).write_text(text)
        written.append(folder / unit)
    return written


def _verify(units: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *map(str, units)],
        capture_output=True,
        text=True,
        check=False,
        cwd=units[0].parent,
        env={**os.environ, "SYSTEMD_UNIT_PATH": f"{units[0].parent}:"},
    )


def _test_environment(database_url: str, instance: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ADVOCACY_ENV": "test",
        "ADVOCACY_DATABASE_URL": database_url,
        "ADVOCACY_INSTANCE_PATH": str(instance),
    }


@pytest.fixture
def systemd_analyze() -> None:
    need(shutil.which("systemd-analyze") is not None, "systemd-analyze is not installed")


@pytest.mark.usefixtures("systemd_analyze")
def test_the_systemd_units_verify(tmp_path: Path) -> None:
    done = _verify(_installed_here(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.usefixtures("systemd_analyze")
def test_the_unit_check_catches_a_command_that_does_not_exist(tmp_path: Path) -> None:
    done = _verify(_installed_here(tmp_path, broken="gunicorn"))
    assert done.returncode != 0
    assert "gunicorn-missing" in done.stderr


@pytest.mark.parametrize("unit", ["advocacy-jobs.service", "advocacy-migrate.service"])
def test_the_advocacy_commands_of_the_units_exist(
    database_url: str, tmp_path: Path, unit: str
) -> None:
    program, *arguments = _exec_start(unit)
    assert program == f"{INSTALL}/.venv/bin/advocacy"
    result = subprocess.run(
        [sys.executable, "-m", "advocacy", *arguments, "--help"],
        capture_output=True,
        text=True,
        check=False,
        env=_test_environment(database_url, tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Usage: advocacy " + " ".join(arguments) in result.stdout


def test_gunicorn_loads_the_app_the_web_unit_names(database_url: str, tmp_path: Path) -> None:
    command = _exec_start("advocacy-web.service")
    assert command[0] == f"{INSTALL}/.venv/bin/gunicorn"
    target = command[-1]
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from gunicorn.util import import_app; print(import_app(sys.argv[1]).name)",
            target,
        ],
        capture_output=True,
        text=True,
        check=False,
        env=_test_environment(database_url, tmp_path),
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "advocacy"


def test_the_example_environment_names_only_real_settings() -> None:
    known = {f"ADVOCACY_{setting.name.upper()}" for setting in fields(Settings)}
    named = {
        line.split("=", 1)[0]
        for line in (DEPLOY / "advocacy.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert named and named <= known, named - known
