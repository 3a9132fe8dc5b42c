#!/usr/bin/env bash
# Installs the one tool we need before anything else: uv (from PyPI, pinned), in .tools/.
# Needs only Python >= 3.11 with venv (Debian: python3-venv, installed here when we are root).
set -euo pipefail
PY="${PYTHON:-python3}"
UV_VERSION="0.13.9"

if ! command -v "$PY" >/dev/null; then
  echo "Python 3.11+ is needed ($PY not found). / Cần Python 3.11 trở lên." >&2; exit 1
fi
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Python 3.11+ is needed, found $("$PY" --version). / Cần Python 3.11 trở lên." >&2; exit 1
fi
if [ -x .tools/bin/uv ] && [ "$(.tools/bin/uv --version | cut -d' ' -f2)" = "$UV_VERSION" ]; then
  exit 0
fi
rm -rf .tools
if ! "$PY" -m venv .tools 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing python3-venv (Debian) …"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    rm -rf .tools && "$PY" -m venv .tools
  else
    echo "Python's venv module is missing: run 'sudo apt-get install python3-venv' and try again." >&2
    echo "Thiếu mô-đun venv của Python: hãy chạy 'sudo apt-get install python3-venv' rồi thử lại." >&2
    exit 1
  fi
fi
.tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
