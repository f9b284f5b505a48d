"""The Written Styles page (global sidebar): libraries, their samples and passages, the search
model that embeds them (switching re-embeds as a job), and a "what would be retrieved?" box.
Adding samples and re-embedding are jobs (progress, cancel); nothing heavy runs on the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core.app.resources import read_text
from aiuteur_desktop.core.context import StyleChunk
from aiuteur_desktop.core.jobs import Job, JobState, Submission
from aiuteur_desktop.core.screenplay.documents import FILE_FILTER
from aiuteur_desktop.core.styles.written import NEUTRAL, WrittenStyles
from aiuteur_desktop.providers import embedders
from aiuteur_desktop.providers.style_jobs import STYLE_INGEST, STYLE_REEMBED
from aiuteur_desktop.views.jobs.background import run_in_background
from aiuteur_desktop.views.jobs.runner import JobRunner
from aiuteur_desktop.views.kit.dialogs import show_error
from aiuteur_desktop.views.styles.library_pane import LibraryPane, library_page

TASKS = ["Any", "Write the dialogue", "Describe the action", "Write the treatment"]
STYLE_JOBS = (STYLE_INGEST, STYLE_REEMBED)


def neutral_samples() -> dict[str, str]:
    return {
        "neutral-prose.md": read_text("styles", "neutral-prose.md"),
        "neutral-scenes.fountain": read_text("styles", "neutral-scenes.fountain"),
    }


class WrittenStylesPage(QWidget):
    def __init__(
        self,
        styles: WrittenStyles,
        runner: JobRunner,
        *,
        embedder_choices: Callable[[], list[str]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.styles = styles
        self.runner = runner
        self._submitted: set[str] = set()  # jobs this page queued (to hear a refusal)
        self._choices = embedder_choices or (lambda: [embedders.OFFLINE])
        self._seeded = False
        self._seeding = False  # the neutral library is being made (the first visit)

        self.libraries = LibraryPane(
            "written style",
            names=lambda: [lib.name for lib in self.styles.libraries()],
            create=lambda name: self.styles.create(name).name,
            rename=lambda old, new: self.styles.rename(old, new).name,
            delete=self.styles.delete,
        )
        self.library_list = self.libraries.list
        self.libraries.current_changed.connect(lambda _name: self.show_library())

        self.doc_list = QListWidget()
        self.doc_list.setObjectName("documentList")
        self.add_button = QPushButton("Add sample…")
        self.add_button.setToolTip("Add a story, script or dialogue: " + FILE_FILTER)
        self.add_button.clicked.connect(self.choose_sample)
        self.remove_button = QPushButton("Remove sample")
        self.remove_button.clicked.connect(self.remove_sample)
        self.embedder = QComboBox()
        self.embedder.setObjectName("embedderChoice")
        self.embedder.setToolTip("The model that turns passages into searchable vectors")
        self._fill_choices()
        self.embedder.currentIndexChanged.connect(lambda _i: self._sync_buttons())
        self.reembed_button = QPushButton("Re-embed")
        self.reembed_button.setToolTip("Embed every passage again with the chosen search model")
        self.reembed_button.clicked.connect(self.reembed)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_work)
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
        model_row = QHBoxLayout()
        model_row.addWidget(QLabel("Search model"))
        model_row.addWidget(self.embedder, 1)
        model_row.addWidget(self.reembed_button)
        work_row = QHBoxLayout()
        work_row.addWidget(self.progress, 1)
        work_row.addWidget(self.cancel_button)
        middle = QVBoxLayout()
        middle.setContentsMargins(0, 0, 0, 0)
        middle.addWidget(QLabel("Samples"))
        middle.addWidget(self.doc_list, 1)
        middle.addLayout(buttons)
        middle.addLayout(model_row)
        middle.addLayout(work_row)
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
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(QLabel("What would be retrieved?"))
        right.addWidget(self.query)
        right.addWidget(self.task)
        right.addWidget(self.try_button)
        right.addWidget(self.results, 1)
        right_w = QWidget()
        right_w.setLayout(right)

        library_page(
            self,
            "Written Styles",
            "Bring writing you admire — scripts, stories, dialogue. Aiuteur cuts it into "
            "exchanges, action and prose, and shows the closest passages to the model as "
            "examples when it writes for you.",
            [self.libraries, middle_w, right_w],
            [200, 500, 380],
        )
        self._note = ""
        self._shown = 0  # which call of show_library the page is waiting on
        runner.progressed.connect(self._job_progress)
        runner.finished.connect(self._job_finished)
        runner.refused.connect(self._job_refused)
        runner.changed.connect(lambda _id: self._sync_buttons())
        self.libraries.refresh()

    # ------------------------------------------------------------------- state
    def current(self) -> str | None:
        return self.libraries.current()

    def create_library(self, name: str) -> None:
        self.libraries.create(name)

    def _fill_choices(self) -> None:
        self.embedder.blockSignals(True)
        self.embedder.clear()
        for eid in self._choices():
            self.embedder.addItem(embedders.label(eid), eid)
        self.embedder.blockSignals(False)

    def refresh(self, select: str | None = None) -> None:
        """Called when the page is shown; the first time, ships the neutral library."""
        self._fill_choices()
        self.seed()
        self.libraries.refresh(select)

    def seed(self) -> None:
        """Ship the neutral library (once, in the background; the app calls it at start)."""
        if self._seeded:
            return
        self._seeded = self._seeding = True
        styles = self.styles

        def done(_added: bool) -> None:
            self._seeding = False
            self.libraries.refresh()  # listed (and the page's hint said again) at once

        def failed(exc: BaseException) -> None:
            self._seeding = False
            self.libraries.refresh()
            show_error(self, "Written Styles", exc)

        run_in_background(
            lambda: styles.ensure_neutral(neutral_samples()), done, failed, parent=self
        )

    def _active_job(self) -> Job | None:
        name = self.current()
        for job in self.runner.active():
            if job.kind in STYLE_JOBS and job.params.get("library") == name:
                return job
        return None

    def _sync_buttons(self) -> None:
        name = self.current()
        busy = self._active_job()
        self.add_button.setEnabled(name is not None)
        self.remove_button.setEnabled(name is not None and busy is None)
        self.try_button.setEnabled(name is not None)
        self.embedder.setEnabled(name is not None and busy is None)
        current = self.styles.info(name).embedder if name else None
        self.reembed_button.setEnabled(
            name is not None and busy is None and self.embedder.currentData() != current
        )
        self.progress.setVisible(busy is not None)
        self.cancel_button.setVisible(busy is not None)
        if busy is not None:
            self.progress.setValue(int(1000 * self.runner.progress.get(busy.id, 0.0)))

    def show_library(self) -> None:
        name = self.current()
        self.doc_list.clear()
        self.chunk_list.clear()
        self._sync_buttons()
        if name is None:
            self.status.setText(
                "Preparing the neutral library that comes with Aiuteur (“Neutral (no style)”)…"
                if self._seeding
                else "No library yet: press “New library…” (bottom left), then add scripts or "
                "stories whose writing you like."
            )
            return
        info = self.styles.info(name)
        index = self.embedder.findData(info.embedder)
        if index < 0:
            self.embedder.addItem(embedders.label(info.embedder), info.embedder)
            index = self.embedder.count() - 1
        self.embedder.blockSignals(True)
        self.embedder.setCurrentIndex(index)
        self.embedder.blockSignals(False)
        self._sync_buttons()
        self.doc_list.addItems(list(info.documents))
        busy = self._active_job()
        # What just happened is said at once, not after the passages have loaded.
        waiting = f"{self._note}. Loading passages…" if self._note else "Loading passages…"
        self.status.setText(f"{busy.title}…" if busy else waiting)
        styles = self.styles
        # Only the newest load is shown: an older one landing late would say the library's
        # state without the note just set (a refused sample's reason flashed and vanished).
        self._shown += 1
        shown = self._shown

        def load() -> tuple[int, list[dict[str, object]]]:
            return styles.count(name), styles.chunks(name, limit=500)

        def show(result: tuple[int, list[dict[str, object]]]) -> None:
            passages, chunks = result
            if self.current() != name or shown != self._shown:
                return  # the user moved on, or a newer load is coming
            self.chunk_list.clear()
            for c in chunks:
                item = QListWidgetItem(f"[{c['kind']}] {str(c['text'])[:300]}")
                item.setToolTip(f"{c['doc']} · passage {int(str(c['position'])) + 1}")
                self.chunk_list.addItem(item)
            if self._active_job() is not None:
                return
            docs = len(info.documents)
            note = f"{self._note}. " if self._note else ""
            self._note = ""
            self.status.setText(
                f"{note}{docs} sample{'s' * (docs != 1)}, {passages} "
                f"passage{'s' * (passages != 1)} · searched with {embedders.label(info.embedder)}"
            )

        run_in_background(
            load, show, lambda exc: show_error(self, "Written Styles", exc), parent=self
        )

    # ------------------------------------------------------------------ jobs
    def _job_progress(self, job_id: str, fraction: float) -> None:
        busy = self._active_job()
        if busy is not None and busy.id == job_id:
            self.progress.setValue(int(1000 * fraction))

    def _job_refused(self, job_id: str, reason: str) -> None:
        if job_id in self._submitted:
            self._submitted.discard(job_id)
            self._note = reason.rstrip(".")
            self.show_library()

    def _job_finished(self, job_id: str) -> None:
        job = self.runner.job(job_id)
        if job.kind not in STYLE_JOBS:
            return
        if job.params.get("library") != self.current():
            self._sync_buttons()
            return
        if job.state == JobState.SUCCEEDED and job.kind == STYLE_INGEST:
            r = job.result or {}
            self._note = f"Added {r.get('document')} ({r.get('passages')} passages)"
        elif job.state == JobState.SUCCEEDED:
            self._note = f"Re-embedded {(job.result or {}).get('passages')} passages"
        elif job.state == JobState.CANCELLED:
            self._note = "Cancelled; the library is as it was"
        elif job.state == JobState.FAILED:
            self._note = job.error or "That did not work"
        self.show_library()

    def _submit(self, kind: str, title: str, provider: str, params: dict[str, object]) -> None:
        name = self.current()
        if name is None:
            return
        params = {"home": str(self.styles.root.parent), "library": name, **params}
        self._submitted.add(self.runner.submit(Submission(kind, title, provider, params)))
        self.status.setText(f"{title}…")
        self._sync_buttons()

    # ------------------------------------------------------------------ actions
    def choose_sample(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Add a writing sample", "", FILE_FILTER)
        if path:
            self.add_sample(Path(path))

    def add_sample(self, path: Path) -> None:
        """Read, chunk and embed a sample as a job."""
        name = self.current() or ""
        provider = self.styles.info(name).embedder.split(":")[0] if name else "offline"
        self._submit(STYLE_INGEST, f"Adding {path.name} to {name}", provider, {"path": str(path)})

    def reembed(self) -> None:
        target = str(self.embedder.currentData())
        name = self.current() or ""
        self._submit(
            STYLE_REEMBED,
            f"Re-embedding {name} with {embedders.label(target)}",
            target.split(":")[0],
            {"embedder": target},
        )

    def cancel_work(self) -> None:
        busy = self._active_job()
        if busy is not None:
            self.runner.cancel(busy.id)

    def remove_sample(self) -> None:
        name, item = self.current(), self.doc_list.currentItem()
        if name is None or item is None:
            return
        document, styles = item.text(), self.styles
        run_in_background(  # a LanceDB delete: disk work, off the UI thread
            lambda: styles.remove_document(name, document),
            lambda _r: self.show_library(),
            lambda exc: show_error(self, "Remove sample", exc),
            parent=self,
        )

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


__all__ = ["NEUTRAL", "WrittenStylesPage"]
