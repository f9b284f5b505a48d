# Sourced by build-linux.sh and build-macos.sh (from the checkout's root): the plan's facts,
# a fresh build venv with the app and PyInstaller, and the freeze itself.
ROOT="$(pwd)"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/build/installer-venv"
WORK="$ROOT/build/pyinstaller"

plan() { "$PYTHON" -c "import runpy; print(runpy.run_path('packaging/bundle_plan.py')['plan']().$1)"; }
VERSION=$(plan version)
ARCHIVE=$(plan archive)

# The app as a user's pip would install it (a wheel of this checkout, not editable), and
# PyInstaller pinned to the series the spec was written for; then the spec frozen into
# the folder $1 (dist path).
freeze() {
    rm -rf "$VENV" "$WORK"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet "$ROOT" "pyinstaller>=6.22,<6.23" "pyinstaller-hooks-contrib>=2026.10"
    "$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
        --distpath "$1" --workpath "$WORK" packaging/aiuteur.spec
}
