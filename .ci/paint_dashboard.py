"""CI: the installed app starts as `aiuteur` does and paints its dashboard offscreen.

Run by .ci/user_path with the wheel-installed Python, from a folder outside the checkout.
Exits 0 with the PNG written, or non-zero if the app could not start or paint.
"""

import os
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from aiuteur_desktop.views import app as app_module

out = sys.argv[1]
qapp = app_module.ensure_app()


def paint() -> None:
    windows = [w for w in QApplication.topLevelWidgets() if type(w).__name__ == "MainWindow"]
    if not windows or not windows[0].isVisible():
        print("CI: the main window did not appear", file=sys.stderr)
        os._exit(1)
    image = windows[0].grab().toImage()
    if image.isNull() or image.width() < 640 or not image.save(out):
        print("CI: the dashboard could not be painted", file=sys.stderr)
        os._exit(1)
    print(f"CI: dashboard painted {image.width()}x{image.height()} → {out}")
    QApplication.quit()


QTimer.singleShot(3000, paint)
# A start-up error shows a modal dialog; nobody is there to close it offscreen.
QTimer.singleShot(60_000, lambda: os._exit(3))
sys.exit(app_module.run_app(None))
