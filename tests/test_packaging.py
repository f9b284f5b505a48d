"""The desktop build (issue "Install like a desktop app"): what the Linux build's checks can
cover of every platform's branch without building — the plan per platform (keyring backends,
Qt plugins, names, where resources go), the icons for macOS and Windows, the launcher of the
frozen program, the Linux menu-entry installer, and the version and build date a build names.
The build itself is checked by packaging/smoke_test.py (`BUILD_INSTALLER=1 .ci/run`)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from aiuteur_desktop import __version__
from aiuteur_desktop.core.app import build_info, resources

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"


def _load(name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


bundle_plan = _load("bundle_plan")


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
def test_each_platforms_build_names_a_keyring_that_exists_and_its_window_plugins(
    platform: str,
) -> None:
    plan = bundle_plan.plan(platform, "x86_64")
    assert plan.version == __version__
    # Every keyring backend a platform's build carries is a real module of the keyring
    # package installed here (the macOS and Windows backends ship in every keyring wheel).
    backends = bundle_plan.KEYRING_BACKENDS[platform]
    assert backends and all(b in plan.hidden_imports for b in backends)
    for name in backends:
        assert importlib.util.find_spec(name) is not None, name
    # The window opens with that platform's own Qt plugin, and headless with offscreen.
    own = {"linux": "xcb", "darwin": "cocoa", "win32": "windows"}[platform]
    assert own in plan.qt_platforms and "offscreen" in plan.qt_platforms
    assert plan.archive.startswith(f"Aiuteur-{__version__}-")
    assert {"linux": ".tar.gz", "darwin": ".dmg", "win32": "-setup.exe"}[platform] in plan.archive


def test_platform_plugins_are_kept_per_platform_by_their_file_names() -> None:
    plugins = "PySide6/Qt/plugins/platforms/"
    keep = {
        "linux": ["libqxcb.so", "libqwayland.so", "libqoffscreen.so"],
        "darwin": ["libqcocoa.dylib", "libqoffscreen.dylib"],
        "win32": ["qwindows.dll", "qoffscreen.dll"],
    }
    drop = {
        "linux": ["libqeglfs.so", "libqlinuxfb.so", "libqvnc.so"],
        "darwin": ["libqminimalegl.dylib"],
        "win32": ["qdirect2d.dll"],
    }
    for platform in keep:
        for name in keep[platform]:
            assert not bundle_plan.binary_excluded(plugins + name, platform), name
        for name in drop[platform]:
            assert bundle_plan.binary_excluded(plugins + name, platform), name
    # Other plugins and Qt's libraries stay; pyarrow's Flight and S3 libraries go.
    assert not bundle_plan.binary_excluded("PySide6/Qt/plugins/imageformats/libqsvg.so", "linux")
    assert not bundle_plan.binary_excluded("PySide6/Qt/lib/libQt6Gui.so.6", "linux")
    assert bundle_plan.binary_excluded("pyarrow/libarrow_flight.so.2600", "linux")
    assert bundle_plan.binary_excluded("libarrow_flight.so.2600", "linux")  # its symlink
    assert not bundle_plan.binary_excluded("pyarrow/libarrow.so.2600", "linux")
    # The Linux plugins named are the ones this PySide6 has.
    import PySide6

    here = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms"
    for name in ("xcb", "wayland", "offscreen", "minimal"):
        assert (here / f"libq{name}.so").is_file(), name


def test_resources_go_where_the_frozen_app_looks_for_them() -> None:
    # resources.root() looks first in the package's own resources/ folder: the bundle puts
    # them at <package>/resources, with the build's facts beside them.
    package_dir = Path(resources.__file__).resolve().parents[2]
    assert package_dir.name == Path(bundle_plan.RESOURCES_DEST).parts[0]
    assert Path(bundle_plan.RESOURCES_DEST).parts[1] == "resources"
    assert bundle_plan.BUILD_INFO == build_info.FILE
    assert not bundle_plan.data_excluded("aiuteur_desktop/resources/prompts/stage2.md")
    assert bundle_plan.data_excluded("pyarrow/include/arrow/api.h")
    assert bundle_plan.data_excluded("pyarrow/_flight.pyx")
    assert bundle_plan.data_excluded("PySide6/Qt/translations/qtbase_de.qm")


def test_the_spec_compiles_and_reads_the_plan_it_is_tested_by() -> None:
    text = (PACKAGING / "aiuteur.spec").read_text(encoding="utf-8")
    compile(text, "aiuteur.spec", "exec")
    for used in ("bundle_plan.plan()", "binary_excluded", "data_excluded", "METADATA",
                 "SOURCE_PACKAGES", "RESOURCES_DEST", "BUILD_INFO", "launcher.py"):  # fmt: skip
        assert used in text, used


def test_macos_and_windows_icons_are_drawn_from_the_svg(qapp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    # (qapp first: the drawing would otherwise make a QGuiApplication, and no widget could
    # exist in this process after it.)
    made = _load("make_icons").make(tmp_path)
    with Image.open(made["ico"]) as ico:
        assert {(16, 16), (32, 32), (256, 256)} <= set(ico.info["sizes"])
    with Image.open(made["icns"]) as icns:
        assert icns.size == (1024, 1024)
        icns.load()
        # Drawn, not blank: the clapperboard's colours, transparent corners.
        rgba = icns.convert("RGBA")
        assert rgba.getpixel((2, 2))[3] == 0
        assert len(rgba.resize((64, 64)).getcolors(maxcolors=64 * 64) or []) > 20


def _launcher(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, str(PACKAGING / "launcher.py"), *args],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip


def test_the_frozen_programs_launcher_runs_the_app_and_python_code() -> None:
    assert _launcher("--version").stdout.strip() == f"Aiuteur {__version__} (from source)"
    # `aiuteur -c CODE args` is Python's -c (the doctor's window probe needs it in a build).
    done = _launcher("-c", "import sys; print(sys.argv)", "a", "b c")
    assert done.returncode == 0 and done.stdout.strip() == "['-c', 'a', 'b c']"
    failed = _launcher("-c", "raise SystemExit(3)")
    assert failed.returncode == 3


def test_a_build_names_its_date_and_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    assert build_info.current().describe() == f"{__version__} (from source)"
    said = {"version": __version__, "date": "2026-12-07", "platform": "linux-x86_64"}
    monkeypatch.setattr(build_info.resources, "read_text", lambda *_: json.dumps(said))
    build_info.current.cache_clear()
    try:
        assert build_info.current().describe() == (
            f"{__version__} (built 2026-12-07 for linux-x86_64)"
        )
        monkeypatch.setattr(build_info.resources, "read_text", lambda *_: "{not json")
        build_info.current.cache_clear()
        assert build_info.current().origin() == "from source"
    finally:
        build_info.current.cache_clear()


def test_the_about_box_says_which_build_from_the_help_menu(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QApplication, QLabel

    from aiuteur_desktop.core.library import Library
    from aiuteur_desktop.views.main_window import MainWindow

    window = MainWindow(Library())
    qtbot.addWidget(window)
    window.show()
    about = next(a for a in window.findChildren(QAction) if a.text() == "&About Aiuteur")
    about.trigger()

    def shown() -> QWidget | None:
        return next((w for w in QApplication.topLevelWidgets()
                     if w.windowTitle() == "About Aiuteur" and w.isVisible()), None)  # fmt: skip

    qtbot.waitUntil(lambda: shown() is not None)
    box = shown()
    assert box is not None
    texts = [label.text() for label in box.findChildren(QLabel)]
    assert f"Aiuteur Desktop {__version__}" in texts and "From source" in texts
    assert box.grab().save(str(tmp_path / "about.png"))  # looked at: logo, version, build
    box.close()


def _install_folder(tmp_path: Path, name: str) -> Path:
    """An unpacked build's folder as build-linux.sh lays it out, with a stand-in program."""
    folder = tmp_path / name
    (folder / "share").mkdir(parents=True)
    program = folder / "aiuteur"
    program.write_text("#!/bin/sh\necho Aiuteur stand-in\n", encoding="utf-8")
    program.chmod(0o755)
    (folder / "share" / "aiuteur.desktop").write_bytes(
        (PACKAGING / "linux" / "aiuteur.desktop").read_bytes()
    )
    (folder / "share" / "aiuteur.svg").write_bytes(
        (ROOT / "resources" / "icons" / "aiuteur.svg").read_bytes()
    )
    script = folder / "install.sh"
    script.write_bytes((PACKAGING / "linux" / "install.sh").read_bytes())
    script.chmod(0o755)
    return folder


def test_the_linux_installer_adds_a_menu_entry_for_a_folder_with_awkward_characters(
    tmp_path: Path,
) -> None:
    folder = _install_folder(tmp_path, 'Films & "Rough" $cut 100%')
    home = tmp_path / "home"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home)}
    done = subprocess.run([str(folder / "install.sh")], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    entry = (home / ".local/share/applications/aiuteur.desktop").read_text(encoding="utf-8")
    exec_line = next(line for line in entry.splitlines() if line.startswith("Exec="))
    # The desktop entry spec: quoted, \ " ` $ escaped inside quotes and the backslash doubled
    # again by the file format; % doubled.
    quoted = str(folder / "aiuteur").replace('"', '\\\\"').replace("$", "\\\\$")
    assert exec_line == f'Exec="{quoted.replace("%", "%%")}" %f'
    assert "Icon=aiuteur" in entry and entry.count("Exec=") == 1
    assert (home / ".local/share/icons/hicolor/scalable/apps/aiuteur.svg").is_file()
    link = home / ".local/bin/aiuteur"
    ran = subprocess.run([str(link)], capture_output=True, text=True)
    assert ran.stdout.strip() == "Aiuteur stand-in"
    # Uninstall removes what it added, and leaves an `aiuteur` it did not put there.
    subprocess.run([str(folder / "install.sh"), "--uninstall"], env=env, check=True,
                   capture_output=True)  # fmt: skip
    assert not link.exists() and not (home / ".local/share/applications/aiuteur.desktop").exists()
    link.symlink_to("/usr/bin/true")
    subprocess.run([str(folder / "install.sh"), "--uninstall"], env=env, check=True,
                   capture_output=True)  # fmt: skip
    assert link.is_symlink()
    wrong = subprocess.run([str(folder / "install.sh"), "--bogus"], env=env, capture_output=True,
                           text=True)  # fmt: skip
    assert wrong.returncode == 2 and "usage" in wrong.stderr
