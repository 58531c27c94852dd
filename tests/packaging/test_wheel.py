"""A wheel carries templates, config, migrations and static files, and runs without the source tree."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    return next(out.glob("advocacy-*.whl"))


def test_the_wheel_bundles_every_folder_the_app_reads(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "advocacy/_bundled/templates/base.html",
        "advocacy/_bundled/config/default.toml",
        "advocacy/_bundled/migrations/env.py",
        "advocacy/_bundled/migrations/versions/0001_foundation.py",
        "advocacy/_bundled/static/advocacy.css",
        "jobs/definitions.py",
    ):
        assert expected in names, f"{expected} missing from the wheel"
    assert not any(name.startswith("tests/") for name in names)


def test_the_installed_wheel_migrates_and_serves_the_sign_in_page(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = (
        "import advocacy, sys\n"
        f"assert advocacy.__file__.startswith({str(site)!r}), advocacy.__file__\n"
        "from advocacy import migrate\n"
        "from advocacy.settings import load_settings, database_url\n"
        "migrate.upgrade(database_url(load_settings()))\n"
        "app = advocacy.create_app()\n"
        "page = app.test_client().get('/login')\n"
        "assert page.status_code == 200, page.status_code\n"
        "assert b'csrf_token' in page.data\n"
        "with app.test_client().get('/static/advocacy.css') as css:\n"
        "    assert css.status_code == 200\n"
        "print('ok')\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(site),
        "ADVOCACY_INSTANCE_PATH": str(tmp_path / "instance"),
        "ADVOCACY_LOG_LEVEL": "WARNING",
    }
    env.pop("ADVOCACY_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
