"""Taking the film to an editor and back (issue "Pro Export, project archive, and conform"):
File → Export for Editing… (the branch's takes, animatic stand-ins, timelines and stems as
a job with progress and Cancel), File → Conform from Editor… (the editor's timeline read in
the background, its report shown, applied only on a new Story Timeline), and the project
archive's export and import, each off the UI thread with progress and Cancel."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core.jobs import Job, JobState
from aiuteur_desktop.core.media.transcode import CODECS
from aiuteur_desktop.core.operations.editor_export import ProExport
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.story import master_script
from aiuteur_desktop.views.export.codecs import codec_choice
from aiuteur_desktop.views.jobs.background import run_in_background
from aiuteur_desktop.views.jobs.dialog import JobDialog, movies_folder
from aiuteur_desktop.views.jobs.runner import JobRunner
from aiuteur_desktop.views.kit.dialogs import show_error
from aiuteur_desktop.views.kit.text_table import TextTable
from aiuteur_desktop.views.stage_frame import PRIMARY_STYLE

if TYPE_CHECKING:  # imported where used: OTIO, PyAV and the PDF writer stay out of start-up
    from aiuteur_desktop.core.export import conform, pro_export

MUTED = "color:#9aa0a8;"
TIMELINES = "Resolve / Premiere (.xml), Final Cut Pro (.fcpxml), EDL and OTIO"


def default_folder(project_name: str) -> Path:
    return movies_folder(f"{project_name} for editing")


class ProExportDialog(JobDialog):
    """What will be exported (take or animatic per shot), where, and the export as a job."""

    def __init__(self, project: Project, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.project = project
        self.branch = project.current_branch
        self.setWindowTitle("Export for Editing")
        self.setMinimumSize(640, 460)
        self.resize(880, 620)
        intro = QLabel(
            f"The Story Timeline “{self.branch}” for your editor: every shot's take in use "
            "(as rendered, or in an editor's codec), its animatic where it has no take yet, "
            f"one timeline for {TIMELINES}, the scratch dialogue as its own track, the "
            "frames and prompts each take was made from, and a manifest."
        )
        intro.setWordWrap(True)
        intro.setStyleSheet(MUTED)
        self.summary = QLabel("Reading the shots…")
        self.summary.setStyleSheet("font-weight:600;")
        self.table = TextTable(["Shot", "Source", "Exported as"], 2)

        self.folder, folder_row = self.folder_row(default_folder(project.name), "Export into")
        self.scene = QComboBox()
        self.scene.addItem("All scenes", None)
        # Scenes by number and heading; a long heading does not widen the window.
        self.scene.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.scene.setMinimumContentsLength(36)
        self.codec, self.codec_note, codec_field = codec_choice()
        self.codec.currentIndexChanged.connect(self._show_rows)
        self.as_zip = QCheckBox("One .zip file (clips, frames, prompts, timelines, manifest)")
        self.animatic = QCheckBox("Animatic clips for every shot, not the takes")
        self.animatic.toggled.connect(self._load)
        self.scene.currentIndexChanged.connect(self._load)
        form = QFormLayout()
        form.addRow("Folder", folder_row)
        form.addRow("Scenes", self.scene)
        form.addRow("Clips as", codec_field)
        form.addRow("", self.as_zip)
        form.addRow("", self.animatic)

        self.export_button = QPushButton("Export")
        self.export_button.setObjectName("exportButton")
        self.export_button.setStyleSheet(PRIMARY_STYLE)
        self.export_button.setDefault(True)
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export)
        self.open_button = QPushButton("Show in Folder")
        self.open_button.hide()
        self.open_button.clicked.connect(self.open_folder)
        self.cancel_button.setText("Cancel Export")
        self.cancel_button.setObjectName("cancelExport")
        self.cancel_button.clicked.connect(self.cancel_job)
        close = QPushButton("Close")
        close.setToolTip("Close this window; an export carries on in the Jobs page")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for b in (self.open_button, self.cancel_button, close, self.export_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        self._scenes_loaded = False
        self._items: list[pro_export.Item] = []
        self._asked = 0  # the newest listing asked for: an older one arriving late is dropped

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._asked:
            # The listing's derivation (a feature's 2,000 shots, in Python, on a worker)
            # starts once the dialog is up: begun in the constructor, it took the GIL from
            # the dialog's own first layout and paint (the gesture's longest stalls).
            self._asked = -1
            QTimer.singleShot(0, self._load)

    def _load(self) -> None:
        project, branch = self.project, self.branch
        scene, animatic = self.scene.currentData(), self.animatic.isChecked()
        self.export_button.setEnabled(False)
        self._asked = max(self._asked, 0) + 1
        asked = self._asked

        def work() -> tuple[list[tuple[str, str]], list[pro_export.Item]]:
            from aiuteur_desktop.core.export import pro_export
            from aiuteur_desktop.core.operations import on_branch

            seen = on_branch(project, branch)
            play = master_script.current(seen)
            scenes = [(s.id, f"{s.label} · {s.title}") for s in play.scenes()] if play else []
            return scenes, pro_export.plan(seen, scene=scene, animatic=animatic)

        run_in_background(
            work,
            lambda found: self._show(found) if asked == self._asked else None,
            lambda exc: self._refuse(exc) if asked == self._asked else None,
            parent=self,
        )

    def _refuse(self, exc: BaseException) -> None:
        self.summary.setText(getattr(exc, "user_message", None) or str(exc))
        self.table.set_rows([])

    def _show(self, found: tuple[list[tuple[str, str]], list[pro_export.Item]]) -> None:
        scenes, items = found
        if not self._scenes_loaded:
            self._scenes_loaded = True
            self.scene.blockSignals(True)
            for scene_id, label in scenes:
                self.scene.addItem(f"Scene {label}", scene_id)
            self.scene.blockSignals(False)
        with_take = sum(1 for i in items if i.take is not None)
        stand_in = len(items) - with_take
        self.summary.setText(
            f"{len(items)} shots · {with_take} with a take · {stand_in} as animatic"
        )
        self._items = items
        self._show_rows()
        self.export_button.setEnabled(bool(items) and self.job_id is None)

    def _show_rows(self) -> None:
        suffix = CODECS[self.codec.currentData()].suffix
        rows = []
        for i in self._items:
            source = f"take {i.take.number}" if i.take is not None else "animatic (no take yet)"
            rows.append((i.shot.label, source, f"{i.name}{suffix}"))
        self.table.set_rows(rows)

    def out(self) -> Path:
        return Path(self.folder.text().strip()).expanduser()

    def export(self) -> None:
        if not self.folder.text().strip():
            self.status.setText("Choose a folder to export into first.")
            return
        op = ProExport(
            str(self.project.path),
            self.branch,
            str(self.out()),
            self.scene.currentData(),
            self.as_zip.isChecked(),
            self.animatic.isChecked(),
            self.codec.currentData(),
        )
        self.start_job(op, "Exporting…")
        self.export_button.setEnabled(False)
        self.open_button.hide()

    def job_done(self, job: Job) -> None:
        self.export_button.setEnabled(True)
        if job.state == JobState.SUCCEEDED and job.result:
            res: dict[str, Any] = job.result
            where = Path(res["zip"] or res["folder"]).name
            text = f"Exported {res['clips']} clips ({res['takes']} takes) to {where}."
            if res.get("animatic"):
                text += f" No take yet, the animatic stands in: {', '.join(res['animatic'][:6])}"
                text += "…" if len(res["animatic"]) > 6 else "."
            if CODECS[self.codec.currentData()].transcodes:
                text += f" {res.get('transcoded', 0)} transcoded now, the rest reused."
            self.status.setText(text)
            self.open_button.show()
        elif job.state == JobState.CANCELLED:
            self.status.setText("Cancelled: nothing half-written was left under the real name.")
        else:
            self.status.setText(f"The export could not be finished: {job.error}")

    def open_folder(self) -> None:
        folder = self.out() if not self.as_zip.isChecked() else self.out().parent
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


class ConformDialog(QDialog):
    """The report of an editor's timeline, then Apply on a new Story Timeline."""

    applied = Signal(str)  # the new Story Timeline's name

    def __init__(self, project: Project, source: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project, self.source = project, Path(source)
        self.report: conform.Report | None = None
        self.setWindowTitle(f"Conform from {self.source.name}")
        self.setMinimumSize(600, 420)
        self.resize(820, 580)
        self.summary = QLabel(f"Reading {self.source.name}…")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-weight:600;")
        self.table = TextTable(["#", "Shot", "Length", "Clip", "Note"], 3)
        self.notes = QLabel("")
        self.notes.setWordWrap(True)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        explain = QLabel(
            f"Applying makes a new Story Timeline with the editor's order and lengths; "
            f"“{project.current_branch}” stays exactly as it is. Dropped shots are marked "
            "omitted, never deleted."
        )
        explain.setWordWrap(True)
        explain.setStyleSheet(MUTED)
        self.apply_button = QPushButton("Apply on a New Story Timeline")
        self.apply_button.setObjectName("applyConform")
        self.apply_button.setStyleSheet(PRIMARY_STYLE)
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(explain, 1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.notes)
        layout.addLayout(buttons)
        project_, source_ = project, self.source
        run_in_background(
            lambda: _conform().read_edit(project_, source_), self._show, self._refuse, parent=self
        )

    def _refuse(self, exc: BaseException) -> None:
        self.summary.setText(getattr(exc, "user_message", None) or str(exc))

    def _show(self, report: conform.Report) -> None:
        self.report = report
        self.summary.setText(report.summary())
        rows = []
        for n, p in enumerate(report.placed, start=1):
            note = "trimmed past the take's end" if p.beyond else ""
            if not note and (p.first or p.frames != p.available):
                note = f"trimmed (clip is {p.available / report.fps:.2f} s)"
            rows.append((str(n), p.label, f"{p.frames / report.fps:.2f} s", p.name, note))
        self.table.set_rows(rows)
        notes = []
        if report.removed:
            notes.append(f"Dropped by the editor: {', '.join(report.removed)}.")
        if report.restored:
            notes.append(f"Brought back by the editor: {', '.join(report.restored)}.")
        if report.unknown:
            notes.append(f"Not Aiuteur's clips (left out): {', '.join(report.unknown)}.")
        self.notes.setText(" ".join(notes))
        self.apply_button.setEnabled(True)
        self.apply_button.setFocus()

    def apply(self) -> None:
        if self.report is None:
            return
        name = _conform().apply(self.project, self.report)
        self.applied.emit(name)
        self.accept()


def run_with_progress(
    parent: QWidget,
    title: str,
    label: str,
    work: Callable[[Callable[[float], None], Callable[[], bool]], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
) -> QProgressDialog:
    """`work(progress, cancelled)` on the thread pool with a progress window and Cancel."""
    dialog = QProgressDialog(label, "Cancel", 0, 1000, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    stop = threading.Event()
    fraction = [0.0]
    dialog.canceled.connect(stop.set)
    timer = QTimer(dialog)
    timer.timeout.connect(lambda: dialog.setValue(round(fraction[0] * 1000)))
    timer.start(100)

    def finish(call: Callable[[Any], None], value: Any) -> None:
        timer.stop()
        dialog.close()
        dialog.deleteLater()
        call(value)

    run_in_background(
        lambda: work(lambda f: fraction.__setitem__(0, f), stop.is_set),
        lambda result: finish(on_done, result),
        lambda exc: finish(on_error, exc),
        parent=dialog,
    )
    return dialog


def _unless_cancelled(parent: QWidget, title: str) -> Callable[[BaseException], None]:
    """The error box for a failed task; a cancel the user asked for says nothing."""
    from aiuteur_desktop.core.jobs import Cancelled

    def failed(exc: BaseException) -> None:
        if not isinstance(exc, Cancelled):
            show_error(parent, title, exc)

    return failed


def _conform() -> Any:
    from aiuteur_desktop.core.export import conform

    return conform


def export_archive(parent: QWidget, project: Project, on_done: Callable[[Path], None]) -> None:
    """File → Export Project Archive…: the project with its history as one .zip."""
    from aiuteur_desktop.core.export import archive

    start = str(project.path.parent / f"{project.name}.zip")
    name, _ = QFileDialog.getSaveFileName(
        parent, "Export Project Archive", start, "Project archive (*.zip)"
    )
    if not name:
        return
    target = Path(name) if name.lower().endswith(".zip") else Path(f"{name}.zip")
    bundle = project.path

    def work(progress: Callable[[float], None], cancelled: Callable[[], bool]) -> Path:
        return archive.archive(bundle, target, progress=progress, cancelled=cancelled)

    run_with_progress(
        parent,
        "Export Project Archive",
        f"Archiving {project.name}…",
        work,
        on_done,
        _unless_cancelled(parent, "Could not export the project archive"),
    )


def import_archive(parent: QWidget, into: Path, on_done: Callable[[Any], None]) -> None:
    """File → Import Project Archive…: a new project from an archive, never over one."""
    from aiuteur_desktop.core.export import archive

    name, _ = QFileDialog.getOpenFileName(
        parent, "Import Project Archive", str(Path.home()), "Project archive (*.zip)"
    )
    if not name:
        return
    source = Path(name)

    def work(progress: Callable[[float], None], cancelled: Callable[[], bool]) -> Any:
        return archive.unarchive(source, into, progress=progress, cancelled=cancelled)

    run_with_progress(
        parent,
        "Import Project Archive",
        f"Importing {source.name}…",
        work,
        on_done,
        _unless_cancelled(parent, "Could not import the project archive"),
    )
