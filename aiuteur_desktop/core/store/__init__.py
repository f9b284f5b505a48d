"""Story Timelines: a git-style, content-addressed project store (DESIGN.md)."""

from aiuteur_desktop.core.store.project import Branch, Commit, Project
from aiuteur_desktop.core.store.summary import ProjectSummary, read_summary

__all__ = ["Branch", "Commit", "Project", "ProjectSummary", "read_summary"]
