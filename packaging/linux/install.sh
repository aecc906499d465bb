#!/bin/sh
# Install the SIJ-PRO one-folder bundle on Linux: the program folder, the `sijpro` command, the menu
# entry (with its "Patient kiosk" action), the icons and the AppStream metadata.
#
#   sudo ./install.sh                 for every user: /usr/local/lib/sijpro, /usr/local/bin/sijpro
#   ./install.sh --user               for you only:   ~/.local/lib/sijpro, ~/.local/bin/sijpro
#   ./install.sh --prefix DIR         anywhere:       DIR/lib/sijpro, DIR/bin/sijpro, DIR/share/...
#   ./install.sh [...] --uninstall    removes what the same options installed (never the clinic's data)
set -eu

APP_ID=org.sijpro.sijpro
HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=/usr/local
ACTION=install

while [ $# -gt 0 ]; do
    case "$1" in
        --user) PREFIX="$HOME/.local" ;;
        --prefix) shift; PREFIX="$1" ;;
        --uninstall) ACTION=uninstall ;;
        -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

APP_DIR="$PREFIX/lib/sijpro"
BIN="$PREFIX/bin/sijpro"
SHARE="$PREFIX/share"
ICON_SIZES="16 24 32 48 64 128 256 512"

refresh_caches() {
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$SHARE/applications" || true
    command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$SHARE/icons/hicolor" || true
}

if [ "$ACTION" = uninstall ]; then
    rm -rf "$APP_DIR"
    rm -f "$BIN" "$SHARE/applications/$APP_ID.desktop" "$SHARE/metainfo/$APP_ID.metainfo.xml" \
        "$SHARE/icons/hicolor/scalable/apps/$APP_ID.svg"
    for size in $ICON_SIZES; do rm -f "$SHARE/icons/hicolor/${size}x${size}/apps/$APP_ID.png"; done
    refresh_caches
    echo "SIJ-PRO removed from $PREFIX (the clinic's database and backups are untouched)"
    exit 0
fi

[ -x "$HERE/sijpro" ] || { echo "install.sh: run it from the unpacked SIJ-PRO folder" >&2; exit 1; }
if [ "$HERE" != "$APP_DIR" ]; then
    rm -rf "$APP_DIR.new"
    mkdir -p "$APP_DIR.new"
    cp -a "$HERE/." "$APP_DIR.new/"
    rm -rf "$APP_DIR"
    mv "$APP_DIR.new" "$APP_DIR"
fi
mkdir -p "$PREFIX/bin" "$SHARE/applications" "$SHARE/metainfo" "$SHARE/icons/hicolor/scalable/apps"
ln -sf "$APP_DIR/sijpro" "$BIN"
cp "$APP_DIR/share/applications/$APP_ID.desktop" "$SHARE/applications/"
cp "$APP_DIR/share/metainfo/$APP_ID.metainfo.xml" "$SHARE/metainfo/"
cp "$APP_DIR/share/icons/hicolor/scalable/apps/$APP_ID.svg" "$SHARE/icons/hicolor/scalable/apps/"
for size in $ICON_SIZES; do
    mkdir -p "$SHARE/icons/hicolor/${size}x${size}/apps"
    cp "$APP_DIR/share/icons/hicolor/${size}x${size}/apps/$APP_ID.png" "$SHARE/icons/hicolor/${size}x${size}/apps/"
done
refresh_caches
echo "SIJ-PRO installed in $APP_DIR; run 'sijpro' (make sure $PREFIX/bin is on your PATH) or use the menu"
