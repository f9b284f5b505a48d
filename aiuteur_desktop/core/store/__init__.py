"""Story Timelines: a git-style, content-addressed project store (DESIGN.md)."""

from aiuteur_desktop.core.store import studio  # noqa: F401 (opens studio projects' folders)
from aiuteur_desktop.core.store.project import Branch, Commit, Project

__all__ = ["Branch", "Commit", "Project"]
