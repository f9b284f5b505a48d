"""Written style libraries in LanceDB under the app library (PRD §2.2).

A library is a named set of sample documents, chunked along natural
boundaries (`core/style_chunks.py`) and embedded by one embedder, which the
library records; retrieval prefers the chunk kind the task wants.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from aiuteur_desktop.core import paths
from aiuteur_desktop.core.context import StyleChunk
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.style_chunks import chunk_text, task_kind

TABLE = "written_chunks"
#: From this many chunks on, searches use an IVF-PQ vector index (exact search below it).
INDEX_AT = 4096


class Embedder(Protocol):
    id: str

    def embed_texts(self, texts: list[str], model: str = ...) -> list[list[float]]: ...


class StyleLibraryError(AiuteurError):
    """A style library action cannot be done (unknown library, empty document…)."""


@dataclass(frozen=True)
class LibraryInfo:
    name: str
    embedder: str
    description: str
    documents: tuple[str, ...]


def _sql(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class WrittenStyles:
    """Every written style library of this user, stored under `<app home>/styles/`."""

    def __init__(self, embedder: Embedder, home: Path | None = None) -> None:
        import lancedb

        self.root = paths.ensure_dir((home or paths.app_home()) / "styles")
        self.embedder = embedder
        self._db = lancedb.connect(str(self.root / "lancedb"))
        self._lock = threading.RLock()
        self._meta_path = self.root / "written.json"

    # ----------------------------------------------------------------- catalogue
    def _meta(self) -> dict[str, Any]:
        if not self._meta_path.exists():
            return {"libraries": {}}
        return dict(json.loads(self._meta_path.read_text(encoding="utf-8")))

    def _save_meta(self, meta: dict[str, Any]) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".written-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self._meta_path)

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
            if not name or name.lower() in (n.lower() for n in meta["libraries"]):
                raise StyleLibraryError(f"There is already a written style called “{name}”.")
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

    # ---------------------------------------------------------------- documents
    def _table(self) -> Any:
        try:
            return self._db.open_table(TABLE)
        except (ValueError, FileNotFoundError):  # not created yet: no document added so far
            return None

    def add_document(self, library: str, document: str, text: str) -> int:
        """Chunk, embed and store a document; returns how many chunks it gave."""
        lib = self.info(library)
        if lib.embedder != self.embedder.id:
            raise StyleLibraryError(
                f"“{library}” was built with {lib.embedder}; re-embed it before adding documents."
            )
        chunks = chunk_text(text, document)
        if not chunks:
            raise StyleLibraryError(f"{document} has no text to learn a style from.")
        vectors = self.embedder.embed_texts([c.text for c in chunks])
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
            table = self._table()
            if table is None:
                table = self._db.create_table(TABLE, data=rows)
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

    def remove_document(self, library: str, document: str, *, _keep_listing: bool = False) -> None:
        with self._lock:
            table = self._table()
            if table is not None:
                table.delete(f"library = {_sql(library)} AND doc = {_sql(document)}")
            if not _keep_listing:
                meta = self._meta()
                docs = meta["libraries"].get(library, {}).get("documents", [])
                if document in docs:
                    docs.remove(document)
                    self._save_meta(meta)

    def chunks(self, library: str, limit: int = 100_000) -> list[dict[str, Any]]:
        table = self._table()
        if table is None:
            return []
        rows = table.search().where(f"library = {_sql(library)}").limit(limit).to_list()
        return sorted(
            ({k: r[k] for k in ("id", "doc", "position", "kind", "text")} for r in rows),
            key=lambda r: (r["doc"], r["position"]),
        )

    def count(self, library: str) -> int:
        table = self._table()
        return 0 if table is None else int(table.count_rows(f"library = {_sql(library)}"))

    # ----------------------------------------------------------------- retrieval
    def retrieve(self, library: str, query: str, k: int = 4, *, task: str = "") -> list[StyleChunk]:
        """The k chunks closest to `query`, of the kind the task wants when there are any."""
        table = self._table()
        if table is None:
            return []
        vector = self.embedder.embed_texts([query])[0]
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
