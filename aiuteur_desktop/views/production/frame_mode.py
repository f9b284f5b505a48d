"""Stage 10's modes: the first question — how the frames are made, Control (one at a time,
each approved before the next) or Quick (all at once), start frames only or not; nothing is
generated before it is answered — and the two panels the answer opens: Control's steps with
the frame, its Rearview and its candidates, and Quick's grid of every frame."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QRadioButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.production import frames
from aiuteur_desktop.core.store.status import Status
from aiuteur_desktop.views.jobs.background import run_in_background
from aiuteur_desktop.views.kit.pictures import (
    candidate_strip,
    decode_aside,
    is_decoded,
    keep_decoded,
    stored_image,
)
from aiuteur_desktop.views.production.canvas import RegionEditor
from aiuteur_desktop.views.production.rearview import Rearview

#: A frame's key ("B/start") on its step and its tile.
SlotRole = Qt.ItemDataRole.UserRole + 1
#: A frame's tile in Quick mode's grid.
TILE = QSize(192, 108)
#: A candidate in the frame's history strip.
CANDIDATE = QSize(96, 54)
#: The frame and the one it follows are decoded at most this wide for the Rearview (a
#: frame the size of a 4K still, decoded whole and scaled at every refresh, held the window).
VIEW_SIDE = 1600
#: Made frames after the one shown whose views are decoded ahead (approve-and-next).
AHEAD = 3


def frame_title(s: frames.Slot) -> str:
    return f"{s.label} {'start' if s.which == frames.START else 'end'}"


def thumb(project: Any, media: str, size: QSize) -> QPixmap:
    """A stored frame at `size` (kept decoded); an empty picture when it cannot be read."""
    try:
        read = project.media.read
        image = stored_image(media, lambda: read(media), max(size.width(), size.height()))
    except (OSError, AiuteurError):
        return QPixmap()
    return QPixmap.fromImage(image).scaled(size, Qt.AspectRatioMode.KeepAspectRatio)


def decode_ahead(
    project: Any, items: list[frames.Slot], shown: list[frames.Slot], links: list[Any]
) -> dict[int, dict[str, Any]]:
    """On a worker: the pictures the page is about to show that are not decoded yet — every
    made frame's tile, the frames `shown` (and the few made after them) with the frames
    they follow (`links`) at the Rearview's size, and their candidates — as
    {side: {media: QImage}} for `keep_decoded` on the UI thread."""
    read = project.media.read
    tiles = {s.chosen for s in items if s.chosen}
    views: set[str] = set()
    small: set[str] = set()
    order = {(s.shot, s.which): i for i, s in enumerate(items)}
    for s in shown:
        i = order.get((s.shot, s.which))
        following = [x for x in items[i:] if x.made][: AHEAD + 1] if i is not None else [s]
        views.update(x.chosen for x in following if x.chosen)
        small.update(str(c.get("media")) for x in following for c in x.candidates)
    views.update(link.media for link in links if link is not None and link.media)
    wanted = {
        max(TILE.width(), TILE.height()): tiles,
        VIEW_SIDE: views,
        max(CANDIDATE.width(), CANDIDATE.height()): small,
    }
    return {
        side: decode_aside(
            {m: (lambda m=m: read(m)) for m in media if not is_decoded(m, side)}, side
        )
        for side, media in wanted.items()
    }


def keep_pictures(pictures: dict[int, dict[str, Any]]) -> None:
    """`decode_ahead`'s pictures kept for `stored_image` (UI thread)."""
    for side, images in pictures.items():
        keep_decoded(images, side)


def neighbours(project: Any, scene: str, s: frames.Slot, mode: Any) -> tuple[Any, str | None]:
    """The frame `s` chains to, and why it cannot be made now (None: it can); no page state
    read, so a worker may call it."""
    reason = frames.blocked(project, scene, s.shot, s.which) if mode else None
    return frames.link(project, scene, s.shot, s.which), reason


class ModeChooser(QWidget):
    """The two modes and the start-only choice; `chosen` on Use This Mode."""

    chosen = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modeChooser")
        self.quick = QRadioButton(frames.MODES[frames.QUICK])
        self.quick.setObjectName("quickMode")
        self.control = QRadioButton(frames.MODES[frames.CONTROL])
        self.control.setObjectName("controlMode")
        self.modes = QButtonGroup(self)
        self.modes.addButton(self.quick)
        self.modes.addButton(self.control)
        self.start_only = QCheckBox("Start frames only (for video models that take no end frame)")
        self.start_only.setObjectName("startOnly")
        self.use_mode = QPushButton("Use This Mode")
        self.use_mode.setObjectName("useMode")
        self.use_mode.clicked.connect(self.chosen)
        self.use_mode.setEnabled(False)
        for button in (self.quick, self.control):
            button.toggled.connect(lambda _on: self.use_mode.setEnabled(True))
        intro = QLabel(
            "<b>Choose how the frames are made</b> — nothing is generated before. The mode is "
            "recorded with the frames and drives the Stage 11 estimate."
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        for w in (intro, self.control, self.quick, self.start_only):
            layout.addWidget(w)
        layout.addWidget(self.use_mode, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)


class FrameControl(QWidget):
    """Control mode: the scene's frames as steps, and the chosen one with the frame it follows
    (the Rearview) — or the inpainting canvas while a region is edited — its drift notes,
    its candidates, Regenerate and Edit Region. The page connects the gestures."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.steps = QListWidget()
        self.steps.setObjectName("frameSteps")
        self.rearview = Rearview()
        self.frame_state = QLabel()
        self.frame_state.setObjectName("frameState")
        self.frame_state.setWordWrap(True)
        self.drift = QLabel()
        self.drift.setObjectName("driftNotes")
        self.drift.setWordWrap(True)
        self.drift.setStyleSheet("color:#e0b050")
        self.history = candidate_strip("frameHistory", QSize(96, 54), 84)
        self.regenerate_button = QPushButton("Regenerate…")
        self.regenerate_button.setObjectName("regenerateFrame")
        self.edit_button = QPushButton("Edit Region…")
        self.edit_button.setObjectName("editRegion")
        self.edit_button.setCheckable(True)
        tools = QHBoxLayout()
        tools.addWidget(self.regenerate_button)
        tools.addWidget(self.edit_button)
        tools.addStretch(1)
        # The inpainting canvas and its tools, in place of the frame while editing.
        self.editor = RegionEditor()
        for part in ("canvas", "brush", "eraser", "size", "feather", "instruction"):
            setattr(self, part, getattr(self.editor, part))
        self.frame_stack = QStackedWidget()
        self.frame_stack.addWidget(self.rearview)
        self.frame_stack.addWidget(self.editor)
        right = QVBoxLayout()
        right.addWidget(self.frame_state)
        right.addWidget(self.frame_stack, 1)
        right.addWidget(self.drift)
        right.addWidget(self.history)
        right.addLayout(tools)
        right_w = QWidget()
        right_w.setLayout(right)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.steps)
        split.addWidget(right_w)
        split.setStretchFactor(1, 4)
        split.setChildrenCollapsible(False)
        self.steps.setMinimumWidth(150)
        self.steps.setMaximumWidth(240)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

    def show_neighbours(
        self, project: Any, s: frames.Slot, to: Any, reason: str | None, *, waiting: bool = False
    ) -> None:
        """The rearview pair (the frame `s` follows, and `s`) and the frame's state line."""
        read = project.media.read

        def view(media: str) -> Any:
            try:
                return stored_image(media, lambda: read(media), VIEW_SIDE)
            except (OSError, AiuteurError):
                return None

        previous = view(to.media) if to and to.media else None
        current = view(s.chosen) if s.chosen else None
        caption = (
            "Rearview: …"
            if waiting
            else f"Rearview: {to.label}"
            if to is not None
            else "Rearview: the scene's first frame"
        )
        self.rearview.show_pair(previous, current, caption)
        state = "Approved" if s.approved else "Made, not approved" if s.made else "Not made yet"
        if s.made and s.status not in (Status.UP_TO_DATE, Status.MISSING):
            state += f" · {s.status.value}: what it was made from changed"
        self.frame_state.setText(
            f"<b>Shot {html.escape(frame_title(s))}</b> · {state}"
            + (f"<br><span style='color:#9aa0a8'>{html.escape(reason)}</span>" if reason else "")
        )


class QuickGrid(QWidget):
    """Quick mode: every frame of the scene at once as tiles, how many are made, and
    Regenerate Selected for several chosen tiles."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QListWidget()
        self.grid.setObjectName("frameGrid")
        self.grid.setViewMode(QListWidget.ViewMode.IconMode)
        self.grid.setIconSize(TILE)
        self.grid.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.grid.setMovement(QListWidget.Movement.Static)
        self.grid.setSpacing(8)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.progress = QLabel()
        self.progress.setObjectName("gridProgress")
        self.progress.setProperty("muted", True)
        self.bulk_regenerate = QPushButton("Regenerate Selected…")
        self.bulk_regenerate.setObjectName("regenerateSelected")
        head = QHBoxLayout()
        head.addWidget(self.progress, 1)
        head.addWidget(self.bulk_regenerate)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.grid, 1)
        self._drift_round = 0

    def mark_drift(self, project: Any, scene: str | None, items: list[frames.Slot]) -> None:
        """The drift detector's flags on the tiles, scored off the UI thread (a few tens of
        milliseconds a frame); the newest scoring wins."""
        if project is None or scene is None:
            return
        self._drift_round += 1
        round_ = self._drift_round
        made = [s for s in items if s.which == frames.START and s.made]

        def score() -> dict[str, list[str]]:
            return {
                f"{s.shot}/{s.which}": list(
                    (frames.drift_of(project, scene, s) or {}).get("flags") or []
                )
                for s in made
            }

        def show(flags: dict[str, list[str]]) -> None:
            if round_ != self._drift_round:
                return
            for i in range(self.grid.count()):
                tile = self.grid.item(i)
                found = flags.get(str(tile.data(SlotRole)))
                if found:
                    if not tile.text().startswith("⚠"):
                        tile.setText("⚠ " + tile.text())
                    tile.setToolTip(tile.toolTip() + "\n" + "\n".join(found))

        run_in_background(score, show, parent=self)
