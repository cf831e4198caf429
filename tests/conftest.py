import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serverproc import ServerProcess, official_available  # noqa: E402

CLIENTS = ["ours", "official"]


@pytest.fixture
def server():
    with ServerProcess("-nullrhi") as proc:
        yield proc


@pytest.fixture(params=CLIENTS)
def client_kind(request):
    if request.param == "official" and not official_available():
        if os.environ.get("REQUIRE_OFFICIAL_CLIENT"):
            pytest.fail("the official carla==0.9.16 client is required (CARLA_OFFICIAL_PYTHON)")
        pytest.skip("official carla client not installed (set CARLA_OFFICIAL_PYTHON)")
    return request.param


@pytest.fixture
def display():
    """A private Xvfb display for window tests (run_tests.sh installs Xvfb)."""
    if not shutil.which("Xvfb") or not shutil.which("xwd"):
        if os.environ.get("REQUIRE_OFFICIAL_CLIENT"):
            pytest.fail("Xvfb and xwd are needed (run_tests.sh installs them)")
        pytest.skip("Xvfb or xwd not installed")
    number = 90 + os.getpid() % 100
    xvfb = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "640x480x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        if os.path.exists(f"/tmp/.X11-unix/X{number}"):
            break
        time.sleep(0.05)
    yield f":{number}"
    xvfb.terminate()
    xvfb.wait()
