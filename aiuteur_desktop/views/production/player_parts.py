"""The review player's parts: the decoding worker, the picture, the shot strip and the sound
output (`player.Player` puts them together)."""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from aiuteur_desktop.core.media.playback import CHANNELS, RATE, AudioReader, Cut, VideoReader
from aiuteur_desktop.views.kit import theme

END = -1.0  # a frame time meaning "the cut ended here"
BYTES_PER_SECOND = RATE * CHANNELS * 2


def timecode(t: float, fps: float) -> str:
    """HH:MM:SS:FF, as an editor reads it ("00:13:06" read as thirteen minutes)."""
    frames = round(t * fps)
    per = max(1, round(fps))
    s, f = divmod(frames, per)
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}:{f:02d}"


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

    def show_at_width(self, width: int | None) -> None:
        """Convert the frames still to come to `width` pixels across (the picture's size on
        screen; None: the take's own). Read by the worker per frame, so it takes effect at
        the next frame without a seek."""
        self.video.width = width

    @staticmethod
    def _image(bgra: Any) -> QImage:
        """The frame as a QImage over the decoder's own buffer: no copy (PySide keeps the
        buffer alive as long as the image; a copy of a 720p frame cost as much as decoding
        it). Rows padded for alignment are packed first (rare: the widths chosen are not)."""
        if not bgra.flags.c_contiguous:
            bgra = bgra.copy()
        h, w, _ = bgra.shape
        return QImage(bgra.data, w, h, 4 * w, QImage.Format.Format_RGB32)

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

    resized = Signal()

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

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        self.resized.emit()

    def sizeHint(self) -> QSize:
        return QSize(960, 540)

    def paintEvent(self, _e: QPaintEvent) -> None:
        with QPainter(self) as p:  # (ended here, whatever else holds the frame)
            self._paint(p)

    def _paint(self, p: QPainter) -> None:
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
        with QPainter(self) as p:  # (ended here, whatever else holds the frame)
            self._paint(p)

    def _paint(self, p: QPainter) -> None:
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
    """The sound output, in push mode: `feed` queues what the worker decoded, the output
    pulls it on its own thread, and `played` is the clock the picture follows.

    Through miniaudio (one small C library in a wheel for every OS, no system package):
    QtMultimedia's QAudioSink came only with PySide6-Addons — 440 MB of WebEngine, Qt 3D and
    the rest for one class. None of it when the machine has no output (the Null backend).
    """

    BUFFER = BYTES_PER_SECOND // 5

    def __init__(self, backends: list[Any] | None = None) -> None:
        self._backends = backends
        self._lock = threading.Lock()
        self._queued = bytearray()
        self._consumed = 0
        self.output: Any = None
        self.device: Any = None  # not None while playing (the player reads it)
        self.output = self._open()

    def _open(self) -> Any:
        try:
            import miniaudio
        except ImportError:
            return None
        try:
            out = miniaudio.PlaybackDevice(
                output_format=miniaudio.SampleFormat.SIGNED16,
                nchannels=CHANNELS,
                sample_rate=RATE,
                buffersize_msec=20,
                backends=self._backends or _linux_backends(miniaudio),
                app_name="Aiuteur",
            )
        except Exception:  # no audio system, or it refused the format: play silently
            return None
        if out.backend.lower() == "null" and not self._backends:
            out.close()  # miniaudio's stand-in when nothing can play: no output here
            return None
        return out

    @property
    def available(self) -> bool:
        return self.output is not None

    def _pull(self) -> Any:
        """The output's callback: each time, the frames it asks for (silence past what was
        fed — a stall in decoding is a gap, never old sound again)."""
        frames = yield b""
        while True:
            want = frames * CHANNELS * 2
            with self._lock:
                chunk = bytes(self._queued[:want])
                del self._queued[:want]
                self._consumed += len(chunk)
            if len(chunk) < want:
                chunk += bytes(want - len(chunk))
            frames = yield chunk

    def start(self) -> None:
        if self.output is None:
            self.output = self._open()
            if self.output is None:
                return
        with self._lock:
            self._queued.clear()
            self._consumed = 0
        pull = self._pull()
        next(pull)
        self.output.start(pull)
        self.device = pull

    def stop(self) -> None:
        if self.output is not None and self.device is not None:
            self.output.stop()
        self.device = None
        with self._lock:
            self._queued.clear()

    def close(self) -> None:
        """Give the output back to the system (the next `start` opens it again)."""
        self.stop()
        if self.output is not None:
            self.output.close()
            self.output = None

    def played(self) -> float:
        """Seconds of sound the output has taken since `start`."""
        if self.device is None:
            return 0.0
        with self._lock:
            return self._consumed / BYTES_PER_SECOND

    def feed(self, data: bytes) -> int:
        if self.device is None:
            return 0
        with self._lock:
            room = self.BUFFER - len(self._queued)
            if room <= 0:
                return 0
            piece = data[:room]
            self._queued += piece
        return len(piece)


def _linux_backends(miniaudio: Any) -> list[Any] | None:
    """On Linux: the sound server, and ALSA only where the machine has a sound card —
    ALSA asked for a device on a machine with none prints a page of errors to the terminal.
    Elsewhere miniaudio's own order (None)."""
    import sys

    if not sys.platform.startswith("linux"):
        return None
    backends = [miniaudio.Backend.PULSEAUDIO, miniaudio.Backend.JACK]
    try:
        with open("/proc/asound/cards", encoding="utf-8", errors="replace") as cards:
            has_card = "no soundcards" not in cards.read()
    except OSError:
        has_card = False
    if has_card:
        backends.append(miniaudio.Backend.ALSA)
    return backends
