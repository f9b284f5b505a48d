"""The app icon in each platform's format, drawn from resources/icons/aiuteur.svg: `.icns` for
the macOS .app and `.ico` for Windows (Linux installs the SVG itself). Called by aiuteur.spec
in the build's virtual environment (PySide6 draws the SVG, Pillow writes the containers).

    python packaging/make_icons.py OUT_DIR
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SVG = Path(__file__).resolve().parent.parent / "resources" / "icons" / "aiuteur.svg"
#: Windows shows 16–256 px; macOS's .icns holds 16–1024 (Pillow writes each from the master).
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
MASTER = 1024


def render_png(size: int, out: Path) -> Path:
    """The SVG drawn at `size` px square, transparent around it, as a PNG."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise ValueError(f"{SVG} is not an SVG Qt can draw")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(out)):
        raise OSError(f"could not write {out}")
    return out


def make(out_dir: Path) -> dict[str, Path]:
    """aiuteur.png (1024 px), aiuteur.icns and aiuteur.ico in `out_dir`."""
    from PIL import Image

    png = render_png(MASTER, out_dir / "aiuteur.png")
    with Image.open(png) as master:
        master.load()
        icns = out_dir / "aiuteur.icns"
        master.save(icns, format="ICNS")
        ico = out_dir / "aiuteur.ico"
        master.save(ico, format="ICO", sizes=[(s, s) for s in ICO_SIZES])
    return {"png": png, "icns": icns, "ico": ico}


if __name__ == "__main__":
    for kind, path in make(Path(sys.argv[1])).items():
        print(f"{kind}: {path}")
