"""The layers of ARCHITECTURE.md hold: `lint-imports` checks the contracts in pyproject.toml, and
mypy the types (strict on the domain and the use cases)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_of_the_layers_are_kept() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_architecture_document_names_every_package_of_the_product() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text()
    packages = sorted(path.parent.name for path in (ROOT / "advocacy").glob("*/__init__.py"))
    missing = [name for name in packages if f"advocacy/{name}" not in text]
    assert not missing, f"ARCHITECTURE.md does not describe {missing}"


def test_the_type_checker_passes(tmp_path: Path) -> None:
    # Configuration in pyproject.toml: the rules and use cases strict, the rest checked as typed.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
