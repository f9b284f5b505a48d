#!/usr/bin/env bash
# Builds the Linux desktop app: dist/Aiuteur-<version>-linux-<arch>.tar.gz, one folder that
# runs with no Python installed (PyInstaller, packaging/aiuteur.spec).
#
#   packaging/build-linux.sh            build (a fresh build venv in build/installer-venv)
#   python3 packaging/smoke_test.py dist/Aiuteur-*-linux-*.tar.gz   check what was built
#
# Needs python3 (3.11+) with venv, and the registry for pip. The app's own system libraries
# (Qt's xcb ones, espeak-ng) are the user's desktop's, as for a source install; `aiuteur
# doctor` names any that are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
START=$(date +%s)
# shellcheck source=packaging/build-common.sh
. packaging/build-common.sh
NAME="Aiuteur-$VERSION"

echo "build: Aiuteur $VERSION with $("$PYTHON" --version)"
rm -rf "$ROOT/dist/$NAME" "$ROOT/dist/$ARCHIVE"
freeze "$WORK/dist"

APP="$WORK/dist/Aiuteur"
# Debug sections some wheels (and this machine's Python) carry: 40–60 MB nobody reads.
# Only files that have them, and only those sections: the dynamic symbols stay.
find "$APP/_internal" -type f \( -name '*.so' -o -name '*.so.*' \) -print0 |
    while IFS= read -r -d '' lib; do
        if readelf -S "$lib" 2>/dev/null | grep -q '\.debug_info'; then
            strip --strip-debug "$lib"
        fi
    done

# The folder people unpack: the program, its libraries, the menu entry and its installer.
mkdir -p "$ROOT/dist"
mv "$APP" "$ROOT/dist/$NAME"
mkdir -p "$ROOT/dist/$NAME/share"
cp packaging/linux/aiuteur.desktop resources/icons/aiuteur.svg "$ROOT/dist/$NAME/share/"
cp packaging/linux/install.sh "$ROOT/dist/$NAME/"
cp packaging/linux/README.txt "$ROOT/dist/$NAME/"
chmod +x "$ROOT/dist/$NAME/install.sh" "$ROOT/dist/$NAME/aiuteur"
tar -C "$ROOT/dist" -czf "$ROOT/dist/$ARCHIVE" "$NAME"

SIZE_MB=$(du -sm "$ROOT/dist/$NAME" | cut -f1)
ARCHIVE_MB=$(du -sm "$ROOT/dist/$ARCHIVE" | cut -f1)
echo "build: dist/$ARCHIVE — ${ARCHIVE_MB} MB packed, ${SIZE_MB} MB unpacked, $(( $(date +%s) - START )) s"
