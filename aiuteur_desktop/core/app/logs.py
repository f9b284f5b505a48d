"""Rotating log files with secrets redacted from every record."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from aiuteur_desktop.core.app import paths
from aiuteur_desktop.core.app.redaction import redact

LOG_FILE = "aiuteur.log"
_HANDLER_NAME = "aiuteur-file"


#: A record longer than this is cut before it is redacted and written (a library's debug
#: dump of a whole response says nothing a person reads, and must not stall the worker
#: that logs it). A key cut at the edge is still masked: its remaining piece is known.
MAX_RECORD = 16_000


class RedactingFormatter(logging.Formatter):
    """Formats normally, then masks anything that looks like a key."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if len(text) > MAX_RECORD:
            text = f"{text[:MAX_RECORD]}… ({len(text) - MAX_RECORD:,} more characters)"
        return redact(text)


def setup_logging(level: int = logging.INFO) -> Path:
    """Attach the rotating file handler once; returns the log file path."""
    directory = paths.ensure_dir(paths.log_dir())
    log_path = directory / LOG_FILE
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            if Path(getattr(handler, "baseFilename", "")) == log_path:
                return log_path
            root.removeHandler(handler)
            handler.close()
    handler = logging.handlers.RotatingFileHandler(
        log_path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(min(root.level or level, level))
    return log_path
