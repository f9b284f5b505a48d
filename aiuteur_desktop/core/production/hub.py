"""Stage 6 · Script Hub: each scene's production status and what it depends on (PRD §9.1).

Everything here is derived — from the Master Script, the scene's shot list and the stored
artifacts' status — and advisory: the Continuity Risk Analyzer says Safe, Risky or Broken
with its reasons, and never blocks or edits anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aiuteur_desktop.core.assets.masters import location_of
from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.screenplay import elements as sp
from aiuteur_desktop.core.screenplay import headings
from aiuteur_desktop.core.screenplay.elements import plain
from aiuteur_desktop.core.store import Project, artifacts
from aiuteur_desktop.core.store.status import Status, StatusDeriver, label
from aiuteur_desktop.core.story import master_script

DRAFT = "Draft"
SHOTS_LOCKED = "Shot List Locked"
OUTDATED = "Outdated"
BROKEN = "Continuity Broken"

CONFIRMED = "Confirmed"
RENDERING = "Rendering"
RENDERED = "Rendered"
COMPLETE = "Complete"
#: The statuses that open the scene in Stage 12's review player (render re-entry).
REVIEWABLE = frozenset({RENDERED, COMPLETE})

SAFE, RISKY = "Safe", "Risky"


@dataclass(frozen=True)
class Overview:
    """What the Scene Overview panel shows for one scene."""

    scene_id: str
    label: str
    heading: str
    status: str
    excerpt: str
    characters: tuple[str, ...]  # expected at the scene's start (its first shot)
    location: str
    variant: str
    previous: str  # how the scene before ends, in one line ("" for the first scene)
    risk: str  # Safe, Risky or Broken
    reasons: tuple[str, ...] = field(default=())
    shots: int = 0
    seconds: int = 0
    upstream: str | None = None  # the id of the scene before, for Jump to Upstream Scene


def scene_status(project: Project, scene_id: str, deriver: StatusDeriver | None = None) -> str:
    """Draft, Shot List Locked, Confirmed, Rendered, Complete, Outdated or Continuity
    Broken."""
    deriver = deriver or StatusDeriver(project, project.branch().draft)
    worst = deriver.scene_status(scene_id)
    if worst == Status.OUTDATED:
        return OUTDATED
    if worst == Status.CONTINUITY_BROKEN:
        return BROKEN
    later = _production(deriver, scene_id)
    if later:
        return later
    doc = deriver.view.doc(shot_list.path(scene_id))  # read once with the statuses
    locked = isinstance(doc, dict) and artifacts.content_of(doc).get("locked")
    return SHOTS_LOCKED if locked else DRAFT


def _production(deriver: StatusDeriver, scene_id: str) -> str:
    """Confirmed, Rendered (every confirmed shot has a take of that confirmation) or
    Complete (Stage 12's Complete Scene); "" before the scene is confirmed."""
    prefix = f"scenes/{scene_id}/"

    def content(part: str) -> dict:
        doc = deriver.view.doc(prefix + part) if prefix + part in deriver.paths else None
        return artifacts.content_of(doc) if isinstance(doc, dict) else {}

    confirmed = content("confirm")
    if not confirmed:
        return ""
    if content("review").get("complete"):
        return COMPLETE
    version = int(confirmed.get("version") or 1)
    for line in confirmed.get("lines") or ():
        made = content(f"videos/{line.get('shot')}").get("takes") or ()
        if not any(int((t.get("parameters") or {}).get("version") or 0) == version for t in made):
            return CONFIRMED
    return RENDERED


def statuses(project: Project) -> dict[str, str]:
    """Every scene's status at once (one status derivation for the whole project)."""
    deriver = StatusDeriver(project, project.branch().draft)
    play = master_script.current(project)
    ids = [s.id for s in play.scenes()] if play is not None else []
    return {sid: scene_status(project, sid, deriver) for sid in ids}


_SHOWN = {
    sp.SCENE_HEADING: "{}",
    sp.ACTION: "{}",
    sp.CHARACTER: "            {}",
    sp.PARENTHETICAL: "        {}",
    sp.DIALOGUE: "      {}",
    sp.TRANSITION: "                              {}",
    sp.CENTERED: "              {}",
    sp.LYRICS: "      {}",
}


def _excerpt(elements: tuple[sp.Element, ...], lines: int = 16) -> str:
    """The scene's opening as a reader sees it (notes, sections and synopses left out)."""
    out: list[str] = []
    for e in elements:
        if e.type not in _SHOWN or not plain(e.text):
            continue
        if e.type in (sp.SCENE_HEADING, sp.ACTION, sp.CHARACTER, sp.TRANSITION) and out:
            out.append("")
        out.extend(_SHOWN[e.type].format(line) for line in plain(e.text).splitlines())
    more = len(out) > lines
    return "\n".join(out[:lines]).rstrip() + ("\n…" if more else "")


def overview(project: Project, scene_id: str) -> Overview:
    play = master_script.current(project)
    if play is None:
        raise GateClosed("There is no Master Script yet.")
    scene = master_script.scene(play, scene_id)
    before = master_script.previous_scene(play, scene_id)
    rows = shot_list.current(project, scene_id)
    first = rows[0] if rows else None
    place, variant = location_of(scene.heading)
    variant_text = " · ".join(v for v in (variant["int_ext"], variant["time_of_day"]) if v)
    previous = shot_list.previous_last(project, scene_id)
    status = scene_status(project, scene_id)

    reasons: list[str] = []
    risk = SAFE
    if status == BROKEN:
        risk = "Broken"
        reasons.append("Something this scene was made from changed in another scene.")
    elif status == OUTDATED:
        risk = RISKY
        reasons.append("Work in this scene was made from an earlier version of it.")
    continuous = headings.continuous(scene.continuity)
    if previous is not None and continuous:
        # A continuous scene picks up where the last one stopped: whoever was on screen
        # there is expected here (moving to another place is normal, so it is not a risk).
        gone = [c for c in previous.characters if first is None or c not in first.characters]
        if gone:
            verb = "is" if len(gone) == 1 else "are"
            reasons.append(
                f"{', '.join(gone)} ended the scene before on screen but {verb} not in this "
                "scene's first shot."
            )
        if risk == SAFE and reasons:
            risk = RISKY
    prev_line = ""
    if previous is not None:
        what = previous.summary(quoted=True) or previous.heading
        who = ", ".join(previous.characters)
        on = f" on {who}" if who else ""
        prev_line = f"Scene {previous.scene_label} ends{on} — {what}"
    return Overview(
        scene_id=scene_id,
        label=scene.label,
        heading=scene.title,
        status=status,
        excerpt=_excerpt(play.elements[scene.start : scene.end]),
        characters=first.characters if first else (),
        location=place,
        variant=variant_text,
        previous=prev_line,
        risk=risk,
        reasons=tuple(reasons),
        shots=len(rows),
        seconds=sum(s.duration for s in rows),
        upstream=before.id if before is not None else None,
    )


def _describe_input(key: str, labels: dict[str, str]) -> str:
    path, _, fragment = key.partition("#")
    if path == artifacts.SCRIPT and fragment.startswith("scenes/"):
        sid = fragment.removeprefix("scenes/").split("/", 1)[0]
        return f"scene {labels.get(sid, sid)} of the Master Script"
    if key == artifacts.SCRIPT_DERIVATION:
        return "the Master Script (regenerated)"
    if path.startswith("scenes/"):
        sid, _, what = path.removeprefix("scenes/").partition("/")
        return f"the {what.replace('_', ' ')} of scene {labels.get(sid, sid)}"
    return label(path)


def why_outdated(project: Project, scene_id: str) -> str:
    """The Outdated warning: what changed upstream and which scenes may feel it (advice)."""
    deriver = StatusDeriver(project, project.branch().draft)
    play = master_script.current(project)
    scenes = play.scenes() if play is not None else []
    labels = {s.id: s.label for s in scenes}
    prefix = f"scenes/{scene_id}/"
    changed: list[str] = []
    for path in sorted(p for p in deriver.view.paths if p.startswith(prefix)):
        for key in deriver.changed_inputs(path):
            text = _describe_input(key, labels)
            if text not in changed:
                changed.append(text)
    if not changed:
        return ""
    ids = [s.id for s in scenes]
    after = scenes[ids.index(scene_id) + 1 :] if scene_id in ids else []
    if len(after) > 1:
        later = f"Scenes {after[0].label}–{after[-1].label} follow it and may need a look for continuity."
    elif after:
        later = f"Scene {after[0].label} follows it and may need a look for continuity."
    else:
        later = "It is the last scene."
    return (
        f"Scene {labels.get(scene_id, scene_id)} is outdated: {', '.join(changed)} changed "
        f"since its work was made. {later} You can carry on; nothing is blocked."
    )


@dataclass(frozen=True)
class HubRow:
    """One scene in the Script Hub list."""

    scene_id: str
    label: str
    heading: str
    int_ext: str
    location: str
    time_of_day: str
    shots: int
    seconds: int
    status: str
    #: Shots the editor's cut of this Story Timeline dropped (0 without a cut).
    omitted: int = 0
    #: The editor's file the timeline's cut came from ("" — the script's order).
    cut: str = ""
    #: The heading's qualifiers (FLASHFORWARD, PRESENT, TO NIGHT …) and the scene's light.
    qualifiers: tuple[str, ...] = ()
    light: str = ""

    @property
    def setting(self) -> str:
        """INT · KITCHEN · NIGHT, leaving out what the heading does not say."""
        return " · ".join(p for p in (self.int_ext, self.location, self.time_of_day) if p)


def hub(project: Project) -> list[HubRow]:
    """Every scene with its shot count, running time (edited lists where up to date, the
    shot timing elsewhere) and status — what the Script Hub shows."""
    play = master_script.current(project)
    if play is None:
        return []
    from aiuteur_desktop.core.production import cut

    lengths: dict[str, list[float]] = {}
    film = cut.film(project)  # the editor's cut's lengths where the timeline has one
    for placed in film.placed:
        lengths.setdefault(placed.shot.scene_id, []).append(film.seconds(placed))
    omitted: dict[str, int] = {}
    for shot in film.omitted:
        omitted[shot.scene_id] = omitted.get(shot.scene_id, 0) + 1
    status = statuses(project)
    return [
        HubRow(
            scene_id=s.id,
            label=s.label,
            heading=s.title,
            int_ext=s.int_ext,
            location=s.location,
            time_of_day=s.time_of_day,
            shots=len(lengths.get(s.id, [])),
            seconds=round(sum(lengths.get(s.id, []))),
            status=status.get(s.id, DRAFT),
            omitted=omitted.get(s.id, 0),
            cut=film.source,
            qualifiers=s.qualifiers,
            light=s.light,
        )
        for s in play.scenes()
    ]
