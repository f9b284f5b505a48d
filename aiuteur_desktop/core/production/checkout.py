"""Stage 11 · Confirm (PRD §4.6, §9.6): the scene's checkout before any video is paid for.

Each shot is a line — its approved anchor frames, the video prompt as it will be sent, the
model and duration, the Stage 10 drift flags, and the price by part from `pricing.toml` —
and the scene's total stands beside what the project has spent and what the caps leave.
**Confirm & Render** freezes the scene: a `scenes/<id>/confirm` document holding the lines
as confirmed, its inputs recorded, committed as "Confirmed for render". An edit upstream
afterwards does not change what was confirmed; it makes the confirmation outdated, the
checkout names what changed and prices the re-render, and confirming again is a new
version (charged again). No agent runs here.

A shot can render with a model of its own (issue 38, "per-shot model choice"): the scene's
model is the default, `per_shot` names the exceptions, each line is priced for its own model,
and the confirmation keeps each line's model — what its render job uses and its take records.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiuteur_desktop.core.app import models_catalogue, ui_turns
from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.money.prices import (
    PriceTable,
    PriceUnknown,
    unknown_price_message,
)
from aiuteur_desktop.core.money.spend import Money
from aiuteur_desktop.core.production import frames, prompts
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.provider_api import Capabilities, ProviderSource
from aiuteur_desktop.core.store import Project, artifacts
from aiuteur_desktop.core.store.status import Status, StatusDeriver, label, split_key
from aiuteur_desktop.core.story import master_script

FREE_SOURCE = "free: runs on this computer"


def path(scene_id: str) -> str:
    return f"scenes/{scene_id}/confirm"


@dataclass(frozen=True)
class RenderLine:
    """One shot as it will be rendered."""

    shot: str  # permanent id ("B")
    label: str  # "3B"
    duration: float
    frames: str  # prompt_sets.START_ONLY or START_END, as it will be sent
    start: str | None  # media id of the approved start frame
    end: str | None  # media id of the approved end frame (None: start frame only)
    video_prompt: str
    model: str
    audio: bool
    parts: dict[str, float]  # "video", "audio", "end frame" → dollars ({} when unpriced)
    price: float | None  # None: the model has no known price
    drift: tuple[str, ...] = ()  # Stage 10's flags on the start frame
    notice: str = ""  # e.g. the model takes no end frame: rendered from the start frame
    waiting: str = ""  # why the shot cannot be confirmed yet ("" when it can)

    def to_json(self) -> dict[str, Any]:
        return {
            "shot": self.shot,
            "label": self.label,
            "duration": self.duration,
            "frames": self.frames,
            "start_frame": self.start,
            "end_frame": self.end,
            "video_prompt": self.video_prompt,
            "model": self.model,
            "audio": self.audio,
            "parts": dict(self.parts),
            "price": self.price,
            "drift": list(self.drift),
            "notice": self.notice,
            "waiting": self.waiting,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> RenderLine:
        return cls(
            shot=str(d["shot"]),
            label=str(d.get("label") or d["shot"]),
            duration=float(d.get("duration") or 8),
            frames=str(d.get("frames") or prompts.START_END),
            start=d.get("start_frame"),
            end=d.get("end_frame"),
            video_prompt=str(d.get("video_prompt") or ""),
            model=str(d.get("model") or ""),
            audio=bool(d.get("audio", True)),
            parts={str(k): float(v) for k, v in (d.get("parts") or {}).items()},
            price=None if d.get("price") is None else float(d["price"]),
            drift=tuple(d.get("drift") or ()),
            notice=str(d.get("notice") or ""),
        )


@dataclass(frozen=True)
class Confirmed:
    """The scene as it was confirmed for render (one version)."""

    version: int
    at: float
    model: str
    audio: bool
    lines: tuple[RenderLine, ...]
    total: float

    def line(self, shot_id: str) -> RenderLine | None:
        return next((x for x in self.lines if x.shot == shot_id), None)

    @property
    def per_shot(self) -> dict[str, str]:
        """The shots confirmed with a model other than the scene's."""
        return {x.shot: x.model for x in self.lines if x.model and x.model != self.model}


@dataclass(frozen=True)
class Checkout:
    scene: str
    label: str
    model: str
    audio: bool
    price_source: str
    lines: tuple[RenderLine, ...]
    money: Money
    confirmed: Confirmed | None = None
    #: What changed upstream since the confirmation (readable, one per changed input).
    changed: tuple[str, ...] = ()
    unknown_price: str = ""  # the message when the model has no price
    #: shot id → the model it renders with instead of the scene's
    per_shot: Mapping[str, str] = field(default_factory=dict)

    @property
    def models(self) -> dict[str, int]:
        """Each model the lines render with → how many shots, the most used first."""
        counts: dict[str, int] = {}
        for x in self.lines:
            counts[x.model] = counts.get(x.model, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: -kv[1]))

    @property
    def total(self) -> float | None:
        if any(x.price is None for x in self.lines):
            return None
        return round(sum(x.price or 0.0 for x in self.lines), 6)

    @property
    def frozen(self) -> bool:
        """Confirmed for these models (every shot's) and sound, and nothing it was confirmed
        from has changed since."""
        c = self.confirmed
        if c is None or self.changed or (c.model, c.audio) != (self.model, self.audio):
            return False
        return {x.shot: x.model for x in c.lines} == {x.shot: x.model for x in self.lines}

    @property
    def waiting(self) -> str:
        """Why Confirm & Render cannot be pressed ("" when it can)."""
        if self.unknown_price:
            return self.unknown_price
        for x in self.lines:
            if x.waiting:
                return x.waiting
        if not self.lines:
            return "This scene has no shots to render."
        return ""

    @property
    def over_cap(self) -> str:
        """The cap this scene's total would pass ("" when it fits)."""
        return self.money.over(self.total, "Rendering this scene", "render fewer shots")


# ------------------------------------------------------------------- lines
def _approved(slot: frames.Slot | None) -> bool:
    return slot is not None and slot.made and slot.approved and slot.status is Status.UP_TO_DATE


def _line(
    shot: Any,
    wanted: str,
    start: frames.Slot | None,
    end: frames.Slot | None,
    pset: prompts.PromptSet | None,
    *,
    model: str,
    audio: bool,
    caps: Capabilities,
    free: bool,
    table: PriceTable,
    drift: tuple[str, ...],
) -> RenderLine:
    sends = wanted
    notice = ""
    if wanted == prompts.START_END and not caps.end_frame:
        sends = prompts.START_ONLY
        notice = "This model takes no end frame: it renders from the start frame only."
    seconds = float(shot.duration)
    if caps.max_duration and seconds > caps.max_duration:
        notice = (notice + " " if notice else "") + (
            f"This model renders at most {caps.max_duration:g} s; the shot is {seconds:g} s."
        )
    waiting = ""
    who = f"shot {shot.label}"
    if pset is None or pset.status is not Status.UP_TO_DATE:
        waiting = f"The prompts of {who} are not up to date: assemble them again in Stage 9."
    elif not _approved(start):
        waiting = f"Approve the start frame of {who} in Stage 10 first."
    elif wanted == prompts.START_END and not _approved(end):
        waiting = f"Approve the end frame of {who} in Stage 10 first."
    with_sound = audio and caps.audio
    if not with_sound and always_sound(model):
        with_sound = True  # it renders (and bills) sound whatever is asked: priced as it is
        notice = (notice + " " if notice else "") + "This model always renders sound."
    end_used = sends == prompts.START_END
    parts: dict[str, float] = {}
    price: float | None
    if free:
        parts = {"video": 0.0, **({"audio": 0.0} if with_sound else {})}
        price = 0.0
    else:
        try:
            parts = table.video_parts(model, seconds, with_sound, end_used)
            price = round(sum(parts.values()), 6)
        except PriceUnknown:
            price = None
    return RenderLine(
        shot=shot.id,
        label=shot.label,
        duration=seconds,
        frames=sends,
        start=start.chosen if start is not None else None,
        end=end.chosen if end is not None and end_used else None,
        video_prompt=pset.video if pset is not None else "",
        model=model,
        audio=with_sound,
        parts=parts,
        price=price,
        drift=drift,
        notice=notice,
        waiting=waiting,
    )


def always_sound(model: str) -> bool:
    """The model renders sound with every clip (the catalogue says so): Veo through a
    Gemini API key, Seedance."""
    try:
        m = models_catalogue.current().get(model)
    except GateClosed:
        return False
    return m is not None and m.audio == "always"


def _drift(project: Project, scene_id: str, start: frames.Slot | None) -> tuple[str, ...]:
    if start is None or not start.made:
        return ()
    try:
        report = frames.drift_of(project, scene_id, start) or {}
    except (OSError, ValueError):  # a frame that cannot be decoded flags nothing here
        return ()
    return tuple(str(f) for f in report.get("flags") or ())


def build(
    project: Project,
    scene_id: str,
    *,
    model: str,
    caps: Capabilities,
    free: bool,
    audio: bool = True,
    money: Money | None = None,
    with_drift: bool = True,
    per_shot: Mapping[str, tuple[str, Capabilities, bool]] | None = None,
) -> Checkout:
    """The checkout as it stands: the lines priced for `model` (its capabilities and
    whether it is free come from the provider registry) or, for a shot in `per_shot`, for
    that shot's own (model, capabilities, free); the confirmation if any and what changed
    since it."""
    table = PriceTable.load()
    own = dict(per_shot or {})
    sets = {s.shot: s for s in prompts.prompt_sets(project, scene_id)}
    slots = {(s.shot, s.which): s for s in frames.slots(project, scene_id)}
    lines = []
    for shot, wanted in frames.wanted(project, scene_id):
        ui_turns.give_way()  # (a scene's fifty shots, in Python, on a window's worker)
        start = slots.get((shot.id, frames.START))
        its_model, its_caps, its_free = own.get(shot.id, (model, caps, free))
        lines.append(
            _line(
                shot,
                wanted,
                start,
                slots.get((shot.id, frames.END)),
                sets.get(shot.id),
                model=its_model,
                audio=audio,
                caps=its_caps,
                free=its_free,
                table=table,
                drift=_drift(project, scene_id, start) if with_drift else (),
            )
        )
    unpriced = next((x for x in lines if x.price is None), None)
    unknown = unknown_price_message(unpriced.model) if unpriced is not None else ""
    frees = {model: free, **{m: f for m, _c, f in own.values()}}
    used = list(dict.fromkeys([model, *(x.model for x in lines)]))
    sources = [FREE_SOURCE if frees.get(m) else table.source("video", m) for m in used]
    return Checkout(
        scene=scene_id,
        label=master_script.label_of(project, scene_id),
        model=model,
        audio=audio and caps.audio,
        price_source="; ".join(dict.fromkeys(x for x in sources if x)),
        lines=tuple(lines),
        money=money or Money(),
        confirmed=confirmed(project, scene_id),
        changed=changed_since(project, scene_id),
        unknown_price=unknown,
        per_shot={x.shot: x.model for x in lines if x.model != model},
    )


def for_model(
    project: Project,
    scene_id: str,
    source: ProviderSource,
    model: str,
    *,
    audio: bool = True,
    money: Money | None = None,
    with_drift: bool = True,
    per_shot: Mapping[str, str] | None = None,
) -> Checkout:
    """`build` with the models' capabilities and price classes from the provider registry:
    `model` for the scene, `per_shot` (shot id → model) for the shots that differ."""
    own = {
        shot: (m, source.video_capabilities(m), source.is_free(m))
        for shot, m in (per_shot or {}).items()
        if m and m != model
    }
    return build(
        project,
        scene_id,
        model=model,
        caps=source.video_capabilities(model),
        free=source.is_free(model),
        audio=audio,
        money=money,
        with_drift=with_drift,
        per_shot=own,
    )


# ----------------------------------------------------------------- confirm
def confirmed(project: Project, scene_id: str) -> Confirmed | None:
    doc = project.read(path(scene_id))
    if not isinstance(doc, dict):
        return None
    c = artifacts.content_of(doc)
    lines = tuple(RenderLine.from_json(x) for x in c.get("lines") or ())
    return Confirmed(
        version=int(c.get("version") or 1),
        at=float(c.get("confirmed_at") or 0.0),
        model=str(c.get("video_model") or ""),
        audio=bool(c.get("audio", True)),
        lines=lines,
        total=float(c.get("total") or 0.0),
    )


def _inputs(scene_id: str, lines: Iterable[RenderLine]) -> list[str]:
    keys = [frames.mode_path(scene_id)]
    for x in lines:
        keys += [f"{shot_list.path(scene_id)}#shots/{x.shot}", prompts.path(scene_id, x.shot)]
        keys.append(frames.slot_path(scene_id, x.shot, frames.START))
        if x.end is not None:
            keys.append(frames.slot_path(scene_id, x.shot, frames.END))
    return keys


def _describe(key: str, labels: dict[str, str]) -> str:
    base, fragment = split_key(key)
    parts = base.split("/")
    if len(parts) >= 4 and parts[2] == "frames" and parts[3] != "mode":
        which = parts[4] if len(parts) > 4 else "start"
        return f"the {which} frame of shot {labels.get(parts[3], parts[3])}"
    if len(parts) >= 4 and parts[2] == "prompts":
        return f"the prompts of shot {labels.get(parts[3], parts[3])}"
    if fragment and fragment.startswith("shots/"):
        shot = fragment.split("/", 1)[1]
        return f"shot {labels.get(shot, shot)} in the shot list"
    if base.endswith("/frames/mode"):
        return "the scene's frame mode"
    return label(base)


def changed_since(project: Project, scene_id: str) -> tuple[str, ...]:
    """What the confirmation was made from that is different now ("" for none)."""
    if project.read(path(scene_id)) is None:
        return ()
    deriver = StatusDeriver(project, project.branch().draft)
    changed = deriver.changed_inputs(path(scene_id))
    if not changed:
        return ()
    labels = {s.id: s.label for s in shot_list.current(project, scene_id)}
    return tuple(dict.fromkeys(_describe(k, labels) for k in sorted(changed)))


def confirm(project: Project, checkout: Checkout) -> Confirmed:
    """Confirm & Render: freeze the scene as `checkout` shows it (a commit). Refused while a
    shot waits (frames not approved, prompts outdated) or the model has no price; a scene
    confirmed and unchanged is not confirmed twice."""
    if checkout.waiting:
        raise GateClosed(checkout.waiting)
    if checkout.frozen:
        assert checkout.confirmed is not None
        return checkout.confirmed
    before = checkout.confirmed
    version = (before.version + 1) if before is not None else 1
    total = checkout.total or 0.0
    lines = [x.to_json() for x in checkout.lines]
    for x in lines:
        x.pop("waiting", None)
    content = {
        "version": version,
        "confirmed_at": time.time(),
        "video_model": checkout.model,
        "audio": checkout.audio,
        "lines": lines,
        "total": total,
    }
    scene = checkout.scene
    inputs = artifacts.record_inputs(
        project, project.branch().draft, path(scene), _inputs(scene, checkout.lines)
    )
    project.write(
        path(scene),
        artifacts.make(content, inputs=inputs, origin=artifacts.MANUAL, model=checkout.model),
    )
    n = len(checkout.lines)
    again = f", version {version}" if version > 1 else ""
    project.commit(
        f"Confirmed for render: scene {checkout.label} ({n} shot{'s' * (n != 1)}, "
        f"${total:,.2f}{again})",
        kind="approve",
        stage=11,
    )
    done = confirmed(project, scene)
    assert done is not None
    return done


def as_json(c: Checkout) -> dict[str, Any]:
    m = c.money
    return {
        "scene": c.scene,
        "label": c.label,
        "model": c.model,
        "per_shot": dict(c.per_shot),
        "audio": c.audio,
        "price_source": c.price_source,
        "lines": [x.to_json() for x in c.lines],
        "total": c.total,
        "spent": {"month": m.spent_month, "project": m.spent_project},
        "caps": {"monthly": m.monthly_cap, "project": m.project_cap, "room": m.room},
        "frozen": c.frozen,
        "confirmed": None
        if c.confirmed is None
        else {"version": c.confirmed.version, "at": c.confirmed.at, "total": c.confirmed.total},
        "changed_since_confirmed": list(c.changed),
        "waiting": c.waiting,
        "over_cap": c.over_cap,
    }
