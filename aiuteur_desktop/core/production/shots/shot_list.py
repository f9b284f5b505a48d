"""Stage 7: the scene's shot list as the filmmaker edits and locks it (PRD §4.2, §9.2).

A scene's shots start from the deterministic shot timing (`core.production.shots.timing`) and are stored at
`scenes/<scene id>/shots` once edited, with the fingerprint of their own scene of the
Master Script as input — so rewriting scene 3 outdates scene 3's shot list only. Split
and merge move what the script says between shots; they never invent anything.

Every shot keeps a permanent letter (`Shot.id`, shown "3B"): a split keeps the first half's
and gives the second the scene's next unused letter, a merge keeps the first shot's,
delete and reorder keep everyone's, and re-timing from the script gives a shot whose
content survives its old letter. The stored list remembers how many letters were ever
given (`issued`), so a letter is never given twice in a scene — a prompt set or a take
keyed by it can never attach to another shot.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from aiuteur_desktop.core import story
from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.production.shots import timing as shots
from aiuteur_desktop.core.production.shots.sentences import sentences_of
from aiuteur_desktop.core.production.shots.spec import Angle, Move, ShotSize
from aiuteur_desktop.core.production.shots.timing import Line, Shot
from aiuteur_desktop.core.screenplay import headings
from aiuteur_desktop.core.screenplay.elements import Scene, Screenplay
from aiuteur_desktop.core.store import Project, artifacts
from aiuteur_desktop.core.store.status import Status, StatusDeriver
from aiuteur_desktop.core.story import master_script

# The camera values the render engines understand, in the order a filmmaker reads them.
SIZES = tuple(v.value for v in ShotSize)
ANGLES = tuple(v.value for v in Angle)
MOVES = tuple(v.value for v in Move)


def path(scene_id: str) -> str:
    return f"scenes/{scene_id}/shots"


def to_dict(shot: Shot) -> dict[str, Any]:
    return dataclasses.asdict(shot)


def from_dict(d: dict[str, Any]) -> Shot:
    fields = {f.name for f in dataclasses.fields(Shot)}
    values = {k: v for k, v in d.items() if k in fields}
    old = str(values.get("id") or "")
    if old.isdigit() and int(old) > 0:  # lists saved before letters: numbered 1, 2 … in order
        values["id"] = shots.letter(int(old) - 1)
    values["dialogue"] = tuple(Line(**line) for line in d.get("dialogue") or [])
    values["characters"] = tuple(d.get("characters") or [])
    return Shot(**values)


def _play(project: Project) -> Screenplay:
    play = master_script.current(project)
    if play is None:
        raise GateClosed("There is no Master Script yet.")
    return play


def timed(project: Project, scene_id: str) -> list[Shot]:
    """The scene's shots as the shot timing cuts them from the script now."""
    play = _play(project)
    scene = master_script.scene(play, scene_id)
    # CONTINUOUS keeps the light of the scenes before.
    return shots.scene_shots(play, scene, previous_light=shots.light_before(play, scene))


def _placed(rows: list[Shot], scene: Scene) -> list[Shot]:
    """Stored rows where their scene is now (its order and number move when scenes are
    added or removed before it; the rows stay with the scene, by its id)."""
    return [
        dataclasses.replace(r, scene=scene.number, scene_label=scene.label, scene_id=scene.id)
        for r in rows
    ]


def stored(project: Project, scene_id: str, branch: str | None = None) -> dict[str, Any] | None:
    doc = project.read(path(scene_id), branch=branch)
    return artifacts.content_of(doc) if isinstance(doc, dict) else None


def current(project: Project, scene_id: str) -> list[Shot]:
    """The shot list the filmmaker works on: the stored one, or the shot timing's."""
    doc = stored(project, scene_id)
    if doc is None:
        return timed(project, scene_id)
    rows = [from_dict(d) for d in doc.get("shots") or []]
    play = master_script.current(project)
    found = next((s for s in play.scenes() if s.id == scene_id), None) if play else None
    return _placed(rows, found) if found is not None else rows


def breakdown(project: Project, branch: str | None = None) -> tuple[Shot, ...]:
    """The shot timing of the whole Master Script, worked out once per content of the script
    (the Script Hub asks after every finished job; timing a feature takes ~0.3 s)."""

    def timed(doc: Any) -> tuple[Shot, ...]:
        return tuple(shots.breakdown(master_script.from_document(doc)))

    return project.derived(artifacts.SCRIPT, "shot timing", timed, branch=branch) or ()


def by_scene(project: Project) -> list[tuple[Scene, list[Shot]]]:
    """Every scene with the shot list `current` gives it, in script order — linear in the
    script (the script is parsed and timed once, the stored lists read in one go)."""
    play = master_script.current(project)
    if play is None:
        return []
    scenes = play.scenes()
    docs = project.read_many([path(s.id) for s in scenes])
    timing: dict[str, list[Shot]] = {}
    if any(not isinstance(docs[path(s.id)], dict) for s in scenes):
        for shot in breakdown(project):
            timing.setdefault(shot.scene_id, []).append(shot)
    out = []
    for scene in scenes:
        doc = docs[path(scene.id)]
        if isinstance(doc, dict):
            rows = [from_dict(d) for d in artifacts.content_of(doc).get("shots") or []]
            out.append((scene, _placed(rows, scene)))
        else:
            out.append((scene, timing.get(scene.id, [])))
    return out


def is_locked(project: Project, scene_id: str) -> bool:
    doc = stored(project, scene_id)
    return bool(doc and doc.get("locked"))


def status(
    project: Project,
    scene_id: str,
    branch: str | None = None,
    deriver: StatusDeriver | None = None,
) -> Status:
    """Up-to-date, Outdated (its scene of the script changed) or Missing (never edited).
    Pass one `deriver` when asking for many scenes: it memoises the tree's statuses."""
    deriver = deriver or StatusDeriver(project, project.branch(branch).draft)
    return deriver.status(path(scene_id))


def issued(project: Project, scene_id: str, branch: str | None = None) -> int:
    """How many shot letters the scene has ever given (the next one is `letter(issued)`)."""
    doc = stored(project, scene_id, branch)
    rows = [from_dict(d) for d in doc.get("shots") or []] if doc else timed(project, scene_id)
    given = int(doc.get("issued") or 0) if doc else 0
    return max(given, next_free(rows))


def next_free(rows: list[Shot], given: int = 0) -> int:
    """The index of the scene's next unused letter (past `given` and every id in `rows`)."""
    return max([given, *(shots.letter_index(s.id) + 1 for s in rows)])


def _with_ids(rows: list[Shot], given: int) -> list[Shot]:
    """Rows whose ids are unique letters: a missing, malformed or repeated id (a list from an
    older version, a hand-edited file) gets the next unused letter."""
    seen: set[str] = set()
    out: list[Shot] = []
    for s in rows:
        if shots.letter_index(s.id) < 0 or s.id in seen:
            s = dataclasses.replace(s, id=shots.letter(next_free([*out, *rows], given)))
            given = shots.letter_index(s.id) + 1
        seen.add(s.id)
        out.append(s)
    return out


def save(project: Project, scene_id: str, rows: list[Shot], *, locked: bool = False) -> None:
    """Write the edited list as a draft; each shot keeps its letter."""
    if not rows:
        raise GateClosed("A scene needs at least one shot.")
    inputs = artifacts.record_inputs(
        project, project.branch().draft, path(scene_id), [master_script.scene_key(scene_id)]
    )
    doc = stored(project, scene_id)
    given = int(doc.get("issued") or 0) if doc else 0
    rows = _with_ids(rows, given)
    content = {
        "shots": [to_dict(s) for s in rows],
        "locked": locked,
        "issued": next_free(rows, given),
    }
    project.write(path(scene_id), artifacts.make(content, inputs=inputs, origin=artifacts.MANUAL))


def lock(project: Project, scene_id: str, rows: list[Shot]) -> None:
    """Lock Shot List: the scene's breakdown is final for the stages after it (a commit)."""
    save(project, scene_id, rows, locked=True)
    label = master_script.label_of(project, scene_id)
    project.commit(f"Locked shot list for scene {label}", kind="approve", stage=7)


def unlock(project: Project, scene_id: str) -> None:
    save(project, scene_id, current(project, scene_id), locked=False)
    label = master_script.label_of(project, scene_id)
    project.commit(f"Unlocked shot list for scene {label}", kind="edit", stage=7)


def _content(shot: Shot) -> set[str]:
    """What a shot holds, as pieces: its action's sentences and its lines."""
    said = {f"{d.character}: {' '.join(d.text.split())}" for d in shot.dialogue}
    return {*sentences_of(shot.action), *said} if shot.action else said


def keep_ids(new: list[Shot], old: list[Shot], given: int) -> list[Shot]:
    """`new` (a fresh timing of the script) with the letters of the `old` shots whose content
    survives: the same action and lines first, then the old shot holding most of a new
    shot's pieces (at least half of them); each old letter is used at most once, and every
    other shot gets a letter never given in the scene."""
    free = {s.id: _content(s) for s in old}
    ids: list[str | None] = [None] * len(new)
    pieces = [_content(s) for s in new]
    for i, p in enumerate(pieces):  # unchanged shots keep their letters
        same = next((k for k, q in free.items() if q == p), None)
        if same is not None:
            ids[i] = same
            del free[same]
    for i, p in enumerate(pieces):
        if ids[i] is not None or not p or not free:
            continue
        best = max(free, key=lambda k: len(free[k] & p))
        if len(free[best] & p) * 2 >= len(p):
            ids[i] = best
            del free[best]
    given = next_free(old, given)
    out = []
    for s, k in zip(new, ids, strict=True):
        if k is None:
            k, given = shots.letter(given), given + 1
        out.append(dataclasses.replace(s, id=k))
    return out


def retimed(project: Project, scene_id: str, rows: list[Shot] | None = None) -> list[Shot]:
    """The shot timing of the script as it is now, keeping the letters of the shots (`rows`,
    or the scene's current list) whose content survives."""
    old = current(project, scene_id) if rows is None else rows
    return keep_ids(timed(project, scene_id), old, issued(project, scene_id))


def reset(project: Project, scene_id: str) -> list[Shot]:
    """Back to the shot timing of the script as it is now (a commit; the old list stays in
    the history). Shots whose content survives keep their letters."""
    rows = retimed(project, scene_id)
    save(project, scene_id, rows)
    label = master_script.label_of(project, scene_id)
    project.commit(f"Shot list for scene {label} re-timed from the script", stage=7)
    return rows


# ------------------------------------------------------------ split / merge
def refit(shot: Shot, action: str, dialogue: tuple[Line, ...]) -> Shot:
    """The shot holding `action` and `dialogue`, re-timed (its people follow its speakers)."""
    timing = (shots.action_seconds(action) if action else 0.0) + sum(
        shots.line_seconds(d.text) for d in dialogue
    )
    speakers = [d.character for d in dialogue]
    people = tuple(dict.fromkeys([*speakers, *(c for c in shot.characters if c not in speakers)]))
    return dataclasses.replace(
        shot,
        action=action,
        dialogue=dialogue,
        characters=people,
        timing=round(timing, 2),
        duration=shots.duration_for(timing),
    )


def can_split(shot: Shot) -> bool:
    pieces = len(sentences_of(shot.action)) if shot.action else 0
    return pieces + len(shot.dialogue) >= 2


def split(rows: list[Shot], index: int, given: int = 0) -> list[Shot]:
    """Shot `index` as two: its action then its dialogue, or each half of its sentences or
    lines. Nothing is invented; both halves keep the shot's camera and place. The first
    keeps the shot's letter, the second gets the scene's next unused one (`given`: how many
    letters the scene has given, see `issued`)."""
    shot = rows[index]
    if not can_split(shot):
        raise GateClosed("This shot holds a single sentence or line: there is nothing to split.")
    sentences = sentences_of(shot.action) if shot.action else []
    if sentences and shot.dialogue:
        first = refit(shot, shot.action, ())
        second = refit(shot, "", shot.dialogue)
    elif sentences:
        half = (len(sentences) + 1) // 2
        first = refit(shot, " ".join(sentences[:half]), ())
        second = refit(shot, " ".join(sentences[half:]), ())
    else:
        half = (len(shot.dialogue) + 1) // 2
        first = refit(shot, "", shot.dialogue[:half])
        second = refit(shot, "", shot.dialogue[half:])
    second = dataclasses.replace(second, id=shots.letter(next_free(rows, given)))
    return [*rows[:index], first, second, *rows[index + 1 :]]


def merge(rows: list[Shot], index: int) -> list[Shot]:
    """Shots `index` and `index + 1` as one, when together they still fit eight seconds. The
    merged shot keeps the first one's letter; the second's is not given again."""
    if not 0 <= index < len(rows) - 1:
        raise GateClosed("Select a shot with another shot after it to merge.")
    a, b = rows[index], rows[index + 1]
    action = " ".join(p for p in (a.action, b.action) if p)
    merged = refit(a, action, a.dialogue + b.dialogue)
    if merged.timing > shots.MAX_SHOT:
        raise GateClosed(
            f"Together they run {merged.timing:g} s: a shot is at most {shots.MAX_SHOT:g} s."
        )
    people = tuple(dict.fromkeys([*merged.characters, *b.characters]))
    merged = dataclasses.replace(merged, characters=people)
    return [*rows[:index], merged, *rows[index + 2 :]]


# ------------------------------------------------------------ flags
def needed(shot: Shot) -> float:
    """Seconds the shot's action and lines take at the shot timing's pace."""
    action = shots.action_seconds(shot.action) if shot.action else 0.0
    return round(action + sum(shots.line_seconds(d.text) for d in shot.dialogue), 2)


def flags(rows: list[Shot], previous: Shot | None = None) -> list[tuple[str, ...]]:
    """Advisory continuity flags per shot (never blocking): a shot too short for what it
    holds, and who carries over from the previous scene's last shot into a CONTINUOUS one."""
    out: list[tuple[str, ...]] = []
    for i, shot in enumerate(rows):
        found: list[str] = []
        need = needed(shot)
        if need > shot.duration + 0.05:
            found.append(
                f"Needs {need:.1f} s for its action and lines; the shot is {shot.duration} s"
            )
        if not shot.action and not shot.dialogue:
            found.append("Nothing happens in this shot")
        continuous = headings.continuous(shot.continuity)
        if i == 0 and previous is not None and continuous:
            gone = [c for c in previous.characters if c not in shot.characters]
            if gone:
                found.append(
                    f"Continuous from the scene before, whose last shot had {', '.join(gone)}"
                )
        out.append(tuple(found))
    return out


def scene_beats(project: Project, scene_id: str) -> list[tuple[int, str]]:
    """The Beat Sheet beats this scene was written from (number, text) — the shot list's
    structural reference; none for a script imported without a beat sheet."""
    if story.skipped(project, 3):
        return []
    mapping = story.scene_beats(project)
    beats = story.beats_of(project)
    ids = [s["id"] for s in story.scenes(project)]
    if scene_id not in ids or ids.index(scene_id) >= len(mapping):
        return []
    numbers = mapping[ids.index(scene_id)]
    return [(n, beats[n - 1]["text"]) for n in numbers if 1 <= n <= len(beats)]


def previous_last(project: Project, scene_id: str) -> Shot | None:
    """The last shot of the scene before (the Rearview Mirror), or None for the first scene."""
    play = master_script.current(project)
    before = master_script.previous_scene(play, scene_id) if play is not None else None
    if before is None:
        return None
    rows = current(project, before.id)
    return rows[-1] if rows else None


# ------------------------------------------------------------------- film
def film(project: Project, branch: str | None = None) -> list[Shot]:
    """Every scene's shots in script order: edited lists where the filmmaker made them (and
    they are not outdated by a script change), the shot timing elsewhere. Linear in the
    script's length."""
    play = master_script.current(project, branch)
    if play is None:
        return []
    out: list[Shot] = []
    by_scene: dict[str, list[Shot]] = {}
    for shot in breakdown(project, branch):
        by_scene.setdefault(shot.scene_id, []).append(shot)
    deriver = StatusDeriver(project, project.branch(branch).draft)
    for scene in play.scenes():
        timing = by_scene.get(scene.id, [])
        if deriver.status(path(scene.id)) != Status.UP_TO_DATE:
            out.extend(timing)
            continue
        edited = stored(project, scene.id, branch)
        if edited is not None:
            out.extend(_placed([from_dict(d) for d in edited.get("shots") or []], scene))
        else:
            out.extend(timing)
    return out


# ------------------------------------------------------- the shot table's text
#: The parts of a shot the Stage 7 table edits as text.
LENGTH, CAMERA, DIALOGUE, ACTION, CHARACTERS = "length", "camera", "dialogue", "action", "chars"


def dialogue_text(shot: Shot) -> str:
    return "\n".join(
        f"{d.character}: {d.parenthetical + ' ' if d.parenthetical else ''}{d.text}"
        for d in shot.dialogue
    )


def parse_dialogue(text: str, before: tuple[Line, ...]) -> tuple[Line, ...]:
    """Dialogue typed as `NAME: (parenthetical) words`, one line each, back into lines. A
    name is written in capitals or is one of the shot's speakers (any case); a line without
    one belongs to the speaker of the line before it (or of the line it replaces)."""
    known = {d.character.upper() for d in before}
    out: list[Line] = []
    for i, raw in enumerate(t for t in text.splitlines() if t.strip()):
        name, sep, words = raw.partition(":")
        name = name.strip()
        if not sep or not name or not (name.isupper() or name.upper() in known):
            who = out[-1].character if out else (before[i].character if i < len(before) else "")
            name, words = who, raw
        words = words.strip()
        paren = ""
        if words.startswith("(") and ")" in words:
            paren, words = words[: words.index(")") + 1], words[words.index(")") + 1 :].strip()
        if name and words:
            out.append(Line(name.upper(), words, paren))
    return tuple(out)


def camera_text(shot: Shot) -> str:
    return f"{shot.shot_size}|{shot.angle}|{shot.move}"


def edited(shot: Shot, part: str, text: str) -> Shot | None:
    """The shot with one part retyped as the table shows it (None: the text is not a valid
    value for that part). Length is whole seconds; camera is "SIZE|angle|move"; characters
    are names separated by commas."""
    if part == LENGTH:
        head = text.split()[0] if text.split() else ""
        if not head.isdigit() or int(head) <= 0:
            return None
        return dataclasses.replace(shot, duration=int(head))
    if part == DIALOGUE:
        return dataclasses.replace(shot, dialogue=parse_dialogue(text, shot.dialogue))
    if part == ACTION:
        return dataclasses.replace(shot, action=" ".join(text.split()))
    if part == CHARACTERS:
        names = [n.strip().upper() for n in text.split(",") if n.strip()]
        return dataclasses.replace(shot, characters=tuple(dict.fromkeys(names)))
    if part == CAMERA:
        size, angle, move = [*text.split("|"), "", "", ""][:3]
        if size not in SIZES or angle not in ANGLES or move not in MOVES:
            return None
        return dataclasses.replace(shot, shot_size=size, angle=angle, move=move)
    return None
