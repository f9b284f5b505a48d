"""Application bootstrap: QApplication, theme, logging, main window."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from aiuteur_desktop import __version__
from aiuteur_desktop.core.app.logs import setup_logging
from aiuteur_desktop.views.kit.theme import apply_theme
from aiuteur_desktop.views.kit.ui_gc import collect_on_ui_thread

log = logging.getLogger(__name__)


#: The GIL's switch interval in the app (see `ensure_app`).
SWITCH_INTERVAL_S = 0.0002


def ensure_app(argv: list[str] | None = None) -> QApplication:
    """The one QApplication, configured for HiDPI and themed."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    else:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication(argv if argv is not None else sys.argv[:1])
    # A worker thread running Python holds the GIL for up to the switch interval each time
    # the UI thread asks for it — once for every Python call Qt makes while it lays out and
    # paints (a feature's page opening: tens of them). 0.2 ms instead of Python's 5 ms:
    # `feature_bench.py`'s opening went from 43–158 ms (1 ms) to 41–52 ms.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    app.setApplicationName("Aiuteur")
    app.setApplicationDisplayName("Aiuteur")
    app.setOrganizationName("Aiuteur")
    app.setApplicationVersion(__version__)
    apply_theme(app)
    collect_on_ui_thread()
    return app


def run_app(project: str | None = None) -> int:
    log_path = setup_logging()
    log.info("Aiuteur %s starting; log at %s", __version__, log_path)
    try:
        return _run(project)
    except Exception as exc:
        # Whatever stops the app starting is in the log with its traceback and said in a
        # dialog — a person who opened it from a launcher never sees stderr.
        log.exception("Aiuteur could not start")
        _startup_failed(f"{type(exc).__name__}: {exc}", log_path)
        return 1


def _startup_failed(what: str, log_path: Path) -> None:
    import sys

    print(f"aiuteur: Aiuteur could not start: {what} (details in {log_path})", file=sys.stderr)
    try:
        from PySide6.QtWidgets import QMessageBox

        if QApplication.instance() is None:
            QApplication(sys.argv[:1])
        QMessageBox.critical(
            None,
            "Aiuteur cannot start",
            f"Aiuteur could not start:\n\n{what}\n\nThe details are in the log:\n{log_path}"
            "\n\nRun `aiuteur doctor` to check this machine.",
        )
    except Exception:  # no dialog possible: the line above and the log say it
        log.exception("the start-up error could not be shown in a dialog")


def _run(project: str | None) -> int:
    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.library import Library
    from aiuteur_desktop.views.main_window import MainWindow

    app = ensure_app()
    try:
        library = Library()
    except AiuteurError as exc:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(None, "Aiuteur cannot start", exc.user_message)
        return 1
    window = MainWindow(library)
    window.show()
    if project:
        window.open_project(Path(project))
    code = app.exec()
    library.close()
    return code
