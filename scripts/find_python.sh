#!/bin/sh
# Prints the path of a Python >= 3.12, or explains what to install and exits 1.
# Order: $PYTHON, python3.13, python3.12, pyenv's installed versions (newest first), python3.
# Each candidate is run, not just looked up: pyenv shims exist for versions that are not selected.
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
if [ -n "$PYTHON" ]; then
  if ok "$PYTHON"; then command -v "$PYTHON" || echo "$PYTHON"; exit 0; fi
  echo "PYTHON=$PYTHON is not a Python 3.12 or newer." >&2; exit 1
fi
pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
for c in python3.13 python3.12 \
  $(ls -d "$pyenv_root"/versions/3.1[3-9]*/bin/python "$pyenv_root"/versions/3.12*/bin/python 2>/dev/null | sort -rV) \
  python3; do
  if ok "$c"; then command -v "$c" 2>/dev/null || echo "$c"; exit 0; fi
done
echo "DRAKO needs Python 3.12 or newer and none was found (tried python3.13, python3.12, pyenv, python3)." >&2
echo "Install one (e.g. 'pyenv install 3.13' or your OS package) or run: make PYTHON=/path/to/python3.13 ..." >&2
exit 1
