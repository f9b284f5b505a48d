"""The Written Styles page (global sidebar): libraries, their documents and chunks, and a
"what would be retrieved?" box. Ingest and retrieval run off the UI thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core.context import StyleChunk
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.formats.documents import FILE_FILTER, read_document
from aiuteur_desktop.core.style_library import WrittenStyles
from aiuteur_desktop.views.dialogs import show_error
from aiuteur_desktop.views.jobs import run_in_background

TASKS = ["Any", "Write the dialogue", "Describe the action", "Write the treatment"]


class WrittenStylesPage(QWidget):
    def __init__(self, styles: WrittenStyles, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.styles = styles
        title = QLabel("Written Styles")
        title.setObjectName("pageTitle")
        intro = QLabel(
            "Bring writing you admire — scripts, stories, dialogue. Aiuteur cuts it into "
            "exchanges, action and prose, and shows the closest passages to the model as "
            "examples when it writes for you."
        )
        intro.setWordWrap(True)
        intro.setProperty("muted", True)

        self.library_list = QListWidget()
        self.library_list.setObjectName("libraryList")
        self.new_button = QPushButton("New library…")
        self.new_button.clicked.connect(self.new_library)
        left = QVBoxLayout()
        left.addWidget(QLabel("Libraries"))
        left.addWidget(self.library_list, 1)
        left.addWidget(self.new_button)
        left_w = QWidget()
        left_w.setLayout(left)

        self.doc_list = QListWidget()
        self.doc_list.setObjectName("documentList")
        self.add_button = QPushButton("Add sample…")
        self.add_button.clicked.connect(self.choose_sample)
        self.remove_button = QPushButton("Remove sample")
        self.remove_button.clicked.connect(self.remove_sample)
        self.status = QLabel("")
        self.status.setProperty("muted", True)
        self.status.setWordWrap(True)
        self.chunk_list = QListWidget()
        self.chunk_list.setObjectName("chunkList")
        self.chunk_list.setWordWrap(True)
        self.chunk_list.setSpacing(5)
        self.chunk_list.setAlternatingRowColors(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        middle = QVBoxLayout()
        middle.addWidget(QLabel("Samples"))
        middle.addWidget(self.doc_list, 1)
        middle.addLayout(buttons)
        middle.addWidget(self.status)
        middle.addWidget(QLabel("Passages"))
        middle.addWidget(self.chunk_list, 2)
        middle_w = QWidget()
        middle_w.setLayout(middle)

        self.query = QLineEdit()
        self.query.setPlaceholderText("e.g. two strangers flirt in a bar")
        self.task = QComboBox()
        self.task.addItems(TASKS)
        self.try_button = QPushButton("Show what would be retrieved")
        self.try_button.clicked.connect(self.try_retrieval)
        self.query.returnPressed.connect(self.try_retrieval)
        self.results = QListWidget()
        self.results.setObjectName("retrievalResults")
        self.results.setWordWrap(True)
        self.results.setSpacing(5)
        self.results.setAlternatingRowColors(True)
        right = QVBoxLayout()
        right.addWidget(QLabel("What would be retrieved?"))
        right.addWidget(self.query)
        right.addWidget(self.task)
        right.addWidget(self.try_button)
        right.addWidget(self.results, 1)
        right_w = QWidget()
        right_w.setLayout(right)

        split = QSplitter()
        for w in (left_w, middle_w, right_w):
            split.addWidget(w)
        split.setSizes([220, 480, 360])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(split, 1)
        self._note = ""
        self.library_list.currentItemChanged.connect(lambda *_: self.show_library())
        self.refresh()

    # ------------------------------------------------------------------- state
    def current(self) -> str | None:
        item = self.library_list.currentItem()
        return item.text() if item is not None else None

    def refresh(self, select: str | None = None) -> None:
        keep = select or self.current()
        self.library_list.clear()
        for lib in self.styles.libraries():
            self.library_list.addItem(lib.name)
        items = self.library_list.findItems(keep or "", Qt.MatchFlag.MatchExactly) if keep else []
        if items:
            self.library_list.setCurrentItem(items[0])
        elif self.library_list.count():
            self.library_list.setCurrentRow(0)
        self.show_library()

    def show_library(self) -> None:
        name = self.current()
        has = name is not None
        for w in (self.add_button, self.remove_button, self.try_button):
            w.setEnabled(has)
        self.doc_list.clear()
        self.chunk_list.clear()
        if name is None:
            self.status.setText("Create a library to start.")
            return
        info = self.styles.info(name)
        self.doc_list.addItems(list(info.documents))
        self.status.setText("Loading passages…")
        styles = self.styles

        def load() -> tuple[int, list[dict[str, object]]]:
            return styles.count(name), styles.chunks(name, limit=500)

        def show(result: tuple[int, list[dict[str, object]]]) -> None:
            passages, chunks = result
            if self.current() != name:
                return  # the user moved on
            self.chunk_list.clear()
            for c in chunks:
                item = QListWidgetItem(f"[{c['kind']}] {str(c['text'])[:300]}")
                item.setToolTip(f"{c['doc']} · passage {int(str(c['position'])) + 1}")
                self.chunk_list.addItem(item)
            docs = len(info.documents)
            note = f" · {self._note}" if self._note else ""
            self._note = ""
            self.status.setText(
                f"{docs} sample{'s' * (docs != 1)}, {passages} passage{'s' * (passages != 1)} · "
                f"embedded with {info.embedder}{note}"
            )

        run_in_background(
            load, show, lambda exc: show_error(self, "Written Styles", exc), parent=self
        )

    # ------------------------------------------------------------------ actions
    def new_library(self) -> None:
        name, ok = QInputDialog.getText(self, "New written style", "Name (e.g. Noir dialogue)")
        if ok and name.strip():
            self.create_library(name)

    def create_library(self, name: str) -> None:
        try:
            lib = self.styles.create(name)
        except AiuteurError as exc:
            show_error(self, "New written style", exc)
            return
        self.refresh(select=lib.name)

    def choose_sample(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Add a writing sample", "", FILE_FILTER)
        if path:
            self.add_sample(Path(path))

    def add_sample(self, path: Path) -> None:
        """Read, chunk and embed a sample in the background."""
        name = self.current()
        if name is None:
            return
        self.status.setText(f"Reading {path.name}…")
        self.add_button.setEnabled(False)

        def work() -> int:
            return self.styles.add_document(name, path.name, read_document(path).text)

        def done(count: int) -> None:
            self.add_button.setEnabled(True)
            self._note = f"added {path.name} ({count} passages)"
            self.show_library()

        def failed(exc: BaseException) -> None:
            self.add_button.setEnabled(True)
            self.status.setText("")
            show_error(self, "Add sample", exc)

        run_in_background(work, done, failed, parent=self)

    def remove_sample(self) -> None:
        name, item = self.current(), self.doc_list.currentItem()
        if name is None or item is None:
            return
        self.styles.remove_document(name, item.text())
        self.show_library()

    def try_retrieval(self) -> None:
        name, query = self.current(), self.query.text().strip()
        if name is None or not query:
            return
        task = "" if self.task.currentIndex() == 0 else self.task.currentText()
        self.results.clear()
        self.results.addItem("Searching…")

        def show(found: list[StyleChunk]) -> None:
            self.results.clear()
            if not found:
                self.results.addItem("Nothing yet: add a sample to this library.")
            for chunk in found:
                item = QListWidgetItem(f"{chunk.score:.2f} · {chunk.id}\n{chunk.text[:400]}")
                item.setToolTip(chunk.id)
                self.results.addItem(item)

        run_in_background(
            lambda: self.styles.retrieve(name, query, k=4, task=task),
            show,
            lambda exc: show_error(self, "Retrieval", exc),
            parent=self,
        )
