"""Theme, icons and colours, loaded once from resources/ (krita-style image helpers)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QFrame, QScrollArea, QWidget

from aiuteur_desktop.core.app.resources import read_text, root

ACCENT = QColor("#5b8def")
LOCKED = QColor("#3fb950")
UNSTARTED = QColor("#5f636b")
FLAG = QColor("#e3b341")
DANGER = QColor("#f0736a")
PANEL = QColor("#24262b")
RAISED = QColor("#2d3036")
BORDER = QColor("#3a3d44")
TEXT = QColor("#e4e6eb")
MUTED = QColor("#9aa0a8")


def _resource_dir() -> str:
    return str(root())


def icon_file(name: str) -> str:
    return f"{_resource_dir()}/icons/{name}.svg"


def blank_icon(size: int = 16) -> QIcon:
    """An empty icon: keeps items without one in line with those that have one."""
    blank = QPixmap(size, size)
    blank.fill(Qt.GlobalColor.transparent)
    return QIcon(blank)


def icon(name: str) -> QIcon:
    """An icon from resources/icons/<name>.svg, crisp at any device pixel ratio."""
    return QIcon(icon_file(name))


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    # Images in the style sheet (spin-box arrows) come from the icons folder, wherever it is.
    icons = f"{_resource_dir()}/icons".replace("\\", "/")
    app.setStyleSheet(read_text("theme", "dark.qss").replace("@ICONS@", icons))
    app.setWindowIcon(icon("aiuteur"))


def scroll_area(content: QWidget, name: str = "") -> QScrollArea:
    """`content` in a frameless vertical scroll area that shows the page's own background
    (a bare QScrollArea paints its viewport in the light base colour)."""
    scroll = QScrollArea()
    if name:
        scroll.setObjectName(name)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(content)
    scroll.viewport().setAutoFillBackground(False)
    content.setAutoFillBackground(False)
    scroll.setStyleSheet("QScrollArea { background: transparent; }")
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return scroll
