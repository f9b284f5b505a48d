"""Stage 11's alternatives (issue 38, "per-shot model choice"): for each shot of a scene, what
each set-up video model would cost, whether it takes the shot as it is — its frames (start
only, or start and end), its length, its sound when it has lines — and the cheapest paid
model that does, recommended. Nothing is changed; the prices are the price table's, at the
length each model renders (and bills)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aiuteur_desktop.core.money.prices import PriceTable, PriceUnknown
from aiuteur_desktop.core.production import frames, prompts
from aiuteur_desktop.core.production.checkout import always_sound
from aiuteur_desktop.core.provider_api import ProviderSource
from aiuteur_desktop.core.store import Project


@dataclass(frozen=True)
class Option:
    model: str
    label: str
    price: float | None  # None: no known price (never shown as free)
    takes: bool
    why: str = ""  # why it does not take the shot

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "label": self.label,
            "price": self.price,
            "takes": self.takes,
            "why": self.why,
        }


@dataclass(frozen=True)
class ShotOptions:
    shot: str
    label: str
    duration: float
    frames: str
    options: tuple[Option, ...]

    @property
    def recommended(self) -> Option | None:
        """The cheapest priced paid model that takes the shot (the offline engines are free
        and take everything: they are the fallback, not a recommendation)."""
        paid = [o for o in self.options if o.takes and o.price is not None and o.price > 0]
        return min(paid, key=lambda o: o.price or 0.0) if paid else None

    def to_json(self) -> dict[str, Any]:
        best = self.recommended
        return {
            "shot": self.shot,
            "label": self.label,
            "duration": self.duration,
            "frames": self.frames,
            "options": [o.to_json() for o in self.options],
            "recommended": best.model if best is not None else None,
        }


def _option(
    model: Any, shot: Any, wanted: str, audio: bool, free: bool, table: PriceTable
) -> Option:
    caps = model.caps
    seconds = float(shot.duration)
    why = ""
    if caps.max_duration and seconds > caps.max_duration:
        why = f"renders at most {caps.max_duration:g} s"
    elif wanted == prompts.START_END and not caps.end_frame:
        why = "takes a start frame only"
    elif shot.dialogue and not caps.audio:
        why = "makes no sound, and the shot has lines"
    with_sound = (audio and caps.audio) or always_sound(model.id)
    end_used = wanted == prompts.START_END and caps.end_frame
    if free:
        price: float | None = 0.0
    else:
        try:
            price = table.video(model.id, seconds, with_sound, end_used)
        except PriceUnknown:
            price = None
    return Option(model.id, model.label, price, not why, why)


def for_scene(
    project: Project,
    scene_id: str,
    source: ProviderSource,
    models: Iterable[Any],
    *,
    audio: bool = True,
) -> list[ShotOptions]:
    """Every shot's options among `models` (`Registry.video_models()`: the set-up ones)."""
    table = PriceTable.load()
    chosen = list(models)
    free = {m.id: source.is_free(m.id) for m in chosen}
    out = []
    for shot, wanted in frames.wanted(project, scene_id):
        options = tuple(_option(m, shot, wanted, audio, free[m.id], table) for m in chosen)
        out.append(ShotOptions(shot.id, shot.label, float(shot.duration), wanted, options))
    return out
