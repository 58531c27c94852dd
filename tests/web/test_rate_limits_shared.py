"""Several web processes count failed sign-ins together when their counters live in Redis."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import need, port_open

# One web process: an app of its own (its own limiter storage), failed sign-ins from one address.
ATTEMPTS = """
import json, sys
from advocacy.app import create_app
from tests.conftest import settings_overrides
from tests.factories import sign_in

url, instance, storage, email, address, count = sys.argv[1:]
app = create_app(settings_overrides(url, instance, ratelimit_storage_uri=storage))
client = app.test_client()
client.environ_base["REMOTE_ADDR"] = address
codes = [sign_in(client, email, "wrong password").status_code for _ in range(int(count))]
print(json.dumps(codes))
"""


def _process_attempts(
    database_url: str, tmp_path: Path, storage: str, email: str, address: str, count: int
) -> list[int]:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            ATTEMPTS,
            database_url,
            str(tmp_path / "instance"),
            storage,
            email,
            address,
            str(count),
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("storage", "shared"), [("redis://127.0.0.1:6379/0", True), ("memory://", False)]
)
def test_failed_sign_ins_are_counted_across_processes_only_with_redis(
    database_url: str, tmp_path: Path, storage: str, shared: bool
) -> None:
    if storage.startswith("redis"):
        need(port_open("127.0.0.1", 6379), "no Redis server at 127.0.0.1:6379")
    # Fresh keys per run: the counters outlive the processes (that is the point).
    email = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"

    first = _process_attempts(database_url, tmp_path, storage, email, address, 3)
    second = _process_attempts(database_url, tmp_path, storage, email, address, 3)

    assert 429 not in first
    # Five failed attempts per address and account (the default): the second process's third
    # attempt is the sixth the firm has seen.
    assert (second[-1] == 429) is shared
    assert 429 not in second[:2]
