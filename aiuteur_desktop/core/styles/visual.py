"""Visual style libraries: reference images with tags, measured descriptors, a style card and a
look vector in LanceDB, so the k most similar references can go to image models (PRD §2.2)."""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiuteur_desktop.core.app import paths
from aiuteur_desktop.core.app.catalogue import Catalogue
from aiuteur_desktop.core.styles.lance import LazyLanceDB, indexed
from aiuteur_desktop.core.styles.measure import describe, load_rgb, style_card, style_vector

TABLE = "visual_refs"


@dataclass(frozen=True)
class Reference:
    id: str
    library: str
    name: str
    path: Path
    tags: tuple[str, ...]
    card: str
    score: float = 0.0


def _sql(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class VisualStyles(LazyLanceDB):
    """Reference images stored under `<app home>/styles/images/`, indexed in LanceDB."""

    def __init__(self, home: Path | None = None) -> None:
        self.root = paths.ensure_dir((home or paths.app_home()) / "styles")
        self.images = paths.ensure_dir(self.root / "images")
        self._lock = threading.RLock()
        self._catalogue = Catalogue(self.root / "visual.json", "visual style", {"card": str})

    # ----------------------------------------------------------------- catalogue
    def libraries(self) -> list[str]:
        meta = self._catalogue.load()
        return sorted(meta["libraries"], key=str.lower)

    def create(self, name: str) -> str:
        with self._lock:
            meta = self._catalogue.load()
            name = self._catalogue.check_new_name(meta, name)
            meta["libraries"][name] = {"card": ""}
            self._catalogue.save(meta)
        return name

    @indexed
    def rename(self, old: str, new: str) -> str:
        with self._lock:
            meta = self._catalogue.load()
            entry = self._catalogue.entry(meta, old)
            if " ".join(new.split()).lower() != old.lower():
                new = self._catalogue.check_new_name(meta, new)
            new = " ".join(new.split())
            table = self._table()
            if table is not None:
                table.update(where=f"library = {_sql(old)}", values={"library": new})
            del meta["libraries"][old]
            meta["libraries"][new] = entry
            self._catalogue.save(meta)
        return new

    @indexed
    def delete(self, name: str) -> None:
        """Delete a library and its references (image files shared with another library stay)."""
        with self._lock:
            meta = self._catalogue.load()
            self._catalogue.entry(meta, name)
            table = self._table()
            if table is not None:
                table.delete(f"library = {_sql(name)}")
            del meta["libraries"][name]
            self._catalogue.save(meta)

    @indexed
    def library_card(self, library: str) -> str:
        """The style card prompts use: the user's own text when they wrote one, otherwise the
        card of the most typical reference (the one whose look is nearest the average)."""
        entry = self._catalogue.entry(self._catalogue.load(), library)
        if entry.get("card", "").strip():
            return str(entry["card"])
        table = self._table()
        if table is None:
            return ""
        rows = table.search().where(f"library = {_sql(library)}").limit(100_000).to_list()
        if not rows:
            return ""
        import numpy as np

        vectors = np.array([r["vector"] for r in rows], dtype=np.float32)
        mean = vectors.mean(axis=0)
        typical = int(np.argmin(((vectors - mean) ** 2).sum(axis=1)))
        return str(rows[typical]["card"])

    def set_library_card(self, library: str, card: str) -> None:
        """The user's own card for the whole library ("" returns to the measured one)."""
        with self._lock:
            meta = self._catalogue.load()
            self._catalogue.entry(meta, library)
            meta["libraries"][library]["card"] = card
            self._catalogue.save(meta)

    def _table(self) -> Any:
        try:
            return self._db.open_table(TABLE)
        except (ValueError, FileNotFoundError):
            return None

    @indexed
    def add(self, library: str, name: str, data: bytes, tags: list[str] | None = None) -> Reference:
        """Store a reference image (refused with a reason when it is not PNG/JPEG/WebP or is
        damaged) with its descriptors, style card and look vector."""
        meta = self._catalogue.load()
        if library not in meta["libraries"]:  # adding to a library creates it
            self.create(library)
        rgb = load_rgb(data)  # raises BadImage with the user's words
        card = style_card(describe(data))
        digest = hashlib.sha256(data).hexdigest()
        path = self.images / f"{digest}{Path(name).suffix.lower() or '.png'}"
        if not path.exists():
            fd, tmp = tempfile.mkstemp(dir=self.images, prefix=".ref-")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        row = {
            "id": uuid.uuid4().hex,
            "library": library,
            "name": name,
            "path": str(path),
            "tags": ", ".join(tags or []),
            "card": card,
            "vector": style_vector(rgb),
        }
        with self._lock:
            table = self._table()
            if table is None:
                self._db.create_table(TABLE, data=[row])
            else:
                table.add([row])
        return self._ref(row)

    def _ref(self, row: dict[str, Any], score: float = 0.0) -> Reference:
        tags = tuple(t.strip() for t in str(row["tags"]).split(",") if t.strip())
        return Reference(
            row["id"], row["library"], row["name"], Path(row["path"]), tags, row["card"], score
        )

    @indexed
    def references(self, library: str) -> list[Reference]:
        table = self._table()
        if table is None:
            return []
        rows = table.search().where(f"library = {_sql(library)}").limit(100_000).to_list()
        return sorted((self._ref(r) for r in rows), key=lambda r: r.name)

    @indexed
    def remove(self, ref_id: str) -> None:
        table = self._table()
        if table is not None:
            table.delete(f"id = {_sql(ref_id)}")

    @indexed
    def set_tags(self, ref_id: str, tags: list[str]) -> None:
        table = self._table()
        if table is not None:
            clean = [t.strip() for t in tags if t.strip()]
            table.update(where=f"id = {_sql(ref_id)}", values={"tags": ", ".join(clean)})

    @indexed
    def set_card(self, ref_id: str, card: str) -> None:
        """The user's edit of a style card (prompts use the edited text)."""
        table = self._table()
        if table is not None:
            table.update(where=f"id = {_sql(ref_id)}", values={"card": card})

    @indexed
    def retrieve(self, library: str, query_image: bytes, k: int = 3) -> list[Reference]:
        """The k references whose look is closest to the query image's."""
        table = self._table()
        if table is None:
            return []
        vector = style_vector(load_rgb(query_image))
        rows = (
            table.search(vector)
            .where(f"library = {_sql(library)}", prefilter=True)
            .limit(k)
            .to_list()
        )
        return [self._ref(r, round(1.0 / (1.0 + float(r["_distance"])), 4)) for r in rows]
