"""The global Asset Library (PRD §5.1, §7.4): master assets kept outside any project, as
templates for new ones. One JSON catalogue (written atomically) plus the image keys as files.

"Promote to Global" clones a project asset (description, voice, tags, image key) here; "use
in a project" clones it back into `assets/<slug>` remembering `global_id`, which is how a
delete finds the projects that depend on it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiuteur_desktop.core.app import paths
from aiuteur_desktop.core.app.catalogue import Catalogue, StyleLibraryError
from aiuteur_desktop.core.assets import masters, voices
from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.store import Project, artifacts


@dataclass(frozen=True)
class GlobalAsset:
    id: str
    kind: str
    name: str
    description: str
    voice: str
    tags: tuple[str, ...]
    image: Path | None
    source: str  # "Promoted from <project>" or "Created here"
    created_at: float
    #: The offline voice of a character (core.assets.voices: {"slot", "pitch", "speed"}).
    voice_offline: dict[str, Any] = field(default_factory=dict)
    #: Its cloud voice ({"model", "voice"}), when one was chosen.
    voice_cloud: dict[str, Any] = field(default_factory=dict)


class AssetLibrary:
    def __init__(self, home: Path | None = None) -> None:
        self.root = paths.ensure_dir((home or paths.app_home()) / "asset-library")
        self.images = paths.ensure_dir(self.root / "images")
        self._cat = Catalogue(self.root / "catalogue.json", "asset")

    # -------------------------------------------------------------- reading
    def _load(self) -> dict[str, Any]:
        meta = self._cat.load()
        meta.setdefault("assets", {})
        return meta

    def _asset(self, aid: str, row: dict[str, Any]) -> GlobalAsset:
        image = self.images / f"{aid}.png"
        return GlobalAsset(
            aid,
            row["kind"],
            row["name"],
            row.get("description", ""),
            row.get("voice", ""),
            tuple(row.get("tags", [])),
            image if image.exists() else None,
            row.get("source", ""),
            float(row.get("created_at", 0)),
            voices.OfflineVoice.from_json(row.get("voice_offline")).to_json(),
            voices.CloudVoice.from_json(row.get("voice_cloud")).to_json(),
        )

    def all(self, *, kind: str = "", text: str = "", tag: str = "") -> list[GlobalAsset]:
        """Every global asset, filtered by kind, tag and a search over name/description."""
        out = [self._asset(aid, row) for aid, row in self._load()["assets"].items()]
        needle = text.strip().lower()
        return sorted(
            (
                a
                for a in out
                if (not kind or a.kind == kind)
                and (not tag or tag.lower() in (t.lower() for t in a.tags))
                and (not needle or needle in f"{a.name} {a.description}".lower())
            ),
            key=lambda a: (masters.KINDS.index(a.kind), a.name.lower()),
        )

    def get(self, aid: str) -> GlobalAsset:
        row = self._load()["assets"].get(aid)
        if row is None:
            raise StyleLibraryError("That asset is no longer in the Asset Library.")
        return self._asset(aid, row)

    def tags(self) -> list[str]:
        return sorted({t for a in self.all() for t in a.tags}, key=str.lower)

    # -------------------------------------------------------------- writing
    def create(
        self,
        kind: str,
        name: str,
        description: str = "",
        *,
        voice: str = "",
        voice_offline: dict[str, Any] | None = None,
        voice_cloud: dict[str, Any] | None = None,
        tags: Iterable[str] = (),
        image: bytes | None = None,
        source: str = "Created here",
    ) -> GlobalAsset:
        if kind not in masters.KINDS:
            raise StyleLibraryError(f"An asset is a character, a location or a prop, not “{kind}”.")
        name = " ".join(name.split())
        if not name:
            raise StyleLibraryError("Give the asset a name.")
        meta = self._load()
        aid = uuid.uuid4().hex[:12]
        if image is not None:
            self._write_image(aid, image)
        meta["assets"][aid] = {
            "kind": kind,
            "name": name,
            "description": description.strip(),
            "voice": voice.strip(),
            "voice_offline": voices.OfflineVoice.from_json(voice_offline).to_json(),
            "voice_cloud": voices.CloudVoice.from_json(voice_cloud).to_json(),
            "tags": _tags(tags),
            "source": source,
            "created_at": time.time(),
        }
        self._cat.save(meta)
        return self.get(aid)

    def edit(self, aid: str, **changes: Any) -> GlobalAsset:
        meta = self._load()
        row = meta["assets"].get(aid)
        if row is None:
            raise StyleLibraryError("That asset is no longer in the Asset Library.")
        if "image" in changes:
            image = changes.pop("image")
            if image is not None:
                self._write_image(aid, image)
        if "tags" in changes:
            changes["tags"] = _tags(changes["tags"])
        if "name" in changes and not " ".join(str(changes["name"]).split()):
            raise StyleLibraryError("Give the asset a name.")
        row.update(changes)
        self._cat.save(meta)
        return self.get(aid)

    def _write_image(self, aid: str, data: bytes) -> None:
        tmp = self.images / f".{aid}.tmp"
        tmp.write_bytes(data)
        tmp.replace(self.images / f"{aid}.png")

    def users(self, aid: str, bundles: Iterable[Path]) -> list[str]:
        """Names of the projects (among `bundles`) whose assets came from this global asset."""
        out = []
        for bundle in bundles:
            try:
                with Project.open(bundle) as project:
                    if any(a.get("global_id") == aid for a in masters.all_assets(project)):
                        out.append(project.name)
            except Exception:  # a missing or unreadable project cannot depend on anything
                continue
        return out

    def delete(self, aid: str, bundles: Iterable[Path] = (), *, force: bool = False) -> None:
        """Remove a global asset; refused while projects use it unless `force`."""
        users = self.users(aid, bundles)
        if users and not force:
            raise GateClosed(
                f"{len(users)} project{'s' * (len(users) > 1)} use this asset "
                f"({', '.join(users)}). Their copies stay as they are if you delete it anyway."
            )
        meta = self._load()
        meta["assets"].pop(aid, None)
        self._cat.save(meta)
        (self.images / f"{aid}.png").unlink(missing_ok=True)

    # ----------------------------------------------------- project bridges
    def promote(self, project: Project, path: str) -> GlobalAsset:
        """Promote to Global: clone a project asset with its image key."""
        a = masters.read(project, path)
        media = a.get("image_key") or a.get("media")  # older documents kept it as "media"
        image = project.media.read(media) if media else None
        made = self.create(
            a.get("kind") or "character",
            a.get("name") or path.rsplit("/", 1)[-1],
            a.get("description", ""),
            voice=a.get("voice", ""),
            voice_offline=a.get("voice_offline"),
            voice_cloud=a.get("voice_cloud"),
            tags=a.get("tags", []),
            image=image,
            source=f"Promoted from {project.name}",
        )
        return made

    def use_in(self, project: Project, aid: str) -> str:
        """Start a project asset from a global template (a draft write; the caller commits)."""
        g = self.get(aid)
        path = f"assets/{masters.slug(g.name)}"
        if project.read(path) is not None:
            raise GateClosed(f"This project already has an asset called “{g.name}”.")
        media = project.media.put(g.image.read_bytes(), "image/png") if g.image else None
        content = {
            "kind": g.kind,
            "name": g.name,
            "aliases": [],
            "description": g.description,
            "mentions": [],
            "scenes": [],
            "variants": [],
            "voice": g.voice,
            "voice_offline": dict(g.voice_offline),
            "voice_cloud": dict(g.voice_cloud),
            "tags": list(g.tags),
            "candidates": [
                {
                    "media": media,
                    "prompt": "",
                    "guidance": "",
                    "source": "library",
                    "model": "",
                    "cost": 0.0,
                    "created_at": time.time(),
                }
            ]
            if media
            else [],
            "image_key": media,
            "locked": False,
            "global_id": g.id,
        }
        project.write(path, artifacts.make(content, origin=artifacts.IMPORTED))
        return path


def _tags(tags: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for t in tags:
        t = " ".join(str(t).split())
        if t and t.lower() not in (s.lower() for s in seen):
            seen.append(t)
    return seen
