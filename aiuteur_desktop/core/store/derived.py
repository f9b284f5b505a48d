"""Values derived from stored documents, kept by the content they were derived from (issue "A
feature film's screenplay, at the speed of a short").

The store is content-addressed, so a derivation of a document — the Master Script parsed
into a screenplay, say — is the same for as long as the document's object id is: it is made
once and read back by that id, whichever branch, draft or version holds the content. Nothing
is invalidated by time or by an edit notice; an edit makes a new object, hence a new key.
The cache is a least-recently-used one bounded by the size of the documents behind it, so
visiting every scene of a feature film keeps memory flat.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

#: What the derived values may stand for, counted as the bytes of their stored documents.
BUDGET_BYTES = 64 * 1024 * 1024


class DerivedCache:
    """(derivation name, object id) → value, least recently used dropped past `budget`."""

    def __init__(self, budget: int = BUDGET_BYTES) -> None:
        self.budget = budget
        self._items: OrderedDict[tuple[str, str], tuple[Any, int]] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()
        self.made = 0  # derivations computed (for tests and benchmarks)

    def get_or_make(self, key: tuple[str, str], make: Callable[[], tuple[T, int]]) -> T:
        """The value kept under `key`, or `make()` → (value, its documents' size) kept."""
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit[0]
        value, weight = make()  # outside the lock: a parse may take a while
        with self._lock:
            self.made += 1
            if key not in self._items:
                self._items[key] = (value, weight)
                self._weight += weight
            while self._weight > self.budget and len(self._items) > 1:
                _, (_, dropped) = self._items.popitem(last=False)
                self._weight -= dropped
        return value

    def __len__(self) -> int:
        return len(self._items)

    @property
    def weight(self) -> int:
        return self._weight
