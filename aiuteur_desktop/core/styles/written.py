"""Written style libraries in LanceDB under the app library (PRD §2.2).

A library is a named set of sample documents, chunked along natural
boundaries (`core/styles/chunks.py`) and embedded by one embedder, which the
library records; retrieval prefers the chunk kind the task wants.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from aiuteur_desktop.core.app import paths
from aiuteur_desktop.core.app.catalogue import Catalogue, StyleLibraryError
from aiuteur_desktop.core.context import StyleChunk
from aiuteur_desktop.core.styles.chunks import chunk_text, task_kind
from aiuteur_desktop.core.styles.lance import LazyLanceDB, indexed

TABLE = "written_chunks"
#: From this many chunks on, searches use an IVF-PQ vector index (exact search below it).
INDEX_AT = 4096
#: Texts per embedding call: progress and cancel points during ingest and re-embedding.
BATCH = 64
#: The shipped library that means "no particular style": neutral descriptive prose.
NEUTRAL = "Neutral (no style)"

Progress = Callable[[float], None]
Cancelled = Callable[[], bool]


class IngestCancelled(Exception):
    """The user cancelled an ingest or re-embedding; nothing of it was kept."""


def table_name(embedder_id: str) -> str:
    """Vectors from different embedders have different sizes: one table per embedder."""
    if embedder_id == "offline:minilm":
        return TABLE
    return TABLE + "__" + re.sub(r"[^a-z0-9]+", "_", embedder_id.lower()).strip("_")


class Embedder(Protocol):
    id: str

    def embed_texts(self, texts: list[str], model: str = ...) -> list[list[float]]: ...


@dataclass(frozen=True)
class LibraryInfo:
    name: str
    embedder: str
    description: str
    documents: tuple[str, ...]


def _sql(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class WrittenStyles(LazyLanceDB):
    """Every written style library of this user, stored under `<app home>/styles/`."""

    def __init__(
        self,
        embedder: Embedder,
        home: Path | None = None,
        *,
        resolve: Callable[[str], Embedder] | None = None,
    ) -> None:
        """`embedder` builds new libraries; `resolve` finds the embedder of a library built
        with another one (cloud embedders need the user's key)."""
        self.root = paths.ensure_dir((home or paths.app_home()) / "styles")
        self.embedder = embedder
        self._resolve = resolve
        self._lock = threading.RLock()
        self._catalogue = Catalogue(
            self.root / "written.json",
            "written style",
            {"embedder": str, "description": str, "documents": list},
            required=("embedder", "documents"),
        )
        self._meta = self._catalogue.load
        self._save_meta = self._catalogue.save

    def libraries(self) -> list[LibraryInfo]:
        return [
            LibraryInfo(
                name, v["embedder"], v.get("description", ""), tuple(v.get("documents", []))
            )
            for name, v in sorted(self._meta()["libraries"].items())
        ]

    def create(self, name: str, description: str = "") -> LibraryInfo:
        name = " ".join(name.split())
        with self._lock:
            meta = self._meta()
            name = self._catalogue.check_new_name(meta, name)
            meta["libraries"][name] = {
                "embedder": self.embedder.id,
                "description": description,
                "documents": [],
            }
            self._save_meta(meta)
        return self.info(name)

    def info(self, name: str) -> LibraryInfo:
        for lib in self.libraries():
            if lib.name == name:
                return lib
        raise StyleLibraryError(f"There is no written style called “{name}”.")

    @indexed
    def rename(self, old: str, new: str) -> LibraryInfo:
        new = " ".join(new.split())
        with self._lock:
            meta = self._meta()
            lib = self.info(old)
            if new.lower() != old.lower():
                new = self._catalogue.check_new_name(meta, new)
            table = self._table(lib.embedder)
            if table is not None:
                table.update(where=f"library = {_sql(old)}", values={"library": new})
            meta["libraries"][new] = meta["libraries"].pop(old)
            self._save_meta(meta)
        return self.info(new)

    def set_description(self, name: str, description: str) -> None:
        with self._lock:
            meta = self._meta()
            self.info(name)
            meta["libraries"][name]["description"] = description
            self._save_meta(meta)

    @indexed
    def delete(self, name: str) -> None:
        """Delete a library and every passage in it."""
        with self._lock:
            lib = self.info(name)
            table = self._table(lib.embedder)
            if table is not None:
                table.delete(f"library = {_sql(name)}")
            meta = self._meta()
            meta["libraries"].pop(name, None)
            if name == NEUTRAL:
                meta["neutral_removed"] = True  # the user's choice: do not bring it back
            self._save_meta(meta)

    @indexed
    def ensure_neutral(self, samples: dict[str, str]) -> bool:
        """Add the shipped neutral library once (unless the user deleted it). True if added."""
        with self._lock:
            meta = self._meta()
            if meta.get("neutral_removed") or NEUTRAL in meta["libraries"]:
                return False
            self.create(
                NEUTRAL,
                "Neutral, descriptive prose: clear, concrete, present tense, no mannerisms.",
            )
        for document, text in samples.items():
            self.add_document(NEUTRAL, document, text)
        return True

    # ---------------------------------------------------------------- documents
    def _table(self, embedder_id: str = "offline:minilm") -> Any:
        try:
            return self._db.open_table(table_name(embedder_id))
        except (ValueError, FileNotFoundError):  # not created yet: no document added so far
            return None

    def embedder_of(self, library: str) -> Embedder:
        """The embedder that built the library (queries must use the same one)."""
        wanted = self.info(library).embedder
        if wanted == self.embedder.id:
            return self.embedder
        if self._resolve is not None:
            return self._resolve(wanted)
        raise StyleLibraryError(f"“{library}” was built with {wanted}, which is not available.")

    def _embed(
        self,
        embedder: Embedder,
        texts: list[str],
        progress: Progress | None,
        cancelled: Cancelled | None,
    ) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), BATCH):
            if cancelled is not None and cancelled():
                raise IngestCancelled()
            vectors.extend(embedder.embed_texts(texts[start : start + BATCH]))
            if progress is not None:
                progress(min(1.0, (start + BATCH) / max(1, len(texts))))
        if cancelled is not None and cancelled():
            raise IngestCancelled()
        return vectors

    @indexed
    def add_document(
        self,
        library: str,
        document: str,
        text: str,
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> int:
        """Chunk, embed and store a document (replacing one of the same name); returns how many
        chunks it gave. Cancelling keeps the library as it was."""
        lib = self.info(library)
        embedder = self.embedder_of(library)
        chunks = chunk_text(text, document)
        if not chunks:
            raise StyleLibraryError(f"{document} has no text to learn a style from.")
        vectors = self._embed(embedder, [c.text for c in chunks], progress, cancelled)
        rows = [
            {
                "id": uuid.uuid4().hex,
                "library": library,
                "doc": document,
                "position": c.position,
                "kind": c.kind,
                "text": c.text,
                "vector": v,
            }
            for c, v in zip(chunks, vectors, strict=True)
        ]
        with self._lock:
            self.remove_document(library, document, _keep_listing=True)
            table = self._table(lib.embedder)
            if table is None:
                table = self._db.create_table(table_name(lib.embedder), data=rows)
            else:
                table.add(rows)
            self._maintain_index(table)
            meta = self._meta()
            docs = meta["libraries"][library]["documents"]
            if document not in docs:
                docs.append(document)
            self._save_meta(meta)
        return len(rows)

    def _maintain_index(self, table: Any) -> None:
        """Index big tables for fast search. New rows are searched exactly until there are
        enough of them to rebuild the index in one piece (many small index segments make
        every query slower)."""
        from lancedb.index import IvfPq

        rows = table.count_rows()
        if rows < INDEX_AT:
            return
        idx = next((i for i in table.list_indices() if i.name == "vector_idx"), None)
        stale = idx is not None and (
            getattr(idx, "num_unindexed_rows", 0) > max(2048, rows // 5)
            or getattr(idx, "num_segments", 1) > 1
        )
        if idx is None or stale:
            table.create_index(
                "vector",  # with a config, lancedb 0.40 takes the column name first
                config=IvfPq(num_partitions=max(8, int(rows**0.5) // 2), num_sub_vectors=32),
                name="vector_idx",
                replace=True,
            )
            table.create_scalar_index("library", index_type="BITMAP", name="library_idx")

    @indexed
    def reembed(
        self,
        library: str,
        embedder: Embedder,
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> int:
        """Embed every passage again with another embedder and switch the library to it.
        Until the last batch is in, the library keeps working with its old embedder; a
        cancel (or a crash) leaves it exactly as it was."""
        lib = self.info(library)
        if lib.embedder == embedder.id:
            return self.count(library)
        old = self._table(lib.embedder)
        rows = (
            []
            if old is None
            else old.search().where(f"library = {_sql(library)}").limit(1_000_000).to_list()
        )
        vectors = self._embed(embedder, [r["text"] for r in rows], progress, cancelled)
        new_rows = [
            {k: r[k] for k in ("id", "library", "doc", "position", "kind", "text")} | {"vector": v}
            for r, v in zip(rows, vectors, strict=True)
        ]
        with self._lock:
            target = self._table(embedder.id)
            if target is not None:  # leftovers of an interrupted earlier attempt
                target.delete(f"library = {_sql(library)}")
            if new_rows:
                if target is None:
                    target = self._db.create_table(table_name(embedder.id), data=new_rows)
                else:
                    target.add(new_rows)
                self._maintain_index(target)
            meta = self._meta()
            meta["libraries"][library]["embedder"] = embedder.id
            self._save_meta(meta)
            if old is not None:
                old.delete(f"library = {_sql(library)}")
        return len(new_rows)

    @indexed
    def remove_document(self, library: str, document: str, *, _keep_listing: bool = False) -> None:
        with self._lock:
            table = self._table(self.info(library).embedder)
            if table is not None:
                table.delete(f"library = {_sql(library)} AND doc = {_sql(document)}")
            if not _keep_listing:
                meta = self._meta()
                docs = meta["libraries"].get(library, {}).get("documents", [])
                if document in docs:
                    docs.remove(document)
                    self._save_meta(meta)

    @indexed
    def chunks(self, library: str, limit: int = 100_000) -> list[dict[str, Any]]:
        table = self._table(self.info(library).embedder)
        if table is None:
            return []
        rows = table.search().where(f"library = {_sql(library)}").limit(limit).to_list()
        return sorted(
            ({k: r[k] for k in ("id", "doc", "position", "kind", "text")} for r in rows),
            key=lambda r: (r["doc"], r["position"]),
        )

    @indexed
    def count(self, library: str) -> int:
        table = self._table(self.info(library).embedder)
        return 0 if table is None else int(table.count_rows(f"library = {_sql(library)}"))

    # ----------------------------------------------------------------- retrieval
    @indexed
    def retrieve(self, library: str, query: str, k: int = 4, *, task: str = "") -> list[StyleChunk]:
        """The k chunks closest to `query`, of the kind the task wants when there are any."""
        table = self._table(self.info(library).embedder)
        if table is None:
            return []
        vector = self.embedder_of(library).embed_texts([query])[0]
        where = f"library = {_sql(library)}"
        wanted = task_kind(task)
        rows: list[dict[str, Any]] = []
        if wanted:
            rows = (
                table.search(vector).where(f"{where} AND kind = {_sql(wanted)}").limit(k).to_list()
            )
        if len(rows) < k:
            seen = {r["id"] for r in rows}
            more = table.search(vector).where(where).limit(k + len(rows)).to_list()
            rows += [r for r in more if r["id"] not in seen][: k - len(rows)]
        return [
            StyleChunk(
                f"{library}/{r['doc']}#{r['position']}",
                r["text"],
                round(1.0 - float(r["_distance"]) / 2.0, 4),
            )
            for r in rows
        ]
