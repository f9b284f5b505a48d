"""Stage 9's inputs (PRD §3.9): the only things a scene's Prompt Sets are assembled from —
this scene's shots, the starting looks of its elements (with any other scene's script taken
out), its style and its speakers' voices. Read by `prompts` and nothing else."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.production import scene_style, visuals
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.production.shots.sentences import sentences_of
from aiuteur_desktop.core.production.shots.timing import Shot
from aiuteur_desktop.core.production.visuals import Element
from aiuteur_desktop.core.store import Project, artifacts
from aiuteur_desktop.core.story import master_script


@dataclass(frozen=True)
class PromptInputs:
    """Everything a scene's Prompt Sets may be assembled from (Stage 9): this scene's shots,
    the starting looks of its elements, its style and the voices of its speakers — nothing
    of any other scene's script."""

    scene: str
    label: str
    shots: list[Shot]
    elements: list[Element]
    style: dict[str, Any]
    style_key: str
    voices: dict[str, str]
    #: Every character name and alias in the project, in capitals → the character's name as
    #: the shots call it ("MARA QUILL" → "MARA").
    cast: dict[str, str] = field(default_factory=dict)
    #: The scenes in script order (ids), for what a look inherits.
    order: list[str] = field(default_factory=list)


def prompt_inputs(project: Project, scene: str, branch: str | None = None) -> PromptInputs:
    """The only inputs a Stage 9 prompt of `scene` is assembled from."""
    rows = shot_list.current(project, scene)
    looks = visuals.elements(project, scene, rows)
    play = master_script.current(project, branch)
    sentences = _script_sentences(project, branch) if play is not None else None
    if sentences is not None:
        looks = _guarded(sentences, scene, looks)
    voices: dict[str, str] = {}
    cast: dict[str, str] = {}
    for a in masters.kept_assets(project, branch):  # (read only)
        if a["kind"] != "character":
            continue
        names = [a["name"], *(a.get("aliases") or [])]
        for n in names:
            cast.setdefault(n.upper(), a["name"].upper())
        if str(a.get("voice") or "").strip():
            for name in names:
                voices.setdefault(name.upper(), " ".join(str(a["voice"]).split()))
    return PromptInputs(
        scene=scene,
        label=master_script.label_of(project, scene),
        shots=rows,
        elements=looks,
        style=scene_style.of(project, scene),
        style_key=scene_style.key(project, scene),
        voices=voices,
        cast=cast,
        order=[s.id for s in play.scenes()] if play is not None else [],
    )


def _sentences_of(text: str) -> list[str]:
    return [" ".join(s.split()) for s in sentences_of(text)]


def _script_sentences(
    project: Project, branch: str | None
) -> tuple[dict[str, frozenset[str]], frozenset[str]] | None:
    """Each scene's sentences (id → set) and every sentence of the script: worked out once
    per content of the Master Script, not once per prompt."""

    def compute(doc: Any) -> tuple[dict[str, frozenset[str]], frozenset[str]]:
        play = master_script.from_document(doc)  # this content, not the draft's newest
        per_scene: dict[str, frozenset[str]] = {}
        for sc in play.scenes():
            found: set[str] = set()
            for e in play.elements[sc.body_start : sc.end]:
                found.update(_sentences_of(e.text))
            per_scene[sc.id] = frozenset(found)
        return per_scene, frozenset().union(*per_scene.values())

    return project.derived(artifacts.SCRIPT, "script sentences", compute, branch=branch)


def _guarded(
    sentences: tuple[dict[str, frozenset[str]], frozenset[str]],
    scene: str,
    looks: list[Element],
) -> list[Element]:
    """The looks with every sentence taken out that is another scene's script word for word
    and not this scene's: a master description pre-filled from the whole script ("… Eli
    pours tea." from scene 3 in a location's text) never carries another scene into this
    scene's prompts. Linear in the looks' length (the script's sentences are kept)."""
    per_scene, everything = sentences
    mine = per_scene.get(scene, frozenset())
    if not everything - mine:
        return looks
    out = []
    for e in looks:
        kept = [x for x in _sentences_of(e.description) if x in mine or x not in everything]
        text = " ".join(kept)
        out.append(
            e
            if text == " ".join(e.description.split())
            else dataclasses.replace(e, description=text)
        )
    return out
