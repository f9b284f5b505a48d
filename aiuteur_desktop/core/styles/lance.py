"""The style libraries' LanceDB connection, made on first use: LanceDB (and pyarrow) take
most of a second to import, and listing or naming libraries needs none of it."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


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


def indexed(method: Callable[..., T]) -> Callable[..., T]:
    """A style-library method that reads or writes the LanceDB index: a damaged index (lance
    raises RuntimeError for a cut manifest, a missing data file, random bytes) is refused
    in one line naming the folder, instead of a Rust error text or a traceback."""

    @functools.wraps(method)
    def guarded(self: Any, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except RuntimeError as exc:
            from aiuteur_desktop.core.app.catalogue import StyleLibraryError

            log.warning("style index %s: %s", self.root / "lancedb", exc)
            raise StyleLibraryError(
                f"The index of your {self._catalogue.kind} libraries is damaged "
                f"({self.root / 'lancedb'}). Nothing was changed. To start the index again, "
                "move that folder aside: the libraries keep their names, and their "
                "documents or references are added again."
            ) from exc

    return guarded
