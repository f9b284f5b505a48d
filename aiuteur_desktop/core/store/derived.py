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
from typing import TYPE_CHECKING, Any, TypeVar

T = TypeVar("T")

#: What the derived values may stand for, counted as the bytes of their stored documents.
BUDGET_BYTES = 64 * 1024 * 1024
#: What a view of several documents is counted as.
VIEW_WEIGHT = 64 * 1024


class DerivedCache:
    """(derivation name, object id) → value, least recently used dropped past `budget`."""

    def __init__(self, budget: int = BUDGET_BYTES) -> None:
        self.budget = budget
        self._items: OrderedDict[tuple[str, str], tuple[Any, int]] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()
        self.made = 0  # derivations computed (for tests and benchmarks)

    def get_or_make(self, key: tuple[str, str], make: Callable[[], tuple[T, int | None]]) -> T:
        """The value kept under `key`, or `make()` → (value, its documents' size) kept; a
        size of None: the value is returned but not kept (it may not be what `key` names)."""
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit[0]
        value, weight = make()  # outside the lock: a parse may take a while
        with self._lock:
            self.made += 1
            if weight is None:
                return value
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


class DerivedViews:
    """`Project`'s derived views (mixed in): a document's derivation kept by its object id,
    and a view of several documents kept by the draft's root tree."""

    _derived: DerivedCache
    _cache: dict[str, Any]

    if TYPE_CHECKING:  # Project's own

        def _get(self, conn: Any, oid: str) -> Any: ...
        def _draft_entry(self, path: str, branch: str | None) -> tuple[str, str] | None: ...
        def _draft_root(self, branch: str | None) -> str: ...

    def derived(
        self, path: str, name: str, compute: Callable[[Any], T], *, branch: str | None = None
    ) -> T | None:
        """`compute(the document at path)`, kept by the document's content; None without a
        document. The value is shared: immutable values only."""
        entry = self._draft_entry(path, branch)
        if entry is None or entry[0] != "blob":
            return None
        oid = entry[1]

        def make() -> tuple[T, int | None]:
            doc, raw = self._get(None, oid), self._cache.get(oid)
            return compute(doc), len(raw) if isinstance(raw, bytes) else 4096

        return self._derived.get_or_make((name, oid), make)

    def remember(self, key: tuple[str, str], compute: Callable[[], T], weight: int) -> T:
        """`compute()` kept under `key`, which must name everything the value depends on (a
        hash of the content it was derived from); counted as `weight` bytes."""
        return self._derived.get_or_make(key, lambda: (compute(), weight))

    def at_draft(self, name: str, compute: Callable[[], T], *, branch: str | None = None) -> T:
        """`compute()` kept by the branch draft's whole content (its root tree): a view of
        several documents, made again after any change. Immutable values only."""
        root = self._draft_root(branch)

        def make() -> tuple[T, int | None]:
            value = compute()
            # Kept only if nothing was written meanwhile (a worker's commit): what it read
            # must be what its key names, or an undo back to `root` would be shown this.
            return value, VIEW_WEIGHT if self._draft_root(branch) == root else None

        return self._derived.get_or_make((name, root), make)
