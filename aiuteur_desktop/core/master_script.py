"""The Master Script as stored in a project (`stage4/script`): the screenplay split into scenes
with stable ids, each carrying its elements and its Fountain text, so Phase B artifacts can
fingerprint one scene (`stage4/script#scenes/s3`) and prompts can read one scene's text."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aiuteur_desktop.core import artifacts, timelines
from aiuteur_desktop.core.formats import fountain
from aiuteur_desktop.core.screenplay import Element, Screenplay
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.store.project import Commit

_DEFAULTS = asdict(Element(""))


def _element(e: Element) -> dict[str, Any]:
    """Only what differs from the defaults, so stored scripts stay small and readable."""
    return {k: v for k, v in asdict(e).items() if k == "type" or v != _DEFAULTS[k]}


def to_document(play: Screenplay) -> dict[str, Any]:
    scenes = play.scenes()
    first = scenes[0].start if scenes else len(play.elements)
    out_scenes = []
    for s in scenes:
        els = play.elements[s.start : s.end]
        out_scenes.append(
            {
                "id": f"s{s.number}",
                "number": s.label,
                "heading": s.heading,
                "int_ext": s.int_ext,
                "location": s.location,
                "time_of_day": s.time_of_day,
                "characters": list(s.characters),
                "elements": [_element(e) for e in els],
                "text": fountain.write_string(Screenplay((), els)).rstrip("\n"),
            }
        )
    return {
        "title_page": [list(kv) for kv in play.title_page],
        "preamble": [_element(e) for e in play.elements[:first]],
        "scenes": out_scenes,
    }


def from_document(doc: Any) -> Screenplay:
    content = artifacts.content_of(doc)
    title = tuple((str(k), str(v)) for k, v in content.get("title_page") or [])
    els = [Element(**e) for e in content.get("preamble") or []]
    for scene in content.get("scenes") or []:
        if scene.get("elements"):
            els.extend(Element(**e) for e in scene["elements"])
        else:  # a script written as plain scene texts (generated or hand-typed)
            els.extend(fountain.read_string(str(scene.get("text", ""))).elements)
    return Screenplay(title, tuple(els))


def current(project: Project, branch: str | None = None) -> Screenplay | None:
    """The Master Script on a branch (the current one by default), or None before there is one."""
    doc = project.read(artifacts.SCRIPT, branch=branch)
    return None if doc is None else from_document(doc)


def import_screenplay(project: Project, play: Screenplay, source: str) -> Commit:
    """Mode D: a finished screenplay becomes the Master Script (a commit). Like any new script,
    it is a new derivation, so everything made from an earlier script is Outdated."""
    timelines.save_generated_script(project, to_document(play), origin=artifacts.IMPORTED)
    return project.commit(f"Imported screenplay {source}", kind="import", stage=4)
