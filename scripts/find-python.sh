#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa 3.6 supports 3.8-3.10), or explains
# what to install. pyenv's shim for python3.10 fails when 3.10 is not the active version,
# so pyenv's install folders are searched too.
set -u
candidates=()
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
pyenv_root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for p in "$pyenv_root"/versions/3.10*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
  [ -x "$p" ] && candidates+=("$p")
done
for p in "${candidates[@]}"; do
  if "$p" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
    echo "$p"
    exit 0
  fi
done
echo "Python 3.10 was not found. Rasa 3.6 needs Python 3.10: install it with" >&2
echo "  pyenv install 3.10   (or: apt-get install python3.10 python3.10-venv)" >&2
exit 1
