import os
import sys
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
