"""Issue 5's traffic run: 100 vehicles on autopilot and 50 AI walkers in Town03 for 3000 synchronous
ticks, with each client, measured on snapshots (tests/scripts/traffic_scenario.py)."""
import json

from serverproc import ServerProcess, free_port_pair, run_client

MIN_VEHICLE_DISTANCE_M = 20.0      # every vehicle covers at least this much in 150 simulated seconds
MIN_WALKERS_MOVED = 0.9            # share of walkers that end more than 1 m from where they started


_first_runs: dict = {}


def _scenario(kind: str) -> dict:
    with ServerProcess("-nullrhi") as server:
        result = json.loads(run_client(kind, "traffic_scenario.py", server.port,
                                       "--tm-port", str(free_port_pair()), timeout=1200))
        assert server.alive()
    return result


def _first_run(kind: str) -> dict:
    """One 3000-tick run per client, shared by the rule checks and the repeat-run comparison."""
    if kind not in _first_runs:
        _first_runs[kind] = _scenario(kind)
    return _first_runs[kind]


def test_autopilot_vehicles_and_walkers_keep_the_rules_for_3000_ticks(client_kind):
    result = _first_run(client_kind)
    assert result["vehicles"] == 100 and result["walkers"] == 50 and result["controllers"] == 50
    assert result["traffic_lights"] > 0 and result["stop_lines"] > 0
    for rule in ("off_road", "red_light_crossings", "overlapping_pairs", "walkers_off_walkable"):
        assert result[rule] == 0, f"{rule}: {result[rule]}; first cases: {result['examples']}"
    assert result["min_vehicle_distance_m"] >= MIN_VEHICLE_DISTANCE_M, result
    assert result["walkers_moved_over_1m"] >= MIN_WALKERS_MOVED * result["walkers"], result


def test_two_runs_with_the_same_seed_give_identical_snapshots_for_3000_ticks(client_kind):
    assert _first_run(client_kind)["digest"] == _scenario(client_kind)["digest"]
