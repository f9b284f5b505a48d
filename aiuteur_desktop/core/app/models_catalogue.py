"""The model catalogue (`resources/models.toml`, dated, each entry with its source): what each
video and image model takes — frames, keyframes, references, lengths, resolutions, sound —
and which connection it goes through. The user's `models.toml` in the app home adds models
or corrects an entry by id, as `pricing.toml` does for prices. Retired ids are listed so
they are never offered (old projects' provenance still names them)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiuteur_desktop.core.app import paths
from aiuteur_desktop.core.app.resources import read_text
from aiuteur_desktop.core.errors import GateClosed

MODELS_FILE = "models.toml"
VIA = ("offline", "gemini-api", "vertex", "openai", "fal", "minimax", "openai-videos", "local")


@dataclass(frozen=True)
class Model:
    id: str
    kind: str  # "video" | "image"
    name: str
    via: str  # the connection: one of VIA
    source: str
    start_frame: bool = False
    end_frame: bool = False
    keyframes: int = 0  # middle frames it takes between start and end
    references: int = 0
    durations: tuple[float, ...] = ()
    resolutions: tuple[str, ...] = ()
    audio: str = "none"  # "optional" | "always" | "none"
    mask_edit: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def max_seconds(self) -> float:
        return max(self.durations) if self.durations else 0.0

    def takes(self, seconds: float, end_frame: bool) -> bool:
        """Whether a shot of this length, anchored by an end frame or not, fits the model."""
        return (
            self.kind == "video"
            and (not end_frame or self.end_frame)
            and 0 < seconds <= self.max_seconds
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "via": self.via,
            "capabilities": {
                "start_frame": self.start_frame,
                "end_frame": self.end_frame,
                "keyframes": self.keyframes,
                "references": self.references,
                "durations": list(self.durations),
                "resolutions": list(self.resolutions),
                "audio": self.audio,
                "mask_edit": self.mask_edit,
            },
            "source": self.source,
        }


def _model(raw: dict[str, Any], where: str) -> Model:
    try:
        mid, kind, via = str(raw["id"]), str(raw["kind"]), str(raw.get("via", ""))
    except KeyError as exc:
        raise GateClosed(f"A model in {where} has no {exc.args[0]}.") from exc
    if ":" not in mid or kind not in ("video", "image") or via not in VIA:
        raise GateClosed(f"The model {mid!r} in {where} has a bad id, kind or connection.")
    known = {f for f in Model.__dataclass_fields__ if f != "extra"}
    return Model(
        id=mid,
        kind=kind,
        name=str(raw.get("name") or mid.partition(":")[2]),
        via=via,
        source=str(raw.get("source") or where),
        start_frame=bool(raw.get("start_frame", False)),
        end_frame=bool(raw.get("end_frame", False)),
        keyframes=int(raw.get("keyframes", 0)),
        references=int(raw.get("references", 0)),
        durations=tuple(float(d) for d in raw.get("durations") or ()),
        resolutions=tuple(str(r) for r in raw.get("resolutions") or ()),
        audio=str(raw.get("audio", "none")),
        mask_edit=bool(raw.get("mask_edit", False)),
        extra={k: v for k, v in raw.items() if k not in known},
    )


@dataclass(frozen=True)
class Catalogue:
    models: tuple[Model, ...]
    retired: dict[str, str]  # id → when
    updated: str

    @classmethod
    def load(cls, home: Path | None = None) -> Catalogue:
        shipped = tomllib.loads(read_text(MODELS_FILE))
        tables = [(shipped, f"the shipped {MODELS_FILE}")]
        override = (home or paths.app_home()) / MODELS_FILE
        if override.is_file():
            try:
                tables.append((tomllib.loads(override.read_text(encoding="utf-8")), str(override)))
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise GateClosed(f"Your model list {override} cannot be read ({exc}).") from exc
        models: dict[str, Model] = {}
        retired: dict[str, str] = {}
        for table, where in tables:
            for raw in table.get("model") or ():
                if isinstance(raw, dict):
                    m = _model(raw, where)
                    models[m.id] = m  # the user's entry replaces the shipped one
            for raw in table.get("retired") or ():
                if isinstance(raw, dict) and raw.get("id"):
                    retired[str(raw["id"])] = str(raw.get("when") or "")
        updated = str((shipped.get("meta") or {}).get("updated") or "")
        live = tuple(m for m in models.values() if m.id not in retired)
        return cls(live, retired, updated)

    def get(self, model_id: str) -> Model | None:
        return next((m for m in self.models if m.id == model_id), None)

    def of_kind(self, kind: str) -> list[Model]:
        return [m for m in self.models if m.kind == kind]


_cached: dict[tuple[str, float], Catalogue] = {}


def current(home: Path | None = None) -> Catalogue:
    """The catalogue, read again only when the user's file changed."""
    override = (home or paths.app_home()) / MODELS_FILE
    try:
        stamp = override.stat().st_mtime
    except OSError:
        stamp = 0.0
    key = (str(override), stamp)
    if key not in _cached:
        _cached.clear()
        _cached[key] = Catalogue.load(home)
    return _cached[key]


def rendered_seconds(model_id: str, seconds: float) -> float:
    """How long a render of a `seconds`-long shot is with this model: the shortest length it
    renders that holds the shot (Veo takes 4, 6 or 8 s; Kling 5 or 10) — what is billed and
    what is asked for. Unchanged for a model outside the catalogue, the offline engines, or
    a shot longer than the model renders (refused before sending)."""
    try:
        m = current().get(model_id)
    except GateClosed:
        return seconds
    if m is None or m.via == "offline" or not m.durations:
        return seconds
    fits = [d for d in m.durations if d >= seconds - 1e-6]
    return min(fits) if fits else seconds
