"""Stage 3 (PRD §8.3): the numbered drag-and-drop beat list with one toolbar for the selected
beat (add after, remove, Brainstorm, Expand, Rewrite, Context), the "Not up-to-date with
current Script" flag with its retroactive revision, full regeneration behind the Why box, and
the Confirm gate."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core import story
from aiuteur_desktop.core.store.status import StatusDeriver
from aiuteur_desktop.views.jobs.stage_jobs import StoryJobs
from aiuteur_desktop.views.kit import theme
from aiuteur_desktop.views.kit.shortcuts import local_shortcut
from aiuteur_desktop.views.stage_frame import PRIMARY_STYLE, StageFrame, ask_guidance
from aiuteur_desktop.views.story.beat_dialogs import BeatRewriteDialog, ChoiceDialog
from aiuteur_desktop.views.story.beats import BeatModel, fresh
from aiuteur_desktop.views.story.rewrite import undo_buttons

#: The tools for the selected beat, in toolbar order: (key, label, tooltip, shortcut).
TOOLS = (
    (
        "add",
        "Add After…",
        "Add a beat after the selected one (the AI writes it from your guidance and the "
        "neighbours)",
        "Ctrl+Shift+N",
    ),
    ("remove", "Remove", "Remove the selected beat (undo brings it back)", "Del"),
    ("brainstorm", "Brainstorm…", "Three alternatives for the selected beat", ""),
    ("expand", "Expand…", "Split the selected beat into more detailed sub-beats", ""),
    ("rewrite", "Rewrite…", "Rewrite part or all of the selected beat with an instruction", ""),
    ("context", "Context", "The treatment passage the selected beat came from", ""),
)
PAD = 10
NUMBER_W = 34
AI_TOOLS = {"add", "brainstorm", "expand", "rewrite"}


class BeatDelegate(QStyledItemDelegate):
    def __init__(self, page: Stage3Page) -> None:
        super().__init__(page)
        self.page = page

    def _text_rect(self, rect: QRect) -> QRect:
        return rect.adjusted(PAD + NUMBER_W, PAD, -PAD, -PAD)

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        width = max(200, option.rect.width() or self.page.view.viewport().width())
        fm = option.fontMetrics
        text = str(index.data(Qt.ItemDataRole.EditRole) or "")
        bound = fm.boundingRect(
            QRect(0, 0, width - 2 * PAD - NUMBER_W, 10_000), Qt.TextFlag.TextWordWrap, text
        )
        return QSize(width, bound.height() + 2 * PAD + 4)

    def paint(
        self, p: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = option.rect.adjusted(2, 3, -2, -3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        p.setPen(QPen(theme.ACCENT if selected else QColor("#33363c"), 1))
        p.setBrush(
            QColor("#232838") if selected else QColor("#24262b") if hovered else QColor("#202226")
        )
        p.drawRoundedRect(r, 7, 7)
        p.setPen(theme.ACCENT if selected else theme.MUTED)
        # On the first line's baseline, beside the text.
        first = self._text_rect(option.rect)
        number = QRect(r.left() + 6, first.top(), NUMBER_W - 4, option.fontMetrics.height())
        font = p.font()
        font.setBold(True)
        p.setFont(font)
        p.drawText(
            number,
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
            f"{index.row() + 1}",
        )
        font.setBold(False)
        p.setFont(font)
        p.setPen(theme.TEXT)
        p.drawText(
            self._text_rect(option.rect),
            Qt.TextFlag.TextWordWrap,
            str(index.data(Qt.ItemDataRole.EditRole)),
        )
        p.restore()

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        editor = QPlainTextEdit(parent)
        editor.setObjectName("beatEditor")
        editor.setTabChangesFocus(True)
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        assert isinstance(editor, QPlainTextEdit)
        editor.setPlainText(str(index.data(Qt.ItemDataRole.EditRole)))
        editor.selectAll()

    def setModelData(
        self, editor: QWidget, model: Any, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        assert isinstance(editor, QPlainTextEdit)
        model.setData(index, editor.toPlainText(), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(
        self,
        editor: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        editor.setGeometry(self._text_rect(option.rect).adjusted(-6, -6, 6, 6))


class Stage3Page(StageFrame):
    def __init__(self, jobs: StoryJobs, parent: QWidget | None = None) -> None:
        super().__init__(3, jobs, parent)
        self.model = BeatModel(self)
        self.model.edited.connect(self._edited)
        self.regen_button = self.add_action("Regenerate…", "regenerateBeats", self.regenerate)
        self.confirm_button = self.add_action(
            "Confirm Beat Sheet && Proceed", "confirmBeats", self.confirm, primary=True
        )
        undo_buttons(self, stack=self.model.stack)
        self.view = QListView()
        self.view.setObjectName("beatList")
        self.view.setModel(self.model)
        self.delegate = BeatDelegate(self)
        self.view.setItemDelegate(self.delegate)
        self.view.setMouseTracking(True)
        self.view.setWordWrap(True)
        self.view.setUniformItemSizes(False)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setDragEnabled(True)
        self.view.setAcceptDrops(True)
        self.view.setDropIndicatorShown(True)
        self.view.setSpacing(1)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.view.setStyleSheet("QListView#beatList { background: transparent; border: none; }")
        self.generate_button = QPushButton("Generate Beat Sheet from the Treatment")
        self.generate_button.setObjectName("generateBeats")
        self.generate_button.setStyleSheet(PRIMARY_STYLE)
        self.generate_button.clicked.connect(lambda: self.generate(""))
        self.count = QLabel()
        self.count.setProperty("muted", True)
        # One toolbar for the selected beat, instead of six buttons on every row.
        self.tools: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        bar.setSpacing(6)
        for key, label, tip, keys in TOOLS:
            b = QPushButton(label)
            b.setObjectName(f"beatTool_{key}")
            b.setToolTip(f"{tip} ({keys})" if keys else tip)
            b.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            b.clicked.connect(lambda _=False, k=key: self._on_selected(k))
            bar.addWidget(b)
            self.tools[key] = b
        bar.addStretch(1)
        self.toolbar = QWidget()
        self.toolbar.setObjectName("beatToolbar")
        self.toolbar.setLayout(bar)
        bar.setContentsMargins(0, 0, 0, 0)
        self.body.addWidget(self.generate_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.body.addWidget(self.toolbar)
        self.body.addWidget(self.view, 1)
        self.body.addWidget(self.count)
        self.flag.button.clicked.connect(self.revise_from_script)
        self.busy.cancelled.connect(lambda: self.jobs.cancel(self.tag()))
        local_shortcut(QKeySequence.StandardKey.Undo, self, self.model.stack.undo)
        local_shortcut(QKeySequence.StandardKey.Redo, self, self.model.stack.redo)
        local_shortcut(QKeySequence("Ctrl+Up"), self.view, lambda: self._nudge(-1))
        local_shortcut(QKeySequence("Ctrl+Down"), self.view, lambda: self._nudge(1))
        local_shortcut(
            QKeySequence.StandardKey.Delete, self.view, lambda: self._on_selected("remove")
        )
        local_shortcut(QKeySequence("Ctrl+Shift+N"), self, lambda: self._on_selected("add"))
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._sync_tools())
        self._loading = False

    def ai_ready(self) -> bool:
        return self.jobs.route() is not None and not self.jobs.running(self.tag())

    # ------------------------------------------------------------------ state
    def load(self) -> None:
        self._loading = True
        self.model.load(story.beats_of(self.project) if self.project else [])
        self._loading = False
        self.sync()
        self.mark_loaded()

    def _edited(self) -> None:
        if not self._loading:
            self.schedule_save()
            self._count()

    def save_now(self) -> None:
        if self.project is None:
            return
        story.edit_beats(self.project, self.model.beats)
        self.changed.emit()
        self.sync()
        self.mark_loaded()

    def _count(self) -> None:
        n = len(self.model.beats)
        note = "" if 15 <= n <= 30 or n == 0 else " — a beat sheet usually has 15 to 30 beats"
        self.count.setText(f"{n} beats{note}" if n else "")

    def sync(self) -> None:
        if self.project is None:
            return
        has = bool(self.model.beats)
        running = bool(self.jobs.running(self.tag()))
        ready = self.model_ready()
        self.generate_button.setVisible(not has and not running)
        self.generate_button.setEnabled(ready)
        self.regen_button.setEnabled(has and ready and not running)
        self.confirm_button.setEnabled(has and not running)
        locked = story.is_locked(self.project, 3) and not self.project.is_dirty()
        self.confirm_button.setText(
            "Beat Sheet Confirmed ✓ — Go to Script" if locked else "Confirm Beat Sheet && Proceed"
        )
        self.view.setEnabled(not running)
        flag = next(
            (
                f.text
                for f in StatusDeriver(self.project, self.project.branch().draft).flags()
                if f.path == story.BEATS
            ),
            "",
        )
        if flag:
            self.flag.show_message(
                f"{flag}. The script no longer matches these beats exactly.",
                "Retroactively Revise Beat Sheet to Sync with Script",
            )
            self.flag.button.setEnabled(ready and not running)
        else:
            self.flag.hide()
        self._count()
        self._sync_tools()
        self.view.viewport().update()

    def _sync_tools(self) -> None:
        """The toolbar acts on the selected beat; the AI tools need a model and no job."""
        picked = bool(self.view.selectionModel().selectedRows())
        ai = self.ai_ready()
        self.toolbar.setVisible(bool(self.model.beats))
        for key, b in self.tools.items():
            b.setEnabled(picked and self.view.isEnabled() and (ai or key not in AI_TOOLS))

    # ---------------------------------------------------------------- tools
    def _on_selected(self, key: str) -> None:
        rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        if rows:
            self.tool(key, rows[0].row())

    def _nudge(self, step: int) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            dest = index.row() + step
            if 0 <= dest < len(self.model.beats):
                self.model.move(index.row(), dest)
                self.view.setCurrentIndex(self.model.index(dest))

    def tool(self, key: str, row: int) -> None:
        if key in AI_TOOLS and not self.ai_ready():
            self.model_ready()
            return
        {
            "add": self.add_after,
            "remove": self.remove,
            "brainstorm": self.brainstorm,
            "expand": self.expand,
            "rewrite": self.rewrite,
            "context": self.show_context,
        }[key](row)

    def remove(self, row: int) -> None:
        self.model.remove(row)
        self.message.emit(f"Removed beat {row + 1}. Undo brings it back.")

    def add_after(self, row: int) -> None:
        """+ opens the Why box; the new beat is written from the guidance and its neighbours."""
        assert self.project is not None
        at = row + 1

        def go(guidance: str) -> None:
            assert self.project is not None
            ask = story.add_beat_ask(self.project, self.model.beats, at, guidance)

            def done(result: dict[str, Any]) -> None:
                self.model.insert(at, fresh([result["value"]["text"]]), f"Add beat {at + 1}")
                self.view.setCurrentIndex(self.model.index(at))

            self.run(ask, done, f"Writing a new beat {at + 1}…")

        ask_guidance(
            self,
            "Add Beat",
            f"What should happen in the new beat {at + 1}?",
            "Write Beat",
            go,
            placeholder="e.g. “Mara finds the captain’s log and learns the ferry never docked.”",
        )

    def brainstorm(self, row: int) -> None:
        assert self.project is not None
        ask = story.brainstorm_ask(self.project, self.model.beats, row, "")
        beat_id = self.model.beats[row]["id"]

        def done(result: dict[str, Any]) -> None:
            options = list(result["value"]["alternatives"])
            dialog = ChoiceDialog(
                f"Brainstorm · Beat {row + 1}",
                "Pick one to replace the beat, or keep yours.",
                options,
                self,
            )
            dialog.setObjectName("brainstormDialog")

            def chosen(i: int) -> None:
                at = self._row_of(beat_id)
                if at is not None:
                    self.model.retype(at, options[i], f"Brainstorm pick for beat {at + 1}")

            dialog.chosen.connect(chosen)
            dialog.open()

        self.run(ask, done, f"Brainstorming three alternatives for beat {row + 1}…")

    def expand(self, row: int) -> None:
        assert self.project is not None
        ask = story.expand_ask(self.project, self.model.beats, row, "")
        beat_id = self.model.beats[row]["id"]

        def done(result: dict[str, Any]) -> None:
            subs = list(result["value"]["beats"])
            dialog = ChoiceDialog(
                f"Expand · Beat {row + 1}",
                "Replace the beat with these sub-beats?",
                ["\n".join(f"{row + 1}.{i} {t}" for i, t in enumerate(subs, 1))],
                self,
                action="Replace with Sub-beats",
            )
            dialog.setObjectName("expandDialog")

            def chosen(_i: int) -> None:
                at = self._row_of(beat_id)
                if at is not None:
                    self.model.replace(at, fresh(subs), f"Expand beat {at + 1}")

            dialog.chosen.connect(chosen)
            dialog.open()

        self.run(ask, done, f"Expanding beat {row + 1}…")

    def rewrite(self, row: int) -> None:
        """Targeted rewrite inside one beat: select part of it (or all) and say how."""
        assert self.project is not None
        dialog = BeatRewriteDialog(row, self.model.beats[row]["text"], self)
        beat_id = self.model.beats[row]["id"]

        def go() -> None:
            assert self.project is not None
            text, start, end = dialog.text, dialog.start, dialog.end
            ask = story.rewrite_ask(
                self.project, "beat of a beat sheet", text, start, end, dialog.instruction, 3
            )

            def done(result: dict[str, Any]) -> None:
                at = self._row_of(beat_id)
                if at is None or self.model.beats[at]["text"] != text:
                    self.fail("The beat changed while the rewrite ran, so it was not applied.")
                    return
                new = text[:start] + str(result["value"]["replacement"]) + text[end:]
                self.model.retype(at, " ".join(new.split()), f"Rewrite beat {at + 1}")

            self.run(ask, done, f"Rewriting beat {row + 1}…")

        dialog.accepted.connect(go)
        dialog.open()

    def show_context(self, row: int) -> None:
        assert self.project is not None
        passage, at, length = story.beat_passage(self.project, self.model.beats[row])
        dialog = QDialog(self)
        dialog.setObjectName("beatContext")
        dialog.setWindowTitle(f"Beat {row + 1} · Treatment context")
        dialog.resize(560, 320)
        lay = QVBoxLayout(dialog)
        head = QLabel(f"<b>Beat {row + 1}</b> — {self.model.beats[row]['text']}")
        head.setWordWrap(True)
        lay.addWidget(head)
        browser = QTextBrowser()
        browser.setObjectName("contextText")
        if not passage:
            browser.setPlainText(
                "This beat has no recorded source passage (it was added or written by hand)."
            )
        elif at < 0:
            browser.setPlainText(
                f"The treatment no longer contains this beat's source:\n\n“{passage}”"
            )
        else:
            import html

            browser.setHtml(
                html.escape(passage[:at])
                + f"<span style='background:#4a3f1a'>{html.escape(passage[at : at + length])}</span>"
                + html.escape(passage[at + length :])
            )
        lay.addWidget(browser, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.reject)
        lay.addWidget(buttons)
        dialog.open()

    def _row_of(self, beat_id: str) -> int | None:
        return next((i for i, b in enumerate(self.model.beats) if b["id"] == beat_id), None)

    # --------------------------------------------------------------- whole sheet
    def _sheet_applied(self, result: dict[str, Any]) -> None:
        """The operation has saved the new sheet; the page shows it."""
        self.load()
        self.changed.emit()

    def generate(self, guidance: str) -> None:
        if self.project is None:
            return
        self.flush()
        message = guidance.strip() or "Generated beat sheet from the treatment"
        self.run_answer(
            story.beats_ask(self.project, guidance),
            "beats",
            message,
            self._sheet_applied,
            "Breaking the treatment into beats…",
        )

    def regenerate(self) -> None:
        ask_guidance(
            self,
            "Regenerate Beat Sheet",
            "Full regeneration replaces every beat (the current sheet stays in Version History). "
            "What should change?",
            "Regenerate",
            self.generate,
        )

    def revise_from_script(self) -> None:
        if self.project is None:
            return
        self.flush()
        self.run_answer(
            story.beats_revise_ask(self.project),
            "beats",
            "Retroactively revised beat sheet to sync with the script",
            self._sheet_applied,
            "Revising the beat sheet to match the script…",
            from_script=True,
        )

    def confirm(self) -> None:
        if self.project is None:
            return
        self.flush()
        if not (story.is_locked(self.project, 3) and not self.project.is_dirty()):
            story.confirm_beats(self.project)
        self.changed.emit()
        self.goToStage.emit(4)
