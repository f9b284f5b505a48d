#!/bin/sh
# Adds Aiuteur to your desktop's applications menu and `aiuteur` to ~/.local/bin, for you only
# (nothing outside your home folder, no root). Aiuteur runs from this folder: move the folder
# where you want it first, then run this again.
#
#   ./install.sh              add the menu entry, the icon and the `aiuteur` command
#   ./install.sh --uninstall  remove them (your projects and settings are not touched)
set -eu

HERE=$(cd "$(dirname "$0")" && pwd -P)
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
BIN=$HOME/.local/bin
DESKTOP=$DATA/applications/aiuteur.desktop
ICON=$DATA/icons/hicolor/scalable/apps/aiuteur.svg
LINK=$BIN/aiuteur

refresh() {  # the menus read their caches; a desktop without these tools rescans by itself
    command -v update-desktop-database >/dev/null 2>&1 &&
        update-desktop-database -q "$DATA/applications" 2>/dev/null || true
    command -v gtk-update-icon-cache >/dev/null 2>&1 &&
        gtk-update-icon-cache -q -t "$DATA/icons/hicolor" 2>/dev/null || true
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$DESKTOP" "$ICON"
    # Only our own link: an `aiuteur` someone else put there stays.
    if [ -L "$LINK" ] && [ "$(readlink "$LINK")" = "$HERE/aiuteur" ]; then rm -f "$LINK"; fi
    refresh
    echo "Aiuteur's menu entry, icon and command are removed. This folder can be deleted."
    exit 0
fi
if [ -n "${1:-}" ]; then
    echo "usage: $0 [--uninstall]" >&2
    exit 2
fi
if [ ! -x "$HERE/aiuteur" ]; then
    echo "install.sh: run it from the unpacked Aiuteur folder ($HERE has no aiuteur program)" >&2
    exit 1
fi

# The Exec key quotes the path (a folder may have spaces). Inside quotes the desktop entry
# format wants \ " ` $ escaped by a backslash, and the file format doubles each backslash;
# a literal % is %%.
quoted=$(printf '%s' "$HERE/aiuteur" | sed -e 's/\\/\\\\\\\\/g' -e 's/["`$]/\\\\&/g' -e 's/%/%%/g')
mkdir -p "$(dirname "$DESKTOP")" "$(dirname "$ICON")" "$BIN"
{
    grep -v -e '^Exec=' -e '^TryExec=' "$HERE/share/aiuteur.desktop"
    printf 'Exec="%s" %%f\n' "$quoted"
} > "$DESKTOP.tmp"
mv "$DESKTOP.tmp" "$DESKTOP"
cp "$HERE/share/aiuteur.svg" "$ICON"
ln -sfn "$HERE/aiuteur" "$LINK"
refresh
echo "Aiuteur is in your applications menu; \`aiuteur\` runs it from a terminal."
case ":$PATH:" in
    *":$BIN:"*) ;;
    *) echo "(Add $BIN to your PATH to type \`aiuteur\` anywhere.)" ;;
esac
