"""Small dialogs: new project, create branch, about, keyboard shortcuts, errors."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop import __version__
from aiuteur_desktop.core.app import build_info, paths
from aiuteur_desktop.core.app.redaction import redact
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.store.names import validate_name
from aiuteur_desktop.views.kit.theme import icon

log = logging.getLogger(__name__)


def thin_progress() -> QProgressBar:
    """The slim progress bar of long exports and renders (0–1000), hidden until used."""
    bar = QProgressBar()
    bar.setRange(0, 1000)
    bar.setTextVisible(False)
    bar.setFixedHeight(8)
    bar.setStyleSheet(
        "QProgressBar { background: #2a2d33; border: none; border-radius: 4px; }"
        "QProgressBar::chunk { background: #5b8def; border-radius: 4px; }"
    )
    bar.hide()
    return bar


def show_error(parent: QWidget | None, title: str, exc: BaseException) -> None:
    """Tell the user what happened in plain words; log the rest (redacted)."""
    if isinstance(exc, AiuteurError):
        text = exc.user_message
    else:
        log.exception("unexpected error: %s", title, exc_info=exc)
        text = f"Something unexpected went wrong: {redact(str(exc)) or type(exc).__name__}."
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorBox")
    box.open()


def confirm(
    parent: QWidget,
    name: str,
    icon_kind: QMessageBox.Icon,
    title: str,
    text: str,
    action: str,
    role: QMessageBox.ButtonRole,
    on_yes: Callable[[], None],
    *,
    harmless: bool = False,
) -> QMessageBox:
    """A window-modal question whose safe answer (Cancel) is the default — unless saying yes
    is itself harmless (free, undoable), when Enter means yes."""
    box = QMessageBox(icon_kind, title, text, QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName(name)
    yes = box.addButton(action, role)
    if harmless:
        box.setDefaultButton(yes)
    else:
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.finished.connect(lambda _r: on_yes() if box.clickedButton() is yes else None)
    # Gone once answered: a hidden box kept as a child would pile up with every question,
    # and on some platforms keep the keyboard (it stays the active window).
    box.finished.connect(lambda _r: _dismiss(box, parent))
    box.open()
    return box


def _dismiss(box: QMessageBox, parent: QWidget) -> None:
    box.deleteLater()
    window = parent.window() if parent is not None else None
    if window is not None and window.isVisible():
        window.activateWindow()


def _form_error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("statusError")
    label.setWordWrap(True)
    label.hide()
    return label


class NewProjectDialog(QDialog):
    """Name a project and choose where its bundle folder goes."""

    def __init__(self, default_parent: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New Project")
        self.setMinimumWidth(520)
        self.project: Project | None = None

        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. The Lighthouse Keeper")
        self.name_edit.setObjectName("projectName")
        self.location_edit = QLineEdit(str(default_parent))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        loc_row = QHBoxLayout()
        loc_row.addWidget(self.location_edit, 1)
        loc_row.addWidget(browse)

        self.preview = QLabel()
        self.preview.setProperty("muted", True)
        self.preview.setWordWrap(True)
        self.error = _form_error_label()

        form = QFormLayout()
        form.addRow("Project name", self.name_edit)
        form.addRow("Location", loc_row)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Cancel | QDialogButtonBox.StandardButton.Ok
        )
        self.create_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.create_button.setText("Create Project")
        self.create_button.setObjectName("primary")
        self.buttons.accepted.connect(self._create)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        intro = QLabel(
            "A project is one folder on your disk holding the story, every version of it and "
            "its media. You can move, copy or back it up like any folder."
        )
        intro.setWordWrap(True)
        intro.setProperty("muted", True)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.preview)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.name_edit.textChanged.connect(self._update)
        self.location_edit.textChanged.connect(self._update)
        self._update()

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, "Where to keep the project", self.location_edit.text()
        )
        if chosen:
            self.location_edit.setText(chosen)

    def _target(self) -> Path | None:
        try:
            name = validate_name(self.name_edit.text())
        except AiuteurError:
            return None
        return Path(self.location_edit.text()).expanduser() / f"{name}{paths.BUNDLE_SUFFIX}"

    def _update(self) -> None:
        target = self._target()
        self.error.hide()
        if target is None:
            self.preview.setText("")
            self.create_button.setEnabled(False)
            if self.name_edit.text().strip():
                try:
                    validate_name(self.name_edit.text())
                except AiuteurError as exc:
                    self.error.setText(exc.user_message)
                    self.error.show()
            return
        self.preview.setText(f"Will be created at: {target}")
        self.create_button.setEnabled(bool(self.location_edit.text().strip()))

    def _create(self) -> None:
        parent_dir = Path(self.location_edit.text()).expanduser()
        try:
            parent_dir.mkdir(parents=True, exist_ok=True)
            self.project = Project.create(parent_dir, self.name_edit.text())
        except AiuteurError as exc:
            self.error.setText(exc.user_message)
            self.error.show()
            return
        except OSError as exc:
            self.error.setText(f"Could not use {parent_dir}: {exc.strerror or exc}.")
            self.error.show()
            return
        self.accept()


class CreateBranchDialog(QDialog):
    """Start a new Story Timeline from the current state of the project."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Create New Branch")
        self.setMinimumWidth(460)
        self._project = project
        self.created: str | None = None
        head = project.head()
        current = project.current_branch
        info = QLabel(
            f"A new Story Timeline starts from the current state of “{current}” "
            f"(last saved: “{head.message}”). Everything on “{current}” stays as it is."
        )
        info.setWordWrap(True)
        info.setProperty("muted", True)
        self.name_edit = QLineEdit(project.unique_branch_name("Experiment"))
        self.name_edit.selectAll()
        self.error = _form_error_label()
        form = QFormLayout()
        form.addRow("Timeline name", self.name_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Cancel | QDialogButtonBox.StandardButton.Ok
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Create Branch")
        ok.setObjectName("primary")
        buttons.accepted.connect(self._create)
        buttons.rejected.connect(self.reject)
        self.name_edit.textChanged.connect(lambda t: ok.setEnabled(bool(t.strip())))
        layout = QVBoxLayout(self)
        layout.addWidget(info)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _create(self) -> None:
        try:
            branch = self._project.create_branch(self.name_edit.text())
        except AiuteurError as exc:
            self.error.setText(exc.user_message)
            self.error.show()
            return
        self.created = branch.name
        self.accept()


class ShortcutsDialog(QDialog):
    """Lists every action that has a shortcut, read from the actions themselves."""

    def __init__(self, actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        self.setMinimumSize(460, 420)
        native = QKeySequence.SequenceFormat.NativeText
        rows = [
            (
                # "&&" is a literal ampersand, a single "&" marks the mnemonic.
                a.text().replace("&&", "\0").replace("&", "").replace("\0", "&"),
                a.shortcut().toString(native),
            )
            for a in actions
            if not a.shortcut().isEmpty()
        ] + [(name, QKeySequence(keys).toString(native) or keys) for name, keys in EDITOR_KEYS]
        self.search = QLineEdit()
        self.search.setObjectName("shortcutSearch")
        self.search.setPlaceholderText("Find an action or a key…")
        self.search.setClearButtonEnabled(True)
        table = QTableWidget(len(rows), 2)
        table.setObjectName("shortcutsTable")
        table.setHorizontalHeaderLabels(["Action", "Shortcut"])
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        # The keys whole on the right, the actions in the rest, wrapped: both side by side at
        # any width, never a sideways scroll.
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        table.setWordWrap(True)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for i, (name, keys) in enumerate(rows):
            table.setItem(i, 0, QTableWidgetItem(name))
            table.setItem(i, 1, QTableWidgetItem(keys))
        header.sectionResized.connect(lambda *_: table.resizeRowsToContents())
        self.table = table
        self.resize(640, 560)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(table)
        layout.addWidget(close)

        def find(text: str) -> None:
            words = text.lower().split()
            for r, (name, keys) in enumerate(rows):
                hay = f"{name} {keys}".lower()
                table.setRowHidden(r, not all(w in hay for w in words))

        self.search.textChanged.connect(find)


#: Shortcuts of the editors themselves (they act where the cursor is, not from a menu).
EDITOR_KEYS = (
    ("Undo (the page you are editing)", "Ctrl+Z"),
    ("Redo (the page you are editing)", "Ctrl+Shift+Z"),
    (
        "Script editor: Scene Heading, Action, Character, Parenthetical, Dialogue, Transition",
        "Ctrl+Alt+1…6",
    ),
    ("Script editor: next element type", "Tab"),
    ("Script editor: the element that usually follows", "Enter"),
    ("Shot List: Split Shot", "Ctrl+Shift+S"),
    ("Shot List: Merge with Next", "Ctrl+Shift+M"),
    ("Shot List: Delete Shot", "Delete"),
)


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Aiuteur")
        logo = QLabel()
        logo.setPixmap(icon("aiuteur").pixmap(96, 96))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = QLabel(f"Aiuteur Desktop {__version__}")
        build = QLabel(build_info.current().origin().capitalize())
        build.setObjectName("aboutBuild")
        build.setAlignment(Qt.AlignmentFlag.AlignCenter)
        build.setProperty("muted", True)
        title.setObjectName("pageTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        from PySide6 import __version__ as pyside_version

        body = QLabel(
            "Turns a written story into a short AI film — story locked first, every shot "
            "anchored by cheap frames, and video rendered only once you approve it.<br><br>"
            f"PySide6 {pyside_version} · your keys stay in the OS keyring · your projects "
            "stay on your disk."
        )
        body.setWordWrap(True)
        body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        body.setProperty("muted", True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(logo)
        layout.addWidget(title)
        layout.addWidget(build)
        layout.addWidget(body)
        layout.addWidget(close)
        self.setFixedWidth(420)


def bring_back(dialog: QDialog | None, busy: bool) -> bool:
    """One window of a kind at a time: an open or busy one (a closed one may still be
    working) comes forward; a closed, idle one is let go. True when it came forward."""
    if dialog is None:
        return False
    if dialog.isVisible() or busy:
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return True
    dialog.deleteLater()
    return False
