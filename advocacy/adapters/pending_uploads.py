"""Uploaded import files kept on disk between the steps of an import, for a short time.

The session cookie is too small (and too exposed) to carry a file, so the file waits in the
instance folder under a random name, with a small JSON note saying who uploaded it and when.
Files older than `max_age` are removed whenever a new one arrives.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


@dataclass(frozen=True)
class PendingUpload:
    token: str
    user_id: int
    kind: str
    filename: str
    uploaded_at: datetime
    data: bytes


class PendingUploads:
    def __init__(self, folder: Path, *, max_age: timedelta) -> None:
        self.folder, self.max_age = folder, max_age

    def _paths(self, token: str) -> tuple[Path, Path]:
        return self.folder / f"{token}.csv", self.folder / f"{token}.json"

    def put(self, data: bytes, *, user_id: int, kind: str, filename: str, now: datetime) -> str:
        """Keep a file; return the token that finds it again."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.purge(now)
        token = secrets.token_urlsafe(24)
        content, note = self._paths(token)
        content.write_bytes(data)
        note.write_text(
            json.dumps(
                {
                    "user_id": user_id,
                    "kind": kind,
                    "filename": filename[:200],
                    "uploaded_at": now.isoformat(),
                }
            ),
            encoding="utf-8",
        )
        return token

    def get(self, token: str, *, user_id: int, now: datetime) -> PendingUpload | None:
        """The file behind `token`, if it is this user's and not expired."""
        if not TOKEN.match(token):
            return None
        content, note = self._paths(token)
        try:
            meta = json.loads(note.read_text(encoding="utf-8"))
            uploaded_at = datetime.fromisoformat(meta["uploaded_at"])
            if meta["user_id"] != user_id or now - uploaded_at > self.max_age:
                return None
            data = content.read_bytes()
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return PendingUpload(token, user_id, meta["kind"], meta["filename"], uploaded_at, data)

    def drop(self, token: str) -> None:
        if TOKEN.match(token):
            for path in self._paths(token):
                path.unlink(missing_ok=True)

    def purge(self, now: datetime) -> None:
        """Remove files older than max_age (by modification time)."""
        if not self.folder.is_dir():
            return
        limit = now.timestamp() - self.max_age.total_seconds()
        for path in self.folder.iterdir():
            try:
                if path.suffix in {".csv", ".json"} and path.stat().st_mtime < limit:
                    path.unlink(missing_ok=True)
            except OSError:
                continue
