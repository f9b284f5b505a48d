"""Names of projects and Story Timelines: what a filmmaker may type, and where a derived
timeline's name comes from."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from aiuteur_desktop.core.errors import ProjectError

if TYPE_CHECKING:
    from aiuteur_desktop.core.store.records import Branch, Commit

BAD_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def root_name(branch: str) -> str:
    """The Story Timeline a name grew from: "Main – revised beats 2",
    "Main from “Chose treatment 2”" and a studio member's "Main · ben, 14:02" are all Main."""
    root = branch.split(" – ", 1)[0].split(" from “", 1)[0].split(" · ", 1)[0].strip()
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


class TimelineNaming:
    """`Project`'s naming of new Story Timelines (mixed in): a fork from an earlier version,
    a timeline derived from another, a name not taken yet."""

    if TYPE_CHECKING:  # Project's own

        def commit_by_id(self, commit_id: str) -> Commit: ...
        def branches(self) -> list[Branch]: ...
        def create_branch(
            self, name: str, *, from_commit: str | None = None, switch: bool = True
        ) -> Branch: ...

    def fork_from(self, commit_id: str, name: str | None = None) -> Branch:
        """Switch to an earlier version: always a new branch there, never a rewrite."""
        commit = self.commit_by_id(commit_id)
        if name is None:
            # Commit messages are free text ("Scene 1/2 rewrite"); names must stay valid.
            words = BAD_NAME.sub(" ", commit.message).split()[:4]
            while len(" ".join(words)) > 40 and len(words) > 1:
                words.pop()  # whole words only, so the quote is never cut mid-word
            label = " ".join(words)[:40] or "earlier version"
            name = self.unique_branch_name(f"{root_name(commit.branch)} from “{label}”")
        return self.create_branch(name, from_commit=commit.id, switch=True)

    def derived_branch_name(self, origin: str, what: str) -> str:
        """A new Story Timeline's name from the one it leaves: "Main – revised beats", and
        from that one "Main – revised beats 2", never "… – revised beats – revised beats"."""
        return self.unique_branch_name(f"{root_name(origin)} – {what}")

    def unique_branch_name(self, stem: str) -> str:
        taken = {b.name.lower() for b in self.branches()}
        if stem.lower() not in taken:
            return stem
        n = 2
        while f"{stem} {n}".lower() in taken:
            n += 1
        return f"{stem} {n}"
