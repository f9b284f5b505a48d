"""Stage 7's agentic tools (PRD §4.2, §9.2), with a text model: **Split** into two coherent
shots, **field coherence** after a camera change (the action reworded for what the new
framing sees), and **tempo suggestions**. The deterministic split and flags in
`core.production.shots.shot_list` stay the offline path.

Every answer is checked against the shot's own text before anything is applied: a split
may only re-use the shot's action sentences and lines — each exactly once, in order,
nothing invented, nothing lost; a reword keeps the shot's people (a close-up may leave
someone out, never bring anyone in) and its length in bounds. A refused answer changes
nothing and says why in one line. The requests see the scene's context only (the Context
Manager's `for_scene`: no other scene's script)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any

from aiuteur_desktop.core.context import ContextManager
from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.production.shots import shot_list, timing
from aiuteur_desktop.core.production.shots.sentences import sentences_of
from aiuteur_desktop.core.production.shots.timing import Line, Shot
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.story.asks import Ask

SPLIT, REWORD, TEMPO = "shot.split", "shot.reword", "shot.tempo"
CONTEXT_BUDGET = 4000
#: A reworded action may run this much longer than the one it replaces (and at least 400).
REWORD_GROWTH = 2.0


class RefusedAnswer(GateClosed):
    """The model's answer does not hold to the shot's text: nothing was changed."""


def _norm(text: str) -> str:
    return " ".join(text.split())


def _context(project: Project, scene_id: str) -> tuple[str, list[str]]:
    ctx = ContextManager(project).for_scene(scene_id, CONTEXT_BUDGET)
    return f"# Project and scene context\n{ctx.render()}", ctx.sources()


def _lines_text(shot: Shot) -> str:
    return (
        "\n".join(f'{i}. {d.character}: "{_norm(d.text)}"' for i, d in enumerate(shot.dialogue, 1))
        or "(none)"
    )


def _camera(shot: Shot) -> str:
    return f"{shot.shot_size}, {shot.angle}, {shot.move}"


def _ask(
    template: str,
    schema: str,
    values: dict[str, str],
    context: tuple[str, list[str]],
    title: str,
) -> Ask:
    text, ids = context
    return Ask(template, {"context": text, **values}, schema, ids, 7, title)


# ------------------------------------------------------------------ split
def split_ask(project: Project, scene_id: str, shot: Shot) -> Ask:
    sentences = sentences_of(shot.action) if shot.action else []
    values = {
        "label": shot.label,
        "duration": str(shot.duration),
        "camera": _camera(shot),
        "sentences": "\n".join(f"{i}. {_norm(s)}" for i, s in enumerate(sentences, 1)) or "(none)",
        "lines": _lines_text(shot),
    }
    return _ask(SPLIT, "SplitOut", values, _context(project, scene_id), f"Split shot {shot.label}")


def apply_split(rows: list[Shot], index: int, answer: dict[str, Any], given: int = 0) -> list[Shot]:
    """The list with shot `index` replaced by the model's two shots, after checking that
    they hold exactly the shot's own sentences and lines in order (RefusedAnswer otherwise).
    The first keeps the shot's letter, the second gets the scene's next unused one
    (`given`: how many letters the scene has given, `shot_list.issued`)."""
    shot = rows[index]
    parts = list(answer.get("shots") or [])
    if len(parts) != 2:
        raise RefusedAnswer("The model did not answer with two shots; nothing was changed.")
    original = [_norm(s) for s in (sentences_of(shot.action) if shot.action else [])]
    used: list[str] = []
    for part in parts:
        for s in sentences_of(str(part.get("action") or "")):
            n = _norm(s)
            if n not in original:
                raise RefusedAnswer(
                    f"The model's split adds words that are not in the shot (“{n[:60]}”); "
                    "nothing was changed."
                )
            used.append(n)
    if used != original:
        lost = next((s for s in original if s not in used), None)
        if lost is not None:
            raise RefusedAnswer(f"The model's split leaves out “{lost[:60]}”; nothing was changed.")
        raise RefusedAnswer(
            "The model's split repeats or reorders the shot's action; nothing was changed."
        )
    by_part: list[list[Line]] = [[], []]
    pending = list(shot.dialogue)
    for k, part in enumerate(parts):
        for line in part.get("dialogue") or []:
            who = _norm(str(line.get("character") or "")).upper()
            said = _norm(str(line.get("text") or ""))
            if not pending:
                raise RefusedAnswer(
                    f"The model's split adds a line (“{said[:60]}”); nothing was changed."
                )
            expected = pending[0]
            if who != expected.character.upper() or said != _norm(expected.text):
                if any(_norm(d.text) == said for d in pending[1:]):
                    raise RefusedAnswer(
                        f"The model's split leaves out or reorders “{_norm(expected.text)[:60]}”; "
                        "nothing was changed."
                    )
                raise RefusedAnswer(
                    f"The model's split changes or adds a line (“{said[:60]}”); nothing was "
                    "changed."
                )
            by_part[k].append(pending.pop(0))  # the shot's own line, parenthetical and all
    if pending:
        raise RefusedAnswer(
            f"The model's split drops the line “{_norm(pending[0].text)[:60]}”; nothing was "
            "changed."
        )
    out: list[Shot] = []
    for k, part in enumerate(parts):
        action = " ".join(sentences_of(str(part.get("action") or "")))
        if not action and not by_part[k]:
            raise RefusedAnswer("The model's split leaves a shot empty; nothing was changed.")
        piece = shot_list.refit(shot, action, tuple(by_part[k]))
        size = str(part.get("shot_size") or "").upper()
        if size in shot_list.SIZES:
            piece = dataclasses.replace(piece, shot_size=size)
        out.append(piece)
    second = dataclasses.replace(out[1], id=timing.letter(shot_list.next_free(rows, given)))
    return [*rows[:index], out[0], second, *rows[index + 1 :]]


# ------------------------------------------------------------- coherence
def reword_ask(project: Project, scene_id: str, before: Shot, after: Shot) -> Ask:
    """The action of `after` (its camera just changed from `before`'s) reworded to fit."""
    values = {
        "label": after.label,
        "duration": str(after.duration),
        "before": _camera(before),
        "after": _camera(after),
        "action": _norm(after.action) or "(none)",
        "characters": ", ".join(after.characters) or "(nobody)",
        "lines": _lines_text(after),
    }
    return _ask(
        REWORD,
        "RewordOut",
        values,
        _context(project, scene_id),
        f"Reword shot {after.label} for {after.shot_size}",
    )


def apply_reword(shot: Shot, answer: dict[str, Any], cast: Iterable[str] = ()) -> Shot:
    """The shot with the model's wording for its camera, after checking it: nobody is
    brought in (characters and the cast names the action mentions are the shot's own), an
    action is not emptied and does not balloon. Dialogue is never touched."""
    action = _norm(str(answer.get("action") or ""))
    if shot.action.strip() and not action:
        raise RefusedAnswer("The model's wording is empty; nothing was changed.")
    room = max(400, int(len(_norm(shot.action)) * REWORD_GROWTH))
    if len(action) > room:
        raise RefusedAnswer(
            "The model's wording is far longer than the shot's action; nothing was changed."
        )
    own = {c.upper() for c in shot.characters}
    people = [_norm(str(c)).upper() for c in answer.get("characters") or [] if str(c).strip()]
    strangers = [c for c in people if c not in own]
    if strangers:
        raise RefusedAnswer(
            f"The model's wording brings in {', '.join(strangers[:3])}, who is not in the "
            "shot; nothing was changed."
        )
    before = _norm(shot.action)
    for name in cast:
        n = name.strip()
        if not n or n.upper() in own:
            continue
        pattern = rf"(?<![\w-]){re.escape(n)}(?![\w-])"
        if re.search(pattern, action, re.I) and not re.search(pattern, before, re.I):
            raise RefusedAnswer(
                f"The model's wording brings in {n.upper()}, who is not in the shot; nothing "
                "was changed."
            )
    kept = tuple(dict.fromkeys(people)) if people else shot.characters
    return dataclasses.replace(shot, action=action, characters=kept)


# ----------------------------------------------------------------- tempo
def tempo_ask(project: Project, scene_id: str, rows: list[Shot]) -> Ask:
    listed = "\n".join(
        f"{s.id} · {s.duration} s (its action and lines take {shot_list.needed(s):.1f} s) · "
        f"{s.summary(quoted=True)[:600] or 'nothing happens'}"
        for s in rows
    )
    label = rows[0].scene_label if rows else scene_id
    return _ask(
        TEMPO,
        "TempoOut",
        {"shots": listed or "(no shots)"},
        _context(project, scene_id),
        f"Tempo suggestions for scene {label}",
    )


def tempo_notes(rows: list[Shot], answer: dict[str, Any]) -> dict[str, str]:
    """Suggestions by shot id, for the shots the list has (others are dropped); never applied
    to the shots — the filmmaker decides."""
    ids = {s.id: s.id for s in rows} | {s.label.upper(): s.id for s in rows}
    out: dict[str, str] = {}
    for note in answer.get("notes") or []:
        shot = ids.get(_norm(str(note.get("shot") or "")).upper())
        text = _norm(str(note.get("note") or ""))
        if shot is not None and text:
            out[shot] = text[:300]
    return out
