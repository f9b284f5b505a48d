"""The project's own windows, opened from the header and the menus (PRD §5.2): Version History,
the Artifact Vault, the animatic, Export for Editing, Conform from Editor, a new branch — and
what the page does when one of them puts the user on another Story Timeline."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from aiuteur_desktop.core.session import Changes
from aiuteur_desktop.views.export.animatic_dialog import AnimaticDialog
from aiuteur_desktop.views.export.editor_dialogs import ConformDialog, ProExportDialog
from aiuteur_desktop.views.kit.dialogs import CreateBranchDialog, bring_back
from aiuteur_desktop.views.pipeline.history import VersionHistoryDialog
from aiuteur_desktop.views.pipeline.vault import ArtifactVaultDialog

if TYPE_CHECKING:
    from aiuteur_desktop.views.project_view import ProjectPage

    _Base = ProjectPage
else:
    _Base = object


class ProjectDialogs(_Base):
    """`ProjectPage`'s windows (a mixin: it reads the page's project, jobs and editors)."""

    _animatic: AnimaticDialog | None = None
    _pro_export: ProExportDialog | None = None

    def on_timeline(self, name: str, said: str) -> None:
        """The user is on the Story Timeline `name` now: every page reads it, the header
        shows it, `said` in the status bar."""
        self._reload()
        self.refresh()
        self.branchChanged.emit(name)
        self.statusMessage.emit(said)

    def open_history(self) -> None:
        if self.project is None:
            return
        self.flush()
        dialog = VersionHistoryDialog(self.project, self)

        def switched(name: str, forked: bool) -> None:
            self.on_timeline(
                name,
                f"Started the new Story Timeline “{name}” from that version. "
                "Nothing was overwritten."
                if forked
                else f"Now working on the Story Timeline “{name}”.",
            )
            self.show_stage(self._first_open_stage())

        dialog.switched.connect(switched)
        dialog.open()

    def open_vault(self) -> None:
        if self.project is None:
            return
        dialog = ArtifactVaultDialog(self.project, self, asset_library=self.asset_library)
        if self.story_jobs is not None:
            session = self.story_jobs.session
            dialog.promoted.connect(lambda _id: session.changed(Changes(library=("assets",))))
        dialog.open()

    def open_animatic(self) -> None:
        """The offline path's end: the script as an animatic and an editor's timeline."""
        if self.project is None or self.story_jobs is None:
            return
        self.flush()  # the render reads the script as it is on screen
        if bring_back(self._animatic, self._animatic is not None and self._animatic.rendering):
            return
        dialog = AnimaticDialog(self.project, self.story_jobs.runner, self)
        dialog.setObjectName("animaticDialog")
        self._animatic = dialog
        dialog.show()

    def open_pro_export(self) -> None:
        """File → Export for Editing…: the branch's film, timelines and stems for an editor."""
        if self.project is None or self.story_jobs is None:
            return
        self.flush()
        busy = self._pro_export is not None and self._pro_export.busy
        if bring_back(self._pro_export, busy):
            return
        dialog = ProExportDialog(self.project, self.story_jobs.runner, self)
        dialog.setObjectName("proExportDialog")
        self._pro_export = dialog
        dialog.show()

    def open_conform(self, source: Path | None = None) -> None:
        """File → Conform from Editor…: the editor's timeline, its report, then a branch."""
        if self.project is None:
            return
        if source is None:
            name, _ = QFileDialog.getOpenFileName(
                self,
                "Conform from Editor",
                str(Path.home()),
                "Editor's timeline (*.xml *.fcpxml *.edl *.otio)",
            )
            if not name:
                return
            source = Path(name)
        self.flush()
        dialog = ConformDialog(self.project, source, self)
        dialog.setObjectName("conformDialog")
        dialog.applied.connect(self._conformed)
        dialog.open()

    def _conformed(self, name: str) -> None:
        self.on_timeline(
            name, f"The editor's cut is on the new Story Timeline “{name}”; nothing else changed."
        )

    def create_branch(self) -> None:
        if self.project is None:
            return
        dialog = CreateBranchDialog(self.project, self)
        dialog.setObjectName("createBranchDialog")

        def done(result: int) -> None:
            if result and dialog.created:
                name = dialog.created
                self.on_timeline(name, f"Now working on the Story Timeline “{name}”.")

        dialog.finished.connect(done)
        dialog.open()
