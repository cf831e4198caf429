#!/usr/bin/env bash
# Install what the tests need (project .venv, pytest, the official carla==0.9.16 client in its own
# virtualenv) and run the test suite. Extra arguments go to pytest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
pick_python() {
  for c in "$@"; do command -v "$c" >/dev/null 2>&1 && { echo "$c"; return; }; done
}
venv="$here/.venv"
stamp="$venv/.installed-pyproject"
if [ ! -x "$venv/bin/python" ] || ! cmp -s pyproject.toml "$stamp"; then
  py=${PYTHON:-$(pick_python python3.11 python3.12 python3.10 python3)}
  "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q -e "$here"
  cp pyproject.toml "$stamp"
fi
"$venv/bin/python" -c "import pytest" 2>/dev/null || "$venv/bin/python" -m pip install -q -e "$here[test]"

# Rendering tests use Mesa llvmpipe through EGL, and the window test runs under Xvfb.
need=()
command -v Xvfb >/dev/null 2>&1 || need+=(xvfb)
command -v xwd >/dev/null 2>&1 || need+=(x11-apps)
ldconfig -p 2>/dev/null | grep -q 'libEGL_mesa.so' || need+=(libegl1 libegl-mesa0 libgl1-mesa-dri)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "run_tests.sh: please install ${need[*]} (rendering and window tests need them)" >&2; exit 2
  fi
fi

# The official client is the reference: it has wheels for CPython 3.10-3.12 on Linux.
official=${CARLA_OFFICIAL_VENV:-$here/.venv-official}
if [ ! -x "$official/bin/python" ] || ! "$official/bin/python" -c "import carla" 2>/dev/null; then
  opy=$(pick_python python3.11 python3.12 python3.10)
  if [ -z "$opy" ]; then
    echo "run_tests.sh: the official carla client needs CPython 3.10-3.12" >&2; exit 2
  fi
  "$opy" -m venv "$official"
  "$official/bin/python" -m pip install -q carla==0.9.16 numpy
fi
export CARLA_OFFICIAL_PYTHON="$official/bin/python"
export REQUIRE_OFFICIAL_CLIENT=1

# The ASAM OpenDRIVE checker validates the generated towns; it lives in its own virtualenv.
qc=${ASAM_QC_VENV:-$here/.venv-qc}
if [ ! -x "$qc/bin/qc_opendrive" ]; then
  qpy=${PYTHON:-$(pick_python python3.11 python3.12 python3.10 python3)}
  "$qpy" -m venv "$qc"
  "$qc/bin/python" -m pip install -q asam-qc-opendrive
fi
export ASAM_QC_OPENDRIVE="$qc/bin/qc_opendrive"
exec "$venv/bin/python" -m pytest -q "$@"
