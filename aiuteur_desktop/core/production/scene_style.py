"""A scene's visual style (PRD §9.3): the project's locked style, or another style library's
card chosen for this scene alone. Kept as the scene's style document at
`scenes/<scene id>/style`, which frames and prompts record as an input, so changing either
style outdates what was made with the old one."""

from __future__ import annotations

from typing import Any

from aiuteur_desktop.core.assets import masters as assets
from aiuteur_desktop.core.store import Project, artifacts
from aiuteur_desktop.core.story import master_script


def path(scene_id: str) -> str:
    return f"scenes/{scene_id}/style"


def of(project: Project, scene_id: str) -> dict[str, Any]:
    """The scene's visual style: its own choice, else the project's locked style."""
    doc = project.read(path(scene_id))
    if isinstance(doc, dict) and doc.get("own"):
        return artifacts.content_of(doc)
    return {**assets.style_lock(project), "own": False}


def key(project: Project, scene_id: str) -> str:
    """The input key a frame or prompt of this scene records for its style: the scene's
    style document (see `ensure`), which follows the project's style unless the scene
    chose its own — so either change outdates what was made with the old one."""
    return path(scene_id)


def ensure(project: Project, scene_id: str) -> str:
    """Write the scene's style document when it is missing or no longer mirrors the
    project's style (a scene without its own style); returns its path."""
    p = path(scene_id)
    doc = project.read(p)
    if isinstance(doc, dict) and doc.get("own"):
        return p
    mirror = {**assets.style_lock(project), "own": False}
    mirror = {k: v for k, v in mirror.items() if k not in artifacts.RESERVED}
    if not isinstance(doc, dict) or artifacts.content_of(doc) != mirror:
        inputs = artifacts.record_inputs(project, project.branch().draft, p, [assets.STYLE])
        project.write(p, artifacts.make(mirror, inputs=inputs, origin=artifacts.GENERATED))
    return p


def choose(project: Project, scene_id: str, library: str, card: str) -> None:
    """Switch this scene to another style library (recorded with the scene: its prompts and
    frames made with the old style turn Outdated); a commit. An empty library goes back to
    the project's style."""
    label = master_script.label_of(project, scene_id)
    if not library:
        doc = project.read(path(scene_id))
        if isinstance(doc, dict) and doc.get("own"):
            project.delete(path(scene_id))
            ensure(project, scene_id)
            project.commit(f"Scene {label} uses the project's style again", stage=8)
        return
    project.write(
        path(scene_id),
        artifacts.make({"library": library, "card": card, "own": True}, origin=artifacts.MANUAL),
    )
    project.commit(f"Scene {label} style: {library}", kind="edit", stage=8)
