"""The start of each outbox request, committed just before it leaves, a few at a time.

A message claimed in a batch but never put on the wire cannot have reached the provider: when the
lease of a dead dispatcher runs out, it goes straight back to the queue. Only a message whose start
was committed may have gone out, and waits for the provider's word (see expire_leases).
"""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy.engine import Engine

from advocacy.repository import outbox

# Requests whose start is committed at once, per sender thread: a commit per message would cost
# more CPU than its request; a dispatcher killed meanwhile holds at most these few in doubt.
START_AHEAD_PER_THREAD = 4


class RequestStarts:
    """Commits that requests start, just before they leave, a few at a time.

    A worker about to send the message at `index` of the batch first makes sure its start is
    committed: if not yet, it commits the start of that message and of the next few
    (`ahead`) in one statement. One commit per message would cost more CPU than the request
    itself; a message marked but not yet sent when the process dies is held as `unknown` with
    those under way, so at most a few of a batch wait for nothing, never the whole batch.
    """

    def __init__(
        self, engine: Engine, ids: list[int], *, worker_id: str, now: datetime, ahead: int
    ) -> None:
        self._engine = engine
        self._ids = ids
        self._worker_id = worker_id
        self._now = now
        self._ahead = ahead
        self._held: dict[int, bool] = {}
        self._next = 0
        self._lock = threading.Lock()

    def may_send(self, index: int) -> bool:
        """Whether the message at `index` may go: its start is committed under this lease."""
        with self._lock:
            if index >= self._next:
                end = max(index + 1, self._next + self._ahead)
                chunk = self._ids[self._next : end]
                with self._engine.begin() as connection:
                    held = outbox.mark_requests_started(
                        connection, chunk, worker_id=self._worker_id, at=self._now
                    )
                self._held.update((message_id, message_id in held) for message_id in chunk)
                self._next = self._next + len(chunk)
            return self._held[self._ids[index]]
