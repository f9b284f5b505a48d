"""A long command's progress on stderr: one line rewritten on a terminal ("Shot 12B · 37 of
1,537 · 2:10 so far · about 4:12 left"), a plain line now and then when stderr is a pipe or a
file, nothing at all for `--json` (its reader wants the answer, not the way there)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from aiuteur_desktop.core.app.progress import Step, describe

#: A piped log gets a line at most this often (and at every tenth of the way).
PLAIN_EVERY = 30.0


class Meter:
    def __init__(self, *, quiet: bool = False, stream: TextIO | None = None) -> None:
        self._out = stream or sys.stderr
        self._quiet = quiet
        self._tty = bool(getattr(self._out, "isatty", lambda: False)())
        self._began = time.monotonic()
        self._fraction = 0.0
        self._step: Step | None = None
        self._last = 0.0
        self._tenth = -1
        self._width = 0
        self._said = ""

    def progress(self, fraction: float) -> None:
        self._fraction = max(self._fraction, min(1.0, fraction))
        self._show()

    def step(self, step: Step) -> None:
        self._step = step
        self._show()

    def _show(self, force: bool = False) -> None:
        if self._quiet:
            return
        now = time.monotonic()
        if self._tty:
            if not force and now - self._last < 0.1:
                return
            line = describe(self._step, self._fraction, now - self._began)
            pad = " " * max(0, self._width - len(line))
            self._out.write(f"\r{line}{pad}")
            self._width = len(line)
        else:
            tenth = int(self._fraction * 10)
            if not force and tenth == self._tenth and now - self._last < PLAIN_EVERY:
                return
            self._tenth = tenth
            line = describe(self._step, self._fraction, now - self._began)
            if line == self._said:  # a log reads each state once
                return
            self._said = line
            self._out.write(line + "\n")
        self._last = now
        self._out.flush()

    def done(self) -> None:
        """Ends the rewritten line, so what the command prints next starts on its own."""
        if self._quiet or not self._tty or not self._width:
            return
        self._out.write("\r" + " " * self._width + "\r")
        self._out.flush()
        self._width = 0
