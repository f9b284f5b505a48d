"""The Stage 1 file staging area (PRD §8.1): files dropped or browsed in, their text read
off the UI thread, exactly one Primary Input, the others tagged as context."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core import story
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.screenplay import fountain
from aiuteur_desktop.core.screenplay.documents import (
    ACCEPTED,
    MAX_BYTES,
    SCREENPLAYS,
    read_document,
)
from aiuteur_desktop.core.story import CONTEXT, PRIMARY, StagedFile, mode_d
from aiuteur_desktop.views.jobs.background import run_in_background
from aiuteur_desktop.views.kit import theme

SHEET_TAG = "Definition Sheet"
STAGING_FILTER = (
    "Stories, scripts and definition sheets (*.txt *.md *.fountain *.fdx *.pdf *.docx *.json)"
)


def read_staged(path: Path) -> StagedFile:
    """Extract one dropped file (off the UI thread): text, and whether it is a screenplay or
    a definition sheet."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        if path.stat().st_size > MAX_BYTES:
            raise AiuteurError(f"{path.name} is larger than 50 MB.")
        text = path.read_text(encoding="utf-8-sig")
        mode_d.read_sheet(text, path.name)
        return StagedFile(name=path.name, role=CONTEXT, tag=SHEET_TAG, text=text, kind="sheet")
    if suffix not in ACCEPTED:
        raise AiuteurError(
            f"{path.name}: Aiuteur reads {', '.join(ACCEPTED)} files (and .json definition "
            "sheets). Save it in one of those formats first."
        )
    doc = read_document(path)
    kind = "text"
    if suffix in SCREENPLAYS and fountain.read_string(doc.text).has_headings():
        kind = "screenplay"
    return StagedFile(name=path.name, role=CONTEXT, text=doc.text, kind=kind)


class StagingRow(QFrame):
    changed = Signal()
    removed = Signal()
    madePrimary = Signal()

    def __init__(
        self, file: StagedFile, group: QButtonGroup, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("stagingRow")
        self.file = file
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 4, 4)
        words = len(file.text.split())
        kind = {"screenplay": "screenplay", "sheet": "definition sheet"}.get(file.kind, "text")
        name = QLabel(
            f"<b>{file.name}</b><br><span style='color:#9aa0a8'>{kind} · {words:,} words</span>"
        )
        row.addWidget(name, 1)
        self.primary = QRadioButton("Primary Input")
        self.primary.setObjectName("primaryRadio")
        # Clicking the Primary Input again makes it context: the idea (Mode A) leads again.
        self.primary.setAutoExclusive(False)
        self.primary.setToolTip("The story source; click again to make it a context file")
        group.addButton(self.primary)
        self.primary.setChecked(file.role == PRIMARY)
        self.primary.toggled.connect(self._primary_toggled)
        row.addWidget(self.primary)
        self.tag = QComboBox()
        self.tag.setObjectName("tagCombo")
        self.tag.setEditable(True)
        self.tag.setToolTip("What this context file is for (type your own tag if none fits)")
        self.tag.addItems([*story.CONTEXT_TAGS, SHEET_TAG])
        self.tag.setCurrentText(file.tag)
        self.tag.setMinimumWidth(170)
        self.tag.currentTextChanged.connect(self._tag_changed)
        row.addWidget(self.tag)
        remove = QToolButton()
        remove.setIcon(theme.icon("trash"))
        remove.setToolTip(f"Remove {file.name} from the staging area")
        remove.setAccessibleName(f"Remove {file.name}")
        remove.clicked.connect(self.removed)
        row.addWidget(remove)
        self._sync()

    def _primary_toggled(self, on: bool) -> None:
        self.file = self.file.model_copy(update={"role": PRIMARY if on else CONTEXT})
        self._sync()
        if on:
            self.madePrimary.emit()
        self.changed.emit()

    def _tag_changed(self, text: str) -> None:
        self.file = self.file.model_copy(update={"tag": text.strip() or story.CONTEXT_TAGS[0]})
        self.changed.emit()

    def _sync(self) -> None:
        self.tag.setEnabled(self.file.role != PRIMARY)


class StagingArea(QFrame):
    """Drop several files; exactly one is the Primary Input, the others tagged context."""

    changed = Signal()
    problem = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stagingArea")
        self.setAcceptDrops(True)
        self.setStyleSheet(
            "QFrame#stagingArea { border: 1px dashed #4a4e57; border-radius: 8px; background: #1f2024; }"
            "QFrame#stagingRow { background: #24262b; border-radius: 6px; }"
        )
        self.group = QButtonGroup(self)
        self.group.setExclusive(False)  # one Primary Input at most, and none is allowed
        #: A file read into an empty staging area becomes the Primary Input (Modes B–D:
        #: the story comes from a file); in Mode A the idea is the primary input, files are
        #: context until the filmmaker designates one.
        self.auto_primary = True
        self.rows: list[StagingRow] = []
        self.rows_box = QVBoxLayout()
        self.rows_box.setSpacing(4)
        self.hint = QLabel(
            "Drop files here — your story, novel or screenplay, plus any notes. "
            "Accepts .txt .md .fountain .fdx .pdf .docx (and a .json definition sheet in Mode D)."
        )
        self.hint.setWordWrap(True)
        self.hint.setProperty("muted", True)
        self.add_button = QPushButton(theme.icon("plus"), "Add Files…")
        self.add_button.setObjectName("addFiles")
        self.add_button.clicked.connect(self.browse)
        self.status = QLabel()
        self.status.setObjectName("statusError")
        self.status.setWordWrap(True)
        self.status.hide()
        foot = QHBoxLayout()
        foot.addWidget(self.hint, 1)
        foot.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addLayout(self.rows_box)
        layout.addLayout(foot)
        layout.addWidget(self.status)
        self.pending = 0

    def files(self) -> list[StagedFile]:
        return [r.file for r in self.rows]

    def set_files(self, files: list[StagedFile]) -> None:
        for r in self.rows:
            self.group.removeButton(r.primary)
            r.deleteLater()
        self.rows = []
        for f in files:
            self._add_row(f)

    def _add_row(self, file: StagedFile) -> None:
        row = StagingRow(file, self.group)
        row.madePrimary.connect(lambda r=row: self._only_primary(r))
        row.changed.connect(self.changed)
        row.removed.connect(lambda r=row: self.remove(r))
        self.rows.append(row)
        self.rows_box.addWidget(row)

    def _only_primary(self, chosen: StagingRow) -> None:
        for r in self.rows:
            if r is not chosen and r.primary.isChecked():
                r.primary.setChecked(False)

    def remove(self, row: StagingRow) -> None:
        self.rows.remove(row)
        self.group.removeButton(row.primary)
        row.deleteLater()
        self.changed.emit()

    def set_enabled(self, on: bool) -> None:
        self.setAcceptDrops(on)
        self.add_button.setEnabled(on)
        for r in self.rows:
            r.setEnabled(on)

    def browse(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self, "Add files to the staging area", "", STAGING_FILTER
        )
        self.add_paths([Path(n) for n in names])

    def add_paths(self, paths: list[Path]) -> None:
        errors: list[str] = []
        self.status.hide()
        for path in paths:
            if any(r.file.name == path.name for r in self.rows):
                errors.append(f"{path.name} is already in the staging area.")
                continue
            self.pending += 1

            def done(file: StagedFile) -> None:
                self.pending -= 1
                first = not any(r.primary.isChecked() for r in self.rows)
                if self.auto_primary and first and file.kind != "sheet":
                    file = file.model_copy(update={"role": PRIMARY})
                self._add_row(file)
                self.changed.emit()

            def failed(exc: BaseException, name: str = path.name) -> None:
                self.pending -= 1
                errors.append(
                    exc.user_message if isinstance(exc, AiuteurError) else f"{name}: {exc}"
                )
                self.status.setText("\n".join(errors))
                self.status.show()
                self.problem.emit(errors[-1])

            run_in_background(lambda p=path: read_staged(p), done, failed, parent=self)
        if errors:
            self.status.setText("\n".join(errors))
            self.status.show()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and self.acceptDrops():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)
