"""What goes into the desktop build on each platform: one plan that `aiuteur.spec` follows on
Linux, macOS and Windows, kept in plain Python so that the Linux build's checks (tests/
test_packaging.py) cover every platform's branch — names, paths, resource lookup, keyring
backends, Qt plugins — though only Linux can be built here.

Loaded by file path (this folder is not a package, and "packaging" is also a PyPI library's
name): `runpy`/`importlib.util.spec_from_file_location`.
"""

from __future__ import annotations

import platform as _platform
import sys
from dataclasses import dataclass, field
from pathlib import Path

APP_NAME = "Aiuteur"
BUNDLE_ID = "app.aiuteur.desktop"
ROOT = Path(__file__).resolve().parent.parent
#: Where the resources folder goes inside the bundle: the frozen package's own `resources/`,
#: the first place `aiuteur_desktop.core.app.resources.root()` looks (a wheel's layout).
RESOURCES_DEST = "aiuteur_desktop/resources"
#: Written by the build beside the resources; `aiuteur --version` and the About box read it.
BUILD_INFO = "build.json"

#: The OS keyring each platform's build must carry. keyring finds its backends through entry
#: points at run time, which a frozen app has only if their modules are bundled and keyring's
#: metadata is copied (the spec does both).
KEYRING_BACKENDS = {
    "linux": (
        "keyring.backends.SecretService",  # GNOME Keyring, KWallet 6 (D-Bus, via jeepney)
        "keyring.backends.libsecret",
        "keyring.backends.kwallet",
        "keyring.backends.chainer",
        "keyring.backends.fail",
    ),
    "darwin": ("keyring.backends.macOS", "keyring.backends.chainer", "keyring.backends.fail"),
    "win32": ("keyring.backends.Windows", "keyring.backends.chainer", "keyring.backends.fail"),
}
#: Modules the keyring backends import lazily (not seen by PyInstaller's import scan).
KEYRING_EXTRAS = {
    "linux": ("secretstorage", "jeepney", "jeepney.io.blocking"),
    "darwin": ("keyring.backends.macOS.api",),
    "win32": ("win32ctypes.core", "win32ctypes.pywin32.win32cred"),
}
#: Qt's platform plugins a person's desktop needs, plus offscreen (headless, the smoke test).
QT_PLATFORMS = {
    "linux": ("xcb", "wayland", "wayland-egl", "offscreen", "minimal"),
    "darwin": ("cocoa", "offscreen", "minimal"),
    "win32": ("windows", "offscreen", "minimal"),
}

#: Imported only by name at run time (importlib / a LazyModule), so the scan cannot see them.
HIDDEN_IMPORTS = (
    "numpy",
    "opentimelineio",
    "opentimelineio.adapters",
    "otio_fcp_adapter",
    "otio_cmx3600_adapter",
    "otio_fcpx_xml_adapter",
)
#: Distributions whose metadata the app (or a library) reads at run time: OTIO finds its
#: adapters through entry points; keyring its backends; the SDKs read their own versions.
METADATA = (
    "aiuteur-desktop",
    "keyring",
    "opentimelineio",
    "otio-fcp-adapter",
    "otio-cmx3600-adapter",
    "otio-fcpx-xml-adapter",
    "openai",
    "google-genai",
    "mcp",
    "lancedb",
    "model2vec",
)
#: Packages that read files of their own beside their modules (OTIO's plugin manifests).
DATA_PACKAGES = ("opentimelineio",)
#: Packages loaded from their source files: OTIO loads an adapter by the path its
#: plugin_manifest.json gives, so the adapters ship as files, not only in the archive
#: (without them the animatic's and Pro Export's XML, EDL and FCPXML fail).
SOURCE_PACKAGES = ("otio_fcp_adapter", "otio_cmx3600_adapter", "otio_fcpx_xml_adapter")
#: Never in the app: test and build tools, Tk, and the Qt modules we do not use (QtQml and
#: QtQuick would add ~60 MB; QtMultimedia is not in PySide6-Essentials at all).
EXCLUDES = (
    "tkinter",
    "_tkinter",
    "pytest",
    "pytestqt",
    "hypothesis",
    "mypy",
    "ruff",
    "importlinter",
    "IPython",
    "matplotlib",
    "torch",
    # pyarrow (LanceDB's tables) without Flight RPC and its S3 client: 55 MB LanceDB never uses
    # (it reads and writes local tables through its own Rust core).
    "pyarrow.flight",
    "pyarrow._flight",
    "pyarrow._s3fs",
    # Hugging Face's Xet downloader: the offline embedder is read from resources/, never fetched.
    "hf_xet",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuickWidgets",
    "PySide6.QtQuickControls2",
    "PySide6.QtNetwork",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
    "PySide6.QtDesigner",
    "PySide6.QtUiTools",
    "PySide6.QtSql",
    "PySide6.QtXml",
    "PySide6.QtConcurrent",
    "PySide6.QtDBus",
    "PySide6.QtHelp",
    "PySide6.QtPrintSupport",
)


@dataclass(frozen=True)
class Plan:
    platform: str  # sys.platform's family: linux, darwin, win32
    machine: str  # x86_64, arm64
    version: str
    exe_name: str
    icon: str | None  # relative to the build folder (made by make_icons.py), None on Linux
    console: bool
    archive: str  # what the build script writes in dist/
    hidden_imports: tuple[str, ...] = field(default=())
    qt_platforms: tuple[str, ...] = field(default=())


def family(name: str = sys.platform) -> str:
    if name.startswith("linux"):
        return "linux"
    if name in ("darwin", "win32"):
        return name
    raise ValueError(f"Aiuteur is built for Linux, macOS and Windows, not {name}")


def machine() -> str:
    arch = _platform.machine().lower()
    return {"amd64": "x86_64", "aarch64": "arm64"}.get(arch, arch)


def version() -> str:
    """The package's version, read from its source (the build must not import the app)."""
    text = (ROOT / "aiuteur_desktop" / "__init__.py").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("\"'")
    raise ValueError("aiuteur_desktop/__init__.py names no __version__")


def plan(platform: str = sys.platform, arch: str | None = None) -> Plan:
    fam = family(platform)
    arch = arch or machine()
    ver = version()
    hidden = (*HIDDEN_IMPORTS, *KEYRING_BACKENDS[fam], *KEYRING_EXTRAS[fam])
    if fam == "darwin":
        # A windowed .app (no terminal); the `aiuteur` command is its Contents/MacOS binary.
        return Plan(fam, arch, ver, "aiuteur", "icons/aiuteur.icns", False,
                    f"{APP_NAME}-{ver}-macos-{arch}.dmg", hidden, QT_PLATFORMS[fam])  # fmt: skip
    if fam == "win32":
        # Windowed: a console would flash behind the window. The headless commands run from
        # `aiuteur-cli.exe` (the same program built as a console one, see the spec).
        return Plan(fam, arch, ver, "Aiuteur", "icons/aiuteur.ico", False,
                    f"{APP_NAME}-{ver}-windows-{arch}-setup.exe", hidden, QT_PLATFORMS[fam])  # fmt: skip
    return Plan(fam, arch, ver, "aiuteur", None, True,
                f"{APP_NAME}-{ver}-linux-{arch}.tar.gz", hidden, QT_PLATFORMS[fam])  # fmt: skip


#: Files libraries ship for building against them, never read at run time.
_SOURCE_SUFFIXES = (".pyx", ".pxd", ".pxi", ".h", ".hpp", ".cc", ".cpp", ".c")


#: Qt's own translations (7 MB): the app is in English and loads no translator.
_QT_TRANSLATIONS = ("PySide6", "Qt", "translations")


def data_excluded(dest: str) -> bool:
    """Whether a data file stays out of the build: C headers, Cython sources, Qt's
    translations."""
    path = Path(dest)
    return (
        path.suffix in _SOURCE_SUFFIXES
        or "include" in path.parts[:2]
        or path.parts[:3] == _QT_TRANSLATIONS
    )


#: pyarrow's hook bundles every library of the wheel; these back only the excluded modules.
_UNUSED_LIBRARIES = (
    "libarrow_flight",
    "libarrow_python_flight",
    "libarrow_s3",
    "arrow_flight",  # Windows names them without "lib"
    "arrow_python_flight",
)
_QT_PLATFORM_PLUGINS = ("PySide6", "Qt", "plugins", "platforms")


def binary_excluded(dest: str, fam: str) -> bool:
    """Whether a library stays out of the build: Qt platform plugins other than this
    platform's, and the libraries of excluded modules."""
    path = Path(dest)
    if path.name.startswith(_UNUSED_LIBRARIES):
        return True
    if path.parts[:4] != _QT_PLATFORM_PLUGINS:
        return False
    name = path.stem.removeprefix("lib").removeprefix("q")
    return name not in QT_PLATFORMS[fam]
