"""Stage 12's review player: the scene's cut from its takes, decoded with PyAV on a worker
thread into `QImage`s, sound through miniaudio when the machine has an output (the video
follows the sound's clock then; a steady clock otherwise).

Keys: Space play/pause, J/K/L shuttle (J back, K stop, L forward; again for faster), ←/→ a
frame, ↑/↓ the previous/next shot, Home/End. The strip under the picture shows the shots
by name: click or drag on it to scrub.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core.media.playback import Cut
from aiuteur_desktop.views.kit import theme
from aiuteur_desktop.views.kit.elided import ElidedLabel
from aiuteur_desktop.views.production.player_parts import (
    END,
    Out,
    Screen,
    Sound,
    Strip,
    Worker,
    timecode,
)

__all__ = ["Player", "timecode"]


class Player(QWidget):
    """The review player. `positionChanged(t)` as it plays; `shotChanged(index)`."""

    positionChanged = Signal(float)
    shotChanged = Signal(int)

    SPEEDS = (1.0, 2.0, 4.0, 8.0)

    #: Frames are converted to the picture's width on screen rounded up to this step, so a
    #: window being resized changes the conversion a few times, not at every pixel.
    WIDTH_STEP = 320

    def __init__(
        self, *, width: int | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """`width`: the most pixels across a frame is converted to (None: as the screen
        shows it, never more than the take's own)."""
        super().__init__()
        self.setObjectName("reviewPlayer")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.max_width = width
        self._clock = clock
        self.cut: Cut | None = None
        self.worker: Worker | None = None
        self._sound: Sound | None = None  # the audio device, opened when a cut is loaded
        self.serial = 0
        self.position = 0.0
        self.speed = 0.0  # 0 paused; negative plays backwards
        self.shown_at = -1.0  # the time of the frame on screen
        self.shot = -1
        self._origin = (0.0, 0.0)  # (clock, position) when play started
        self._preroll = False  # play asked for, its first frame not decoded yet
        self._pcm = b""
        self.stalls: list[float] = []  # gaps between ticks while playing (benchmarks read it)
        self.dropped = 0  # frames due at 1× that were never on screen (a later one was due)
        self._last_tick = 0.0
        self.screen = Screen()
        self.screen.resized.connect(self._follow_screen)
        self._sharpen = QTimer(self)  # a paused frame, converted again at the new size
        self._sharpen.setSingleShot(True)
        self._sharpen.setInterval(150)
        self._sharpen.timeout.connect(lambda: self.speed == 0 and self.seek(self.position))
        self.strip = Strip()
        self.strip.scrubbed.connect(self.seek)
        self.play_button = self._button("play", "play", "Play (Space)", self.toggle)
        prev_shot = self._button(
            "previous", "shot-previous", "Previous shot (↑)", lambda: self.step_shot(-1)
        )
        back = self._button("back", "frame-back", "Back one frame (←)", lambda: self.step(-1))
        fwd = self._button(
            "forward", "frame-forward", "Forward one frame (→)", lambda: self.step(1)
        )
        next_shot = self._button("next", "shot-next", "Next shot (↓)", lambda: self.step_shot(1))
        self.loop = QCheckBox("Loop")
        self.loop.setObjectName("loopShot")
        self.loop.setToolTip("Loop the shot under the playhead")
        self.loop.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.time_label = QLabel("00:00:00:00")
        self.time_label.setObjectName("timecode")
        # Room for the widest timecode, so the row never jumps as the digits change.
        self.time_label.setMinimumWidth(
            self.time_label.fontMetrics().horizontalAdvance("00:00:00:00") + 8
        )
        self.shot_label = ElidedLabel("")  # gives way to the timecode and the buttons
        self.shot_label.setObjectName("shotName")
        self.note = QLabel("No sound output on this computer: playing silently.")
        self.note.setProperty("muted", True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for w in (prev_shot, back, self.play_button, fwd, next_shot):
            row.addWidget(w)
        row.addSpacing(8)
        row.addWidget(self.time_label)
        row.addWidget(self.shot_label)
        row.addStretch(1)
        row.addWidget(self.loop)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addWidget(self.screen, 1)
        lay.addWidget(self.strip)
        lay.addLayout(row)
        lay.addWidget(self.note)
        self.note.hide()  # said once a cut is loaded and the sound device is tried
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)

    def _button(self, name: str, icon: str, tip: str, slot: Callable[[], None]) -> QToolButton:
        b = QToolButton()
        b.setObjectName(f"{name}Button")
        b.setToolTip(tip)
        b.setIcon(theme.icon(icon))
        b.setIconSize(QSize(16, 16))
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        b.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        b.clicked.connect(slot)
        return b

    # ---------------------------------------------------------------- state
    def set_cut(
        self,
        cut: Cut | None,
        rendered: list[tuple[float, float, str, bool]] | None = None,
        at: float = 0.0,
    ) -> None:
        """Show a cut (None: nothing to play), at `at` seconds."""
        self.pause()
        self._stop_worker()
        self.cut = cut if cut is not None and cut.pieces else None
        if self.cut is None:
            self.screen.show_image(None)
            self.strip.set_pieces(rendered or [], sum(e - s for s, e, _l, _r in rendered or []))
            self.time_label.setText("00:00:00:00")
            return
        self.strip.set_pieces(
            rendered or [(p.start, p.end, p.label, True) for p in self.cut.pieces],
            self.cut.duration,
        )
        self.worker = Worker(self.cut, self.decode_width())
        self.worker.with_sound = self.sound.available
        self.note.setVisible(not self.sound.available)
        self.worker.start()
        self.timer.start()
        self.seek(at)

    def decode_width(self) -> int:
        """The width frames are converted to: the picture's on screen (in device pixels)
        rounded up to `WIDTH_STEP`, at most `max_width`."""
        shown = self.screen.width() * self.screen.devicePixelRatioF()
        step = self.WIDTH_STEP
        width = max(step, -(-round(shown) // step) * step)
        return min(width, self.max_width) if self.max_width else width

    def _follow_screen(self) -> None:
        if self.worker is None:
            return
        width = self.decode_width()
        if width != self.worker.video.width:
            self.worker.show_at_width(width)
            self._sharpen.start()

    def _stop_worker(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker.join(timeout=2.0)
            self.worker = None

    @property
    def sound(self) -> Sound:
        """The sound output, opened on first use (miniaudio and NumPy stay out of start-up)."""
        if self._sound is None:
            self._sound = Sound()
        return self._sound

    def close_player(self) -> None:
        self.timer.stop()
        if self._sound is not None:
            self._sound.close()
        self._stop_worker()

    @property
    def playing(self) -> bool:
        return self.speed != 0

    @property
    def fps(self) -> float:
        return self.cut.fps if self.cut is not None else 24.0

    def current_piece(self) -> int:
        return self.cut.index_at(self.position) if self.cut is not None else -1

    # -------------------------------------------------------------- control
    def _send(self, what: str, t: float) -> None:
        if self.worker is None:
            return
        self.serial += 1
        self.worker.send(what, t, self.serial)

    def seek(self, t: float) -> None:
        """Show the frame at `t` (frame-accurate); playing goes on from there."""
        if self.cut is None:
            return
        t = max(0.0, min(t, self.cut.last_frame_time()))
        self.position = t
        self._update_labels()
        if self.speed > 0:
            self._start(self.speed)
        else:
            self._send("seek", t)

    def step(self, frames: int) -> None:
        self.pause()
        self.seek(round(self.position * self.fps + frames) / self.fps)

    def step_shot(self, delta: int) -> None:
        if self.cut is None:
            return
        i = self.current_piece()
        piece = self.cut.pieces[i]
        if delta < 0 and self.position - piece.start > 0.5:
            target = i  # ↑ in the middle of a shot goes to its start first
        else:
            target = max(0, min(len(self.cut.pieces) - 1, i + delta))
        self.seek(self.cut.pieces[target].start)

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def play(self, speed: float = 1.0) -> None:
        if self.cut is None:
            return
        if speed > 0 and self.position >= self.cut.last_frame_time() - 1e-6:
            self.position = 0.0  # at the end: play from the top
        self._start(speed)

    def _start(self, speed: float) -> None:
        self.speed = speed
        self._preroll = False
        self._origin = (self._clock(), self.position)
        self._last_tick = time.perf_counter()
        self._pcm = b""
        self.sound.stop()
        with_sound = speed == 1.0 and self.sound.available
        if self.worker is not None:
            self.worker.with_sound = with_sound
        if speed > 0:
            # The clock stands until the first frame from here is decoded (a 4K seek takes
            # a while): starting it at once showed the first frames late, then skipped some.
            self._preroll = True
            self._send("play", self.position)
        self.play_button.setIcon(theme.icon("pause"))
        self.play_button.setToolTip("Pause (Space)")

    def pause(self) -> None:
        if self.speed == 0:
            return
        self.speed = 0.0
        self._preroll = False
        self.sound.stop()
        self._send("seek", self.position)
        self.play_button.setIcon(theme.icon("play"))
        self.play_button.setToolTip("Play (Space)")

    def shuttle(self, key: str) -> None:
        """J/K/L: K stops; L plays forward, faster each press; J backwards likewise."""
        if key == "K":
            self.pause()
            return
        sign = 1 if key == "L" else -1
        now = self.speed
        if now == 0 or (now > 0) != (sign > 0):
            speed = 1.0
        else:
            faster = [s for s in self.SPEEDS if s > abs(now)]
            speed = faster[0] if faster else abs(now)
        self.play(sign * speed) if sign > 0 else self._start(-speed)

    def clock(self) -> float:
        """Where the cut is now: the sound's clock at normal speed with an output, else
        the steady clock scaled by the speed."""
        if self._preroll:
            return self.position
        start_clock, start_pos = self._origin
        if self.speed == 1.0 and self.sound.available and self.sound.device is not None:
            return start_pos + self.sound.played()
        return start_pos + (self._clock() - start_clock) * self.speed

    # ---------------------------------------------------------------- ticks
    def _tick(self) -> None:
        if self.worker is not None and self.worker.failed:
            self.pause()
            self.screen.empty = self.worker.failed
            self.screen.show_image(None)
            self.worker.failed = ""
        if self.playing:
            now = time.perf_counter()
            self.stalls.append(now - self._last_tick)
            self._last_tick = now
        if self.speed < 0:
            self._backwards()
            return
        frames = self.worker.frames if self.worker is not None else None
        if self._preroll and self.speed > 0:
            if not self._ready(frames):
                return
            self._preroll = False
            self._origin = (self._clock(), self.position)
            self._last_tick = time.perf_counter()
            if self.speed == 1.0 and self.sound.available:
                self.sound.start()
        self._feed_sound()
        target = self.clock() if self.speed > 0 else None
        latest: Out | None = None
        ended = False
        while frames is not None and frames.queue:
            head = frames.queue[0]
            if head.serial != self.serial:
                frames.get_nowait()  # decoded before a seek
                continue
            if head.t == END:
                if self.cut is not None and (target is None or target >= self.cut.duration):
                    frames.get_nowait()
                    ended = target is not None
                break
            if target is not None and head.t > target + 1e-6:
                break  # not its time yet
            if latest is not None and self.speed == 1.0:
                self.dropped += 1  # its successor is due too: it never shows
            latest = frames.get_nowait()
        if latest is not None:
            self.shown_at = latest.t
            self.screen.show_image(latest.image)
            if target is None:
                self.position = latest.t
        if target is not None and self.cut is not None:
            self.position = min(target, self.cut.last_frame_time())
            self._loop_check()
        if ended:
            self._ended()
        self._update_labels()

    def _ready(self, frames: queue.Queue[Out] | None) -> bool:
        """Whether the first frame since the last play or seek is decoded (older ones are
        dropped on the way)."""
        while frames is not None and frames.queue:
            if frames.queue[0].serial == self.serial:
                return True
            frames.get_nowait()
        return frames is None

    def _feed_sound(self) -> None:
        if self.worker is None or self.speed != 1.0 or not self.sound.available:
            return
        while True:
            if not self._pcm:
                try:
                    serial, self._pcm = self.worker.pcm.get_nowait()
                except queue.Empty:
                    return
                if serial != self.serial:
                    self._pcm = b""
                    continue
            wrote = self.sound.feed(self._pcm)
            if wrote <= 0:
                return
            self._pcm = self._pcm[wrote:]

    def _backwards(self) -> None:
        target = self.clock()
        if target <= 0:
            self.position = 0.0
            self.pause()
            return
        wanted = round(target * self.fps) / self.fps
        if self.worker is not None and self.worker.commands.empty() and self.worker.frames.empty():
            if abs(wanted - self.shown_at) >= 0.5 / self.fps:
                self.position = wanted
                self._send("seek", wanted)
        elif self.worker is not None:
            try:
                out = self.worker.frames.get_nowait()
            except queue.Empty:
                return
            if out.serial == self.serial and out.image is not None:
                self.shown_at = out.t
                self.screen.show_image(out.image)
        self._update_labels()

    def _loop_check(self) -> None:
        if self.cut is None or not self.loop.isChecked():
            return
        piece = self.cut.pieces[self.cut.index_at(self.shown_at if self.shown_at >= 0 else 0)]
        if self.position >= piece.end - 0.5 / piece.fps:
            self.seek(piece.start)

    def _ended(self) -> None:
        if self.cut is None:
            return
        if self.loop.isChecked():
            self.seek(self.cut.pieces[-1].start)
            return
        self.position = self.cut.last_frame_time()
        self.pause()

    def _update_labels(self) -> None:
        if self.cut is None:
            return
        self.time_label.setText(timecode(self.position, self.fps))
        self.strip.set_position(self.position)
        i = self.current_piece()
        if i != self.shot:
            self.shot = i
            self.shot_label.setText(f"Shot {self.cut.pieces[i].label}" if i >= 0 else "")
            self.shotChanged.emit(i)
        self.positionChanged.emit(self.position)

    # ----------------------------------------------------------------- keys
    def keyPressEvent(self, e: QKeyEvent) -> None:
        key = e.key()
        k = Qt.Key
        if key == k.Key_Space:
            self.toggle()
        elif key == k.Key_K:
            self.shuttle("K")
        elif key == k.Key_L:
            self.shuttle("L")
        elif key == k.Key_J:
            self.shuttle("J")
        elif key == k.Key_Left:
            self.step(-1)
        elif key == k.Key_Right:
            self.step(1)
        elif key == k.Key_Up:
            self.step_shot(-1)
        elif key == k.Key_Down:
            self.step_shot(1)
        elif key == k.Key_Home:
            self.pause()
            self.seek(0.0)
        elif key == k.Key_End and self.cut is not None:
            self.pause()
            self.seek(self.cut.last_frame_time())
        else:
            super().keyPressEvent(e)
            return
        e.accept()

    def mousePressEvent(self, e: QMouseEvent) -> None:
        self.setFocus()
        super().mousePressEvent(e)
