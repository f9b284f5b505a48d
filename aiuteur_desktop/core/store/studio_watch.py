"""Hearing a studio project's commits as they land (PostgreSQL LISTEN/NOTIFY): one
connection of its own, on a thread of its own, per open window of the project. A connection
lost (the server restarted, the network dropped) is tried again every few seconds; nothing
is missed for good — a window that heard nothing for a while still reads the newest heads
whenever it reads."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable

from sqlalchemy.engine import URL

log = logging.getLogger(__name__)

#: How long a wait for an announcement lasts before the thread looks at its stop flag.
WAIT_S = 0.25
#: How long after a lost connection the thread tries again.
RETRY_S = 3.0


class Watch:
    def __init__(self, url: URL, channel: str, heard: Callable[[dict[str, str]], None]) -> None:
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._channel = channel
        self._heard = heard
        self._stop = threading.Event()
        self.listening = threading.Event()  # set once LISTEN is in place (tests wait on it)

    def start(self) -> Watch:
        threading.Thread(target=self._run, name="studio-watch", daemon=True).start()
        return self

    def stop(self) -> None:
        """No more announcements (the thread ends within a moment)."""
        self._stop.set()

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=10) as conn:
                    conn.execute(f'LISTEN "{self._channel}"')
                    self.listening.set()
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=WAIT_S):
                            self._deliver(note.payload)
            except psycopg.Error as exc:
                self.listening.clear()
                log.warning("studio: listening for commits failed (%s); trying again", exc)
                self._stop.wait(RETRY_S)

    def _deliver(self, payload: str) -> None:
        try:
            announcement = json.loads(payload)
        except ValueError:
            return
        if isinstance(announcement, dict):
            try:
                self._heard({str(k): str(v or "") for k, v in announcement.items()})
            except Exception:  # one listener's failure never stops the hearing
                log.exception("studio: a commit's listener failed")
