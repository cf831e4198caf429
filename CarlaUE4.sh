#!/usr/bin/env bash
# Start the simulator server. The first run creates .venv and installs the pinned dependencies;
# later runs start at once (the install is redone only when pyproject.toml changes).
set -e
here=$(cd "$(dirname "$0")" && pwd)
venv="$here/.venv"
stamp="$venv/.installed-pyproject"
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$here/pyproject.toml" "$stamp"; then
  py=${PYTHON:-}
  if [ -z "$py" ]; then
    for c in python3.11 python3.12 python3.10 python3; do command -v "$c" >/dev/null && { py=$c; break; }; done
  fi
  echo "CarlaUE4.sh: setting up $venv with $py (first run only)" >&2
  "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip >&2
  "$venv/bin/python" -m pip install -q -e "$here" >&2
  cp "$here/pyproject.toml" "$stamp"
fi
cd "$here"
exec "$venv/bin/python" -m launcher "$@"
