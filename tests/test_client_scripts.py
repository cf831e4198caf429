"""The same user scripts, run with our client and with the official one, print the same line."""
import json

import pytest

from serverproc import ServerProcess, official_available, run_client

SCRIPTS = ["sync_ticks.py", "spawn_drive.py", "async_ticks.py", "two_clients.py", "bad_input.py"]


def _expectations(script: str, result: dict) -> None:
    if script == "sync_ticks.py":
        assert result["ticks"] == 100 and result["each_next_frame"] and result["snapshot_is_last_tick"]
        assert result["delta_seconds"] == 0.05
    elif script == "spawn_drive.py":
        assert result["spawned"] == 50 and result["spawn_errors"] == []
        assert result["moved_forward"] and result["distance_forward_cm"] > 100
        assert result["destroyed"] == 50 and result["vehicles_left"] == 0
    elif script == "async_ticks.py":
        assert result["wait_for_tick_consecutive"] and result["on_tick_consecutive"]
        assert result["on_tick_count"] == 10
    elif script == "two_clients.py":
        assert result["watcher_frames"] == 30 and result["consecutive"] and result["all_ticked"]
    elif script == "bad_input.py":
        assert result["unknown_blueprint"] == "IndexError"
        assert result["first_destroy"] is True and result["second_destroy"] == "RuntimeError"
        assert result["destroy_unknown_id"] == [True, "unable to destroy actor: not found"]
        assert result["still_serving"] == "0.9.16"
        assert result["spawn_on_destroyed_parent"] == "RuntimeError" and result["actors_after"] == 0


@pytest.mark.parametrize("script", SCRIPTS)
def test_script_behaves_as_carla_documents_with_each_client(script, client_kind):
    with ServerProcess("-nullrhi") as server:
        result = json.loads(run_client(client_kind, script, server.port))
        assert server.alive()
    _expectations(script, result)


@pytest.mark.parametrize("script", SCRIPTS)
def test_both_clients_print_the_same_line(script):
    if not official_available():
        pytest.skip("official carla client not installed")
    lines = {}
    for kind in ("official", "ours"):
        with ServerProcess("-nullrhi") as server:
            lines[kind] = run_client(kind, script, server.port)
    assert lines["ours"] == lines["official"]


def test_second_run_of_spawn_and_drive_gives_identical_snapshots():
    results = []
    for _ in range(2):
        with ServerProcess("-nullrhi") as server:
            results.append(json.loads(run_client("ours", "spawn_drive.py", server.port)))
    assert results[0]["snapshots"] == results[1]["snapshots"]
    assert results[0]["distance_forward_cm"] == results[1]["distance_forward_cm"]


def test_same_server_gives_identical_snapshots_on_a_second_run():
    with ServerProcess("-nullrhi") as server:
        first = json.loads(run_client("ours", "spawn_drive.py", server.port))
        second = json.loads(run_client("ours", "spawn_drive.py", server.port))
    assert first["snapshots"] == second["snapshots"]
