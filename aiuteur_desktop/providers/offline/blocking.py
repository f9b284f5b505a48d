"""Blocking for the offline storyboard (issue "Offline storyboards…"): where the people of a
shot stand and which way they face when the shot does not say. Two people in a dialogue face
each other, each on a side of their own that does not depend on the shot — the same two are
on the same sides in every shot of a scene, whoever speaks first in it (the 180° rule)."""

from __future__ import annotations

from aiuteur_desktop.core.production.shots.spec import Character, ShotSpec


def blocked(spec: ShotSpec) -> list[Character]:
    """The shot's characters, a dialogue's two speakers turned to face each other when the
    shot left them both facing the camera; anyone placed or turned on purpose stays so."""
    people = list(spec.characters)
    front = [c for c in people if c.depth == "foreground"]
    if len(front) != 2 or not spec.dialogue or any(c.facing != "camera" for c in front):
        return people
    # (by name: a side of one's own in every shot, not the order of this shot's lines)
    first, second = sorted(front, key=lambda c: c.name.upper())
    if {first.position, second.position} != {"left", "right"}:  # not placed: sides by name
        first, second = (first.model_copy(update={"position": "left"}),
                         second.model_copy(update={"position": "right"}))  # fmt: skip
    turned = {
        c.name: c.model_copy(update={"facing": "right" if c.position == "left" else "left"})
        for c in (first, second)
    }
    return [turned.get(c.name, c) if c.depth == "foreground" else c for c in people]
