#!/usr/bin/env bash
# Builds the macOS app: dist/Aiuteur.app and, where hdiutil exists (every Mac),
# dist/Aiuteur-<version>-macos-<arch>.dmg with the app and a link to /Applications.
# Not built in this project's CI (Linux only); run it on a Mac with Python 3.11+ from
# python.org or Homebrew:
#
#   packaging/build-macos.sh
#
# The .app is not signed or notarized: macOS says it "cannot be opened because the developer
# cannot be verified" the first time — Control-click → Open (once). A release signs it with
# `codesign --deep --options runtime --sign "Developer ID Application: …" dist/Aiuteur.app`
# and notarizes the .dmg with `xcrun notarytool submit --wait`.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=packaging/build-common.sh
. packaging/build-common.sh

rm -rf "$ROOT/dist/Aiuteur.app" "$ROOT/dist/$ARCHIVE"
# The spec makes the .icns from the SVG (make_icons.py) and wraps the folder in a .app.
freeze "$ROOT/dist"
rm -rf "$ROOT/dist/Aiuteur"  # the bare folder; the .app holds the same files

if command -v hdiutil >/dev/null; then
    STAGE="$WORK/dmg"
    rm -rf "$STAGE" && mkdir -p "$STAGE"
    cp -R "$ROOT/dist/Aiuteur.app" "$STAGE/"
    ln -s /Applications "$STAGE/Applications"
    hdiutil create -volname "Aiuteur $VERSION" -srcfolder "$STAGE" -format UDZO -ov "$ROOT/dist/$ARCHIVE"
    echo "build: dist/$ARCHIVE"
fi
echo "build: dist/Aiuteur.app — $(du -sh "$ROOT/dist/Aiuteur.app" | cut -f1)"
"$ROOT/dist/Aiuteur.app/Contents/MacOS/aiuteur" --version
