"""`aiuteur doctor`: checks this machine can run Aiuteur and says how to fix what is missing."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass

OK, OFF, WARN, FAIL = "ok", "off", "warn", "FAIL"


@dataclass(frozen=True)
class Check:
    status: str
    label: str
    detail: str
    fix: str = ""


def _python() -> Check:
    v = sys.version_info
    text = f"{v.major}.{v.minor}.{v.micro}"
    if v < (3, 11):
        return Check(FAIL, "Python", text, "Install Python 3.11 or newer.")
    if getattr(sys, "frozen", False):  # an installer's build carries its own Python
        return Check(OK, "Python", f"{text} (inside the app: {sys.executable})")
    return Check(OK, "Python", f"{text} ({sys.executable})")


def _qt() -> Check:
    try:
        import PySide6
        from PySide6 import QtCore, QtGui, QtWidgets  # noqa: F401
    except ImportError as exc:
        return Check(
            FAIL,
            "Qt (PySide6)",
            str(exc),
            "Reinstall Aiuteur; on Linux also run the README's apt-get line.",
        )
    return Check(OK, "Qt (PySide6)", f"PySide6 {PySide6.__version__}, Qt {QtCore.qVersion()}")


#: What Qt's xcb platform plugin (libqxcb.so and libQt6XcbQpa) loads on Linux, by the Debian /
#: Ubuntu package that holds each library. The README's apt line and Troubleshooting name the
#: same packages.
XCB_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb.so.1": "libxcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libfreetype.so.6": "libfreetype6",
}


def missing_libraries(ldd_output: str) -> list[str]:
    """The libraries `ldd` says are not found, each once, in its order."""
    out: list[str] = []
    for line in ldd_output.splitlines():
        name, _, where = line.strip().partition("=>")
        if "not found" in where and name.strip() not in out:
            out.append(name.strip())
    return out


def packages_for(libraries: list[str]) -> list[str]:
    """The Debian/Ubuntu packages for missing libraries (a library we do not know is named
    as itself)."""
    out: list[str] = []
    for lib in libraries:
        pkg = XCB_PACKAGES.get(lib, lib)
        if pkg not in out:
            out.append(pkg)
    return out


def _xcb_missing() -> list[str] | None:
    """Libraries Qt's xcb plugin needs that this Linux machine lacks (None: cannot tell)."""
    import subprocess
    from pathlib import Path

    try:
        import PySide6
    except ImportError:
        return None
    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    ldd = shutil.which("ldd")
    if not plugin.is_file() or not ldd:
        return None
    try:
        done = subprocess.run(
            [ldd, str(plugin)], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return missing_libraries(done.stdout)


def _platform_probe(platform: str) -> tuple[bool, str]:
    """Starts Qt with `platform` in a child process — a missing library aborts the process
    (a core dump), which the doctor must survive to report it."""
    import os
    import subprocess

    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication(sys.argv[:1])\n"
        "print(app.platformName())\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": platform}
    try:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"Qt did not start with the {platform or 'default'} platform: {exc}"
    if done.returncode == 0:
        return True, done.stdout.strip() or platform
    lines = [ln.strip() for ln in done.stderr.splitlines() if ln.strip()]
    said = next((ln for ln in lines if "platform plugin" in ln), lines[-1] if lines else "")
    return False, f"Qt could not open a window with the {platform or 'default'} platform: {said}"


def _window() -> Check:
    """Whether Qt can open a window here, loaded for real, with the missing packages named."""
    import os

    label = "Window (Qt platform)"
    chosen = os.environ.get("QT_QPA_PLATFORM", "")
    linux = sys.platform.startswith("linux")
    desktop = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    missing = _xcb_missing() if linux else None
    apt = f"sudo apt-get install {' '.join(packages_for(missing))}" if missing else ""
    platform = chosen or ("" if linux and not desktop else "default")
    if not platform:  # a Linux machine with no desktop session: only the libraries can be read
        if missing:
            return Check(
                WARN,
                label,
                "no desktop here (headless commands work); Qt's xcb plugin lacks "
                + ", ".join(missing),
                f"Before opening the window on a desktop: {apt}",
            )
        return Check(OK, label, "no desktop here (headless commands work); xcb libraries present")
    ok, said = _platform_probe(platform if platform != "default" else "")
    if ok:
        return Check(OK, label, f"Qt starts with the {said} platform")
    if missing and platform.split(":")[0] in ("xcb", "default"):
        return Check(
            FAIL,
            label,
            f"Qt cannot open a window: its xcb plugin lacks {', '.join(missing)} (Qt's own "
            "message may blame libxcb-cursor0 even when that one is installed)",
            apt,
        )
    return Check(
        FAIL,
        label,
        said,
        "Run `QT_DEBUG_PLUGINS=1 aiuteur` to see what Qt lacks; README → Troubleshooting.",
    )


def _ffmpeg() -> Check:
    try:
        import av
    except ImportError as exc:
        return Check(FAIL, "FFmpeg (PyAV)", str(exc), "Reinstall Aiuteur (pip install av).")
    libs = getattr(av, "library_versions", {})
    ver = ".".join(str(x) for x in libs.get("libavcodec", ())) or "?"
    missing = [c for c in ("libx264", "aac") if c not in av.codecs_available]
    if missing:
        return Check(
            FAIL,
            "FFmpeg (PyAV)",
            f"PyAV {av.__version__}, libavcodec {ver}; missing encoders: {', '.join(missing)}",
            "Install the official PyAV wheel (pip install --force-reinstall av).",
        )
    return Check(OK, "FFmpeg (PyAV)", f"PyAV {av.__version__}, libavcodec {ver}, H.264 + AAC")


def _otio() -> Check:
    try:
        import opentimelineio as otio
    except ImportError as exc:
        return Check(FAIL, "OpenTimelineIO", str(exc), "Reinstall Aiuteur.")
    return Check(OK, "OpenTimelineIO", otio.__version__)


def _keyring() -> Check:
    from aiuteur_desktop.core.app import secrets

    name = secrets.backend_name()
    if not secrets.backend_available():
        return Check(
            WARN,
            "Keyring",
            f"{name}: no OS keyring, so API keys cannot be saved (offline work is unaffected)",
            "Linux: install and unlock GNOME Keyring or KWallet.",
        )
    return Check(OK, "Keyring", f"{name} ({secrets.backend_path()})")


def _dirs() -> list[Check]:
    from aiuteur_desktop.core.app import paths

    out = []
    for label, path in (("App data", paths.app_home()), ("Logs", paths.log_dir())):
        try:
            paths.ensure_dir(path)
            probe = path / ".doctor-probe"
            probe.write_text("ok", encoding="utf-8")
            probe.unlink()
            out.append(Check(OK, label, str(path)))
        except OSError as exc:
            out.append(
                Check(
                    FAIL,
                    label,
                    f"{path} is not writable ({exc.strerror or exc})",
                    "Fix the folder's permissions or point AIUTEUR_HOME at a writable folder.",
                )
            )
    return out


def _tts() -> Check:
    if sys.platform.startswith("linux"):
        exe = shutil.which("espeak-ng") or shutil.which("espeak")
        if not exe:
            return Check(
                WARN,
                "Scratch voices",
                "espeak-ng not found: animatics will have silent dialogue",
                "sudo apt-get install espeak-ng",
            )
        return Check(OK, "Scratch voices", exe)
    return Check(OK, "Scratch voices", "system speech engine")


def _providers() -> list[Check]:
    from aiuteur_desktop.core.library import Library
    from aiuteur_desktop.providers import connections

    try:
        library = Library()
        settings = library.load_settings()
        library.close()
    except Exception as exc:  # reported, not raised: doctor must finish
        return [Check(WARN, "Providers", f"could not read settings: {exc}")]
    out = []
    for info in connections.describe(settings):
        status = OK if info.configured else OFF
        out.append(Check(status, f"Provider: {info.label}", f"{info.detail} → {info.lights_up}"))
    if not any(i.configured for i in connections.describe(settings)):
        out.append(
            Check(
                WARN,
                "AI text",
                "no text model connected: offline previz works, story generation is off",
                "Add a key or a local server in Settings → Providers.",
            )
        )
    return out


def run_checks() -> list[Check]:
    checks = [_python(), _qt(), _window(), _ffmpeg(), _otio(), _keyring(), *_dirs(), _tts()]
    if not any(c.status == FAIL and c.label in ("App data",) for c in checks):
        checks.extend(_providers())
    return checks


def main() -> int:
    from aiuteur_desktop.core.app import build_info

    print(f"Aiuteur {build_info.current().describe()} — system check")
    checks = run_checks()
    width = max(len(c.label) for c in checks)
    for c in checks:
        print(f"  [{c.status:>4}] {c.label:<{width}}  {c.detail}")
        if c.fix and c.status != OK:
            print(f"         {'':<{width}}  fix: {c.fix}")
    failed = [c for c in checks if c.status == FAIL]
    if failed:
        names = ", ".join(c.label for c in failed)
        print(f"\nAiuteur cannot run on this machine yet: {names}. See the fixes above.")
        return 1
    warnings = sum(1 for c in checks if c.status == WARN)
    tail = f" ({warnings} warning{'s' if warnings != 1 else ''})" if warnings else ""
    print(f"\nEverything Aiuteur needs is here{tail}.")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
