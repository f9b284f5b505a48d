"""The review player's parts: the decoding worker, the picture, the shot strip and the sound
output (`player.Player` puts them together)."""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from aiuteur_desktop.core.playback import CHANNELS, RATE, AudioReader, Cut, VideoReader
from aiuteur_desktop.views import theme

END = -1.0  # a frame time meaning "the cut ended here"
BYTES_PER_SECOND = RATE * CHANNELS * 2


def timecode(t: float, fps: float) -> str:
    """MM:SS:FF."""
    frames = round(t * fps)
    per = max(1, round(fps))
    s, f = divmod(frames, per)
    return f"{s // 60:02d}:{s % 60:02d}:{f:02d}"


@dataclass
class Out:
    serial: int
    t: float
    image: QImage | None


class Worker(threading.Thread):
    """Decodes frames ahead of the clock (and the sound with them) into bounded queues."""

    AHEAD = 8

    def __init__(self, cut: Cut, width: int | None) -> None:
        super().__init__(daemon=True, name="review-player")
        self.video = VideoReader(cut, width=width)
        self.audio = AudioReader(cut)
        self.commands: queue.Queue[tuple[str, float, int]] = queue.Queue()
        self.frames: queue.Queue[Out] = queue.Queue(maxsize=self.AHEAD)
        self.pcm: queue.Queue[tuple[int, bytes]] = queue.Queue(maxsize=32)
        self.with_sound = False
        self._quit = threading.Event()
        self.failed: str = ""

    def send(self, what: str, t: float = 0.0, serial: int = 0) -> None:
        self.commands.put((what, t, serial))

    def stop(self) -> None:
        self._quit.set()
        self.commands.put(("quit", 0.0, 0))

    @staticmethod
    def _image(rgb: Any) -> QImage:
        h, w, _ = rgb.shape
        return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()

    def _drain(self, q: queue.Queue[Any]) -> None:
        while True:
            try:
                q.get_nowait()
            except queue.Empty:
                return

    def run(self) -> None:
        streaming, serial = False, 0
        try:
            while not self._quit.is_set():
                try:
                    what, t, s = self.commands.get(timeout=0.002 if streaming else 0.2)
                except queue.Empty:
                    what = ""
                if what == "quit":
                    break
                if what in ("seek", "play"):
                    serial = s
                    self._drain(self.frames)
                    self._drain(self.pcm)
                    got = self.video.seek(t)
                    if got is not None:
                        self._put(Out(serial, got[0], self._image(got[1])))
                    if what == "play" and self.with_sound:
                        self.audio.seek(t)
                    streaming = what == "play"
                elif what == "pause":
                    streaming = False
                if streaming:
                    streaming = self._ahead(serial)
        except Exception as exc:  # a damaged take: the page says so, the app goes on
            self.failed = f"This take cannot be played ({exc})."
        finally:
            self.video.close()
            self.audio.close()

    def _put(self, out: Out) -> bool:
        while not self._quit.is_set():
            try:
                self.frames.put(out, timeout=0.02)
                return True
            except queue.Full:
                if not self.commands.empty():
                    return False
        return False

    def _ahead(self, serial: int) -> bool:
        """Decode one more frame (and its sound); False at the end of the cut."""
        if self.with_sound and not self.pcm.full():
            data = self.audio.read(RATE // 25)
            if data:
                self.pcm.put((serial, data))
        if self.frames.full():
            time.sleep(0.002)
            return True
        got = self.video.next()
        if got is None:
            self._put(Out(serial, END, None))
            return False
        return self._put(Out(serial, got[0], self._image(got[1]))) or True


class Screen(QWidget):
    """The picture, letterboxed."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("playerScreen")
        self.image: QImage | None = None
        self.empty = "No takes yet"
        self.setMinimumSize(320, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def show_image(self, image: QImage | None) -> None:
        self.image = image
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(960, 540)

    def paintEvent(self, _e: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#0b0c0e"))
        if self.image is None:
            p.setPen(theme.MUTED)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty)
            return
        size = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        x, y = (self.width() - size.width()) // 2, (self.height() - size.height()) // 2
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.drawImage(QRectF(x, y, size.width(), size.height()), self.image)


class Strip(QWidget):
    """The shots as blocks with their names, the issues as ticks, the playhead; click or
    drag to scrub."""

    scrubbed = Signal(float)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("shotStrip")
        self.setMinimumHeight(38)
        self.setMaximumHeight(38)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.pieces: list[tuple[float, float, str, bool]] = []  # start, end, label, rendered
        self.marks: list[float] = []
        self.duration = 0.0
        self.position = 0.0

    def set_pieces(self, pieces: list[tuple[float, float, str, bool]], duration: float) -> None:
        self.pieces, self.duration = pieces, duration
        self.update()

    def set_position(self, t: float) -> None:
        self.position = t
        self.update()

    def _x(self, t: float) -> float:
        return 0 if self.duration <= 0 else t / self.duration * (self.width() - 1)

    def time_at(self, x: float) -> float:
        if self.width() <= 1:
            return 0.0
        return max(0.0, min(self.duration, x / (self.width() - 1) * self.duration))

    def paintEvent(self, _e: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#1b1d21"))
        h = self.height()
        for i, (start, end, label, rendered) in enumerate(self.pieces):
            r = QRectF(self._x(start) + 1, 4, max(2.0, self._x(end) - self._x(start) - 2), h - 8)
            colour = (
                QColor("#2f5d8a" if i % 2 == 0 else "#3a6f9f") if rendered else QColor("#3a3d44")
            )
            p.fillRect(r, colour)
            p.setPen(theme.TEXT)
            p.drawText(r.adjusted(4, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter, label)
        p.setPen(QPen(QColor("#e0b050"), 2))
        for t in self.marks:
            p.drawLine(QPointF(self._x(t), 0), QPointF(self._x(t), 6))
        p.setPen(QPen(QColor("#ff5a4f"), 2))
        x = self._x(self.position)
        p.drawLine(QPointF(x, 0), QPointF(x, h))

    def mousePressEvent(self, e: QMouseEvent) -> None:
        if e.button() == Qt.MouseButton.LeftButton:
            self.scrubbed.emit(self.time_at(e.position().x()))

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        if e.buttons() & Qt.MouseButton.LeftButton:
            self.scrubbed.emit(self.time_at(e.position().x()))


class Sound:
    """QAudioSink in push mode, or None when there is no output (or no QtMultimedia)."""

    def __init__(self) -> None:
        self.sink: Any = None
        self.device: Any = None
        try:
            from PySide6.QtMultimedia import QAudioFormat, QAudioSink, QMediaDevices
        except ImportError:
            return
        out = QMediaDevices.defaultAudioOutput()
        if out.isNull():
            return
        fmt = QAudioFormat()
        fmt.setSampleRate(RATE)
        fmt.setChannelCount(CHANNELS)
        fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        if not out.isFormatSupported(fmt):
            return
        self.sink = QAudioSink(out, fmt)
        self.sink.setBufferSize(BYTES_PER_SECOND // 5)

    @property
    def available(self) -> bool:
        return self.sink is not None

    def start(self) -> None:
        if self.sink is not None:
            self.device = self.sink.start()

    def stop(self) -> None:
        if self.sink is not None:
            self.sink.stop()
            self.device = None

    def played(self) -> float:
        """Seconds of sound the output has played since `start`."""
        if self.sink is None or self.device is None:
            return 0.0
        queued = self.sink.bufferSize() - self.sink.bytesFree()
        return max(0.0, self.sink.processedUSecs() / 1e6 - queued / BYTES_PER_SECOND)

    def feed(self, data: bytes) -> int:
        if self.device is None or self.sink is None:
            return 0
        room = self.sink.bytesFree()
        if room <= 0:
            return 0
        return int(self.device.write(data[:room]))
