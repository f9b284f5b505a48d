"""Other members' commits reaching an open window (a studio project): the server announces
each commit (core/store/studio_watch.py); here it becomes the session's `changed` — pages
showing what it touched refresh — and a line in the status bar saying who saved what, and
where. When two members saved the same timeline at once, both are told: the second's version
landed on a timeline of their own ("Main · ben, 14:02"), and the window of whoever saved
first hears of it too. A bundle has nothing to hear: nothing starts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from aiuteur_desktop.core.session import Session, changes_of_commit
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.views.jobs.background import run_in_background


class StudioNews(QObject):
    heard = Signal(object)  # an announcement, from the watch's thread to this one
    #: What the window says of a commit heard (the status bar shows it).
    said = Signal(str)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.project: Project | None = None
        self._watch: Any = None
        self.heard.connect(self._arrived)

    def follow(self, project: Project | None) -> None:
        """Hear `project`'s commits from now on (none: stop)."""
        if self._watch is not None:
            self._watch.stop()
            self._watch = None
        self.project = project
        if project is not None:
            self._watch = project.watch(self.heard.emit)
            self._mirror(project)

    def _mirror(self, project: Project) -> None:
        """A studio bucket's pictures this machine has not read yet, fetched aside (pages
        find them here when they look; nothing for a folder or a bundle)."""
        if getattr(project.media, "remote", None) is None:
            return

        def failed(exc: BaseException) -> None:
            if self.project is project:
                self.said.emit(getattr(exc, "user_message", None) or str(exc))

        run_in_background(
            lambda: project.media.mirror(lambda: self.project is not project),
            None,
            failed,
            parent=self,
            waits=True,  # (the network)
        )

    @property
    def listening(self) -> bool:
        return self._watch is not None and self._watch.listening.is_set()

    @Slot(object)
    def _arrived(self, news: dict[str, str]) -> None:
        project = self.project
        if project is None:
            return
        me = project.author
        who, timeline, moved, cid = news["author"], news["timeline"], news["moved"], news["commit"]
        if who == me and not moved:
            return  # this member's own commit: whoever made it has said so already
        if who == me:
            text = (
                f"Your version landed on a Story Timeline of its own, “{timeline}”: someone "
                f"saved “{moved}” first. Nothing was lost; both versions are kept."
            )
            self.session.branch_switched()
        elif moved:
            text = (
                f"{who} saved “{moved}” at the same moment as someone else: their version is "
                f"on a Story Timeline of its own, “{timeline}”."
            )
        else:
            text = f"{who} saved a version on “{timeline}”."
        self.said.emit(text)
        self._mirror(project)  # what the commit added to the bucket

        def refreshed(changes: Any) -> None:  # (worked out from the two trees, aside)
            if self.project is project:
                self.session.changed(changes)

        run_in_background(lambda: changes_of_commit(project, cid), refreshed, parent=self)
