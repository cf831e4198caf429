"""The shared conformance script for this stage prints the same line with both clients."""
import json
import os
import subprocess
from pathlib import Path

import pytest

from serverproc import ROOT, ServerProcess, client_command, official_available

SEED = ROOT.parent / "shared" / "conformance" / "seed_foundations.py"


def run_seed(which: str, port: int) -> str:
    argv, env = client_command(which, "unused", port)
    argv = [argv[0], str(SEED), "--port", str(port)]
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.skipif(not SEED.exists(), reason="../shared/conformance is not beside the project")
def test_seed_foundations_prints_the_same_line_with_both_clients():
    if not official_available():
        if os.environ.get("REQUIRE_OFFICIAL_CLIENT"):
            pytest.fail("the official carla client is required")
        pytest.skip("official carla client not installed")
    with ServerProcess("-nullrhi") as server:
        official = run_seed("official", server.port)
        ours = run_seed("ours", server.port)
    assert ours == official
    facts = json.loads(ours)
    assert facts["map"] == "Town01" and facts["spawn_points"] >= 80 and len(facts["vehicles"]) >= 10
    assert facts["weather_set"] == [40.0, 30.0] and facts["spectator"] == "spectator"
