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
            "Reinstall Aiuteur; on Linux also run: sudo apt-get install libegl1 libgl1 "
            "libxkbcommon0 libfontconfig1 libdbus-1-3",
        )
    return Check(OK, "Qt (PySide6)", f"PySide6 {PySide6.__version__}, Qt {QtCore.qVersion()}")


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
    from aiuteur_desktop.core import secrets

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
    from aiuteur_desktop.core import paths

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
    checks = [_python(), _qt(), _ffmpeg(), _otio(), _keyring(), *_dirs(), _tts()]
    if not any(c.status == FAIL and c.label in ("App data",) for c in checks):
        checks.extend(_providers())
    return checks


def main() -> int:
    from aiuteur_desktop import __version__

    print(f"Aiuteur {__version__} — system check")
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
