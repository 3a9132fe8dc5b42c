#!/usr/bin/env bash
# Installs Debian packages the tests need when they are missing: chromium (browser tests, never a
# downloaded browser), gettext (the translation-catalogue test), and the libraries and fonts WeasyPrint
# needs for the printed reports (pango, harfbuzz's subsetter, DejaVu fonts with Vietnamese).
# Usage: ensure-debian-packages.sh CMD=PKG … PKG …  (CMD=PKG: PKG unless the command CMD exists; a bare PKG:
# the Debian package itself, when dpkg does not list it as installed).
set -euo pipefail
missing=()
for pair in "$@"; do
  if [[ "$pair" == *=* ]]; then
    cmd="${pair%%=*}"; pkg="${pair#*=}"
    command -v "$cmd" >/dev/null || missing+=("$pkg")
  else
    dpkg-query -W -f='${Status}' "$pair" 2>/dev/null | grep -q "install ok installed" || missing+=("$pair")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]} …"
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "Please install: apt-get install ${missing[*]} / Hãy cài: apt-get install ${missing[*]}" >&2; exit 1
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
