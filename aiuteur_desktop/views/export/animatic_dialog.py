"""Animatic and editor's timeline: the offline path's end, from the desktop app.

Shows the shot breakdown of the Master Script, then renders it as a `previz.reel` job:
one clip per shot under its export name, the whole film, and the timelines an editor
imports (Resolve/Premiere XML, EDL, OTIO). Nothing here needs a key or the network.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core.jobs import Job, JobState
from aiuteur_desktop.core.operations.animatic import AnimaticReel
from aiuteur_desktop.core.production import cut
from aiuteur_desktop.core.production.shots import timing
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.providers.startup import speech_available
from aiuteur_desktop.views.export.codecs import codec_choice
from aiuteur_desktop.views.jobs.background import run_in_background
from aiuteur_desktop.views.jobs.dialog import JobDialog, movies_folder
from aiuteur_desktop.views.jobs.runner import JobRunner
from aiuteur_desktop.views.kit.dialogs import confirm
from aiuteur_desktop.views.kit.text_table import Cell, TextTable
from aiuteur_desktop.views.stage_frame import PRIMARY_STYLE

SIZES = (("Draft · 640 × 360", 640), ("HD · 1280 × 720", 1280), ("Full HD · 1920 × 1080", 1920))


def _clock(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 60}:{s % 60:02d}"


def default_folder(project_name: str) -> Path:
    return movies_folder(f"{project_name} animatic")


class AnimaticDialog(JobDialog):
    """Shot list preview, output choices, and the render with progress and Cancel."""

    def __init__(self, project: Project, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.project = project
        self.branch = project.current_branch
        self.shots: list[timing.Shot] = []
        self.total = 0
        self.setWindowTitle("Animatic and Editor's Timeline")
        self.resize(860, 600)

        intro = QLabel(
            "Every shot of the Master Script rendered offline — storyboard framing, camera "
            "moves, subtitles and scratch voices — as one clip per shot named for the edit, "
            "the whole film, a timeline for DaVinci Resolve or Premiere Pro (XML) with EDL "
            "and OTIO beside it, and printable storyboard sheets. No key or network needed."
        )
        intro.setWordWrap(True)
        intro.setStyleSheet("color:#9aa0a8;")
        self.summary = QLabel("Breaking the script into shots…")
        self.summary.setStyleSheet("font-weight:600;")

        self.table = TextTable(["Shot", "Length", "Camera", "What happens"], 3)
        self.table.setWordWrap(True)
        # Two lines of "What happens" per row (the whole of it in the tooltip): cheap for a
        # feature's thousand rows, unlike measuring every row.
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().lineSpacing() * 2 + 10
        )

        self.folder, folder_row = self.folder_row(
            default_folder(project.name), "Render the animatic into"
        )
        self.size = QComboBox()
        for label, width in SIZES:
            self.size.addItem(label, width)
        self.size.setCurrentIndex(1)
        self.voices = QCheckBox("Scratch voices (the computer's speech engine)")
        if not speech_available():
            self.voices.setChecked(False)
            self.voices.setEnabled(False)
            self.voices.setText("Scratch voices — no speech engine found (install espeak-ng)")
        else:
            self.voices.setChecked(True)
        form = QFormLayout()
        form.addRow("Folder", folder_row)
        form.addRow("Size", self.size)
        self.codec, _note, codec_field = codec_choice()
        self.codec.setToolTip("The clips the timelines point at; the film stays H.264, to watch")
        form.addRow("Clips as", codec_field)
        form.addRow("", self.voices)

        self.render_button = QPushButton("Render Animatic")
        self.render_button.setStyleSheet(PRIMARY_STYLE)
        self.render_button.setDefault(True)
        self.render_button.setEnabled(False)
        self.render_button.clicked.connect(self.render)
        self.open_button = QPushButton("Open Folder")
        self.open_button.hide()
        self.open_button.clicked.connect(self.open_folder)
        self.cancel_button.setText("Cancel Render")
        self.cancel_button.setObjectName("cancelRender")
        self.cancel_button.clicked.connect(self.ask_cancel)
        self.close_button = QPushButton("Close")
        self.close_button.setToolTip("Close this window; a render carries on in the Jobs page")
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.render_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        self._load()

    # ------------------------------------------------------------- breakdown
    def _load(self) -> None:
        project, branch = self.project, self.branch

        def work() -> cut.Arranged:
            return cut.film(project, branch)  # the editor's cut where the timeline has one

        run_in_background(work, self._show, lambda exc: self._refuse(str(exc)), parent=self)

    def _refuse(self, why: str) -> None:
        self.summary.setText(why)
        self.render_button.setEnabled(False)

    def _show(self, film: cut.Arranged) -> None:
        rows = film.shots
        self.shots = rows
        if not rows:
            self._refuse(
                "There is no Master Script yet: import a screenplay in Stage 1 (Mode D) "
                "or write one in Stage 4."
            )
            return
        scenes = len({s.scene for s in rows})
        self.total = round(sum(film.seconds(p) for p in film.placed))
        self.summary.setText(
            f"{len(rows)} shots · {_clock(self.total)} · {scenes} scene{'s' * (scenes != 1)}"
            + (
                f" · the editor's cut from {film.source}, {len(film.omitted)} omitted"
                if film.source
                else ""
            )
        )
        cells = []
        for p in film.placed:
            s = p.shot
            what = s.summary() or s.heading
            length = f"{film.seconds(p):.3g} s"
            whole = Cell(what, f"{s.heading}\n\n{what}")
            cells.append((s.label, length, f"{s.shot_size} {s.move}", whole))
        self.table.set_rows(cells)
        self.render_button.setEnabled(True)

    # ---------------------------------------------------------------- render
    def out_dir(self) -> Path:
        return Path(self.folder.text().strip()).expanduser()

    def render(self) -> None:
        if not self.folder.text().strip():
            self.status.setText("Choose a folder for the animatic first.")
            return
        op = AnimaticReel(
            str(self.project.path),
            self.branch,
            str(self.out_dir()),
            self.project.name,
            int(self.size.currentData()),
            self.voices.isChecked(),
            self.codec.currentData(),
        )
        self.start_job(op, f"Rendering {len(self.shots)} shots ({_clock(self.total)})…")
        self.render_button.setEnabled(False)
        self.open_button.hide()

    def job_done(self, job: Job) -> None:
        self.render_button.setEnabled(True)
        self.render_button.setText("Render Again")
        if job.state == JobState.SUCCEEDED and job.result:
            res = job.result
            film = Path(res["film"])
            lines = [
                f"Done: {film.name} ({res['clips']} shots, {_clock(res['seconds'])}) and "
                f"its timeline for Resolve or Premiere ({film.stem}.xml, .edl, .otio), "
                "with the storyboard sheets as a PDF."
            ]
            if res.get("transcoded"):
                lines.append(f"{res['transcoded']} clips transcoded for the editor.")
            if res.get("reused"):
                lines.append(f"{res['reused']} unchanged shots were kept from the last render.")
            if res.get("missing_keys"):
                names = ", ".join(res["missing_keys"][:4])
                more = "…" if len(res["missing_keys"]) > 4 else ""
                lines.append(
                    f"Drawn as figures until they have a picture as their image key: {names}{more}."
                )
            self.status.setText(" ".join(lines))
            self.open_button.show()
        elif job.state == JobState.CANCELLED:
            self.status.setText(
                "Cancelled. The clips already rendered are kept in the folder; "
                "no film or timeline was written."
            )
            self.open_button.show()
        else:
            self.status.setText(f"The animatic could not be rendered: {job.error}")

    def open_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.out_dir())))

    @property
    def rendering(self) -> bool:
        return self.busy

    def ask_cancel(self) -> None:
        """Cancel asks first: minutes of rendering are not thrown away by a stray click."""
        if not self.rendering:
            return
        confirm(
            self,
            "cancelRender",
            QMessageBox.Icon.Question,
            "Stop the render?",
            "Stop rendering the animatic? The clips already rendered are kept in the folder "
            "(a new render reuses them); no film or timeline is written.",
            "Stop Rendering",
            QMessageBox.ButtonRole.DestructiveRole,
            self.cancel_job,
        )
