"""The style libraries' LanceDB connection, made on first use: LanceDB (and pyarrow) take
most of a second to import, and listing or naming libraries needs none of it."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any


class LazyLanceDB:
    """Mixin: `self._db` connects to `<root>/lancedb` the first time it is asked for."""

    root: Path
    _lock: threading.RLock
    _connection: Any = None

    @property
    def _db(self) -> Any:
        with self._lock:
            if self._connection is None:
                import lancedb

                self._connection = lancedb.connect(str(self.root / "lancedb"))
            return self._connection
