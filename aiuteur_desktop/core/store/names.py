"""Names of projects and Story Timelines: what a filmmaker may type, and where a derived
timeline's name comes from."""

from __future__ import annotations

import re

from aiuteur_desktop.core.errors import ProjectError

BAD_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def root_name(branch: str) -> str:
    """The Story Timeline a name grew from: "Main – revised beats 2" and
    "Main from “Chose treatment 2”" are both Main."""
    root = branch.split(" – ", 1)[0].split(" from “", 1)[0].strip()
    return root or branch


def validate_name(name: str) -> str:
    """A project or branch name a filmmaker typed, cleaned or refused."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ProjectError("Please enter a name.")
    if len(cleaned) > 120:
        raise ProjectError("That name is too long: keep it under 120 characters.")
    if BAD_NAME.search(cleaned) or cleaned in {".", ".."}:
        raise ProjectError('A name cannot contain any of these characters: < > : " / \\ | ? *')
    return cleaned
