"""The recorder on a running server: recording, the queries over RPC, replay, bad input, shutdown."""
import json
import os
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from serverproc import OFFICIAL_PYTHON, ROOT, ServerProcess, run_client

from engine.recorder import RecordingWriter, parse_recording, standard_frame_packets
from engine.recorder.queries import RECORDINGS_DIR
from engine.recorder.packets import RECORD_DTYPES, PacketId
from engine.recorder.reader import read_header, scan_packets

TESTDATA = ROOT.parent / "shared" / "testdata"
REAL_RECORDING = TESTDATA / "carla-recordings" / "scenario_runner_DistanceBetweenVehicles.log"
TOWN01_XODR = TESTDATA / "opendrive" / "Town01.xodr"


def _run(kind, script, port, *args):
    return json.loads(run_client(kind, script, port, *args))


def test_recorded_run_replays_the_recorded_transforms(client_kind, tmp_path):
    path = tmp_path / "round_trip.log"
    with ServerProcess("-nullrhi") as server:
        result = _run(client_kind, "recorder_round_trip.py", server.port, "--file", str(path))
        assert server.alive()
    assert result["path"] == str(path)
    assert result["vehicles"] == 20 and result["created_listed"]
    assert result["traffic_lights"] > 0 and result["light_mismatches"] == 0
    assert result["elapsed_mismatches"] == 0          # the replay restores each light's time in its state
    assert result["info_tail"] == ["Frames: 60", "Duration: 2.95 seconds"]
    assert result["replay_text"] == (f"Replaying File: {path}\nTotal time recorded: 2.95\n"
                                     f"Replaying from 1 s - 2 s (2.95 s) at 1.0x\n")
    assert result["max_location_error_cm"] < 1.0
    assert result["max_rotation_error_deg"] < 0.01
    assert result["follow_error_cm"] < 1.0 and result["follow_pitch_error_deg"] < 0.01
    assert result["bystander_moved_m"] > 0.1          # an actor that is not in the recording goes on
    assert result["moved_after_end_m"] > 0.1          # vehicles keep driving once playback ends
    assert "Replaying from 1.95 s - 2.95 s (2.95 s) at 1.0x" in result["negative_start_text"]
    assert "Replaying from 1 s - 1.5 s (2.95 s) at 2.6x" in result["fast_text"]
    assert result["fast_max_error_cm"] < 1.0        # the frame itself, not a point between two frames
    assert result["async_max_off_track_cm"] < 1.0 and result["async_travel_m"] > 0.0
    assert result["map_text"] == (f"Replaying File: {path}\nLoading map Town01\nReplayer will start after map is "
                                  f"loaded...\nTotal time recorded: 2.95\nReplaying from 0 s - 2.95 s (2.95 s) at 1.0x\n")
    assert result["loaded_map"].endswith("Town01") and result["replayed_vehicles"] == 20
    recording = parse_recording(path.read_bytes())
    assert recording.frame_count == 60 and recording.dropped_bytes == 0
    assert recording.frames["duration_this"][-1] == -1.0


def test_blocked_query_lists_the_parked_vehicle(client_kind, tmp_path):
    path = tmp_path / "blocked.log"
    with ServerProcess("-nullrhi") as server:
        result = _run(client_kind, "recorder_blocked.py", server.port, "--file", str(path), "--ticks", "800")
    assert result["header"] == "    Time     Id Actor                                 Duration"
    rows = {int(row[1]): row for row in result["rows"]}
    # the spectator has Position records too (as in CARLA's newer files) and it stood still
    assert set(rows) - {result["spectator"]} == {result["parked"]}
    time_s, _, name, duration = rows[result["parked"]]
    # 800 frames 0.05 s apart, still from the second one; the last frame adds CARLA's -1.0
    assert name == "vehicle.tesla.model3" and time_s == "0" and duration == "39"
    assert result["tail"] == ["Frames: 800", "Duration: 39.95 seconds"]


def test_the_issues_round_trip_with_hero_collision_parked_vehicle_and_replay(client_kind, tmp_path):
    """40 s of 20 drivers, a parked vehicle and a hero hitting a stationary one: the three queries, then a
    replay from 10 s for 5 s that matches the recorded poses at every recorded frame."""
    path = tmp_path / "issue.log"
    with ServerProcess("-nullrhi") as server:
        result = _run(client_kind, "recorder_issue_round_trip.py", server.port, "--file", str(path))
        assert server.alive()
    vehicles = {int(i): type_id for i, type_id in result["vehicles"].items()}
    hero, target, parked = result["hero"], result["target"], result["parked"]
    assert result["drivers"] == 20 and len(vehicles) == 23
    # file info: a creation line for every vehicle, the hero with its role
    assert sorted(result["created_listed"]) == sorted(vehicles) and result["hero_listed_as_hero"]
    assert result["info_tail"] == ["Frames: 800", "Duration: 39.95 seconds"]
    # collisions of the hero with vehicles: one row per contact with a vehicle that the hero's sensor saw begin
    assert result["collision_header"].split() == ["Time", "Types", "Id", "Actor", "1", "Id", "Actor", "2"]
    contacts = [(t, other) for t, other in result["hero_contacts"] if other in vehicles]
    rows = result["collision_rows"]
    assert len(rows) == len(contacts) >= 1 and contacts[0][1] == target, (rows, result["hero_contacts"])
    for row, (t, other) in zip(rows, contacts):
        assert row[1:] == ["v", "v", str(hero), "vehicle.audi.tt", str(other), vehicles[other]]
        assert abs(float(row[0]) - t) <= 0.5 + 1e-6          # %.0f of the frame's elapsed time
    assert result["collision_tail"] == ["Frames: 800", "Duration: 40 seconds"]   # CARLA's sticky %.0f
    # blocked actors (30 s, 10 cm): the parked vehicle from the second frame to the end, the spectator, and
    # exactly the vehicles that the client saw stand still that long (drivers stuck at a building)
    assert result["parked_moved_cm"] < 0.1 and result["closest_to_parked_m"] > 10.0
    assert result["blocked_header"] == "    Time     Id Actor                                 Duration"
    blocked = {int(row[1]): row for row in result["blocked_rows"]}
    assert len(blocked) == len(result["blocked_rows"])
    assert blocked.pop(result["spectator"])[2:] == ["spectator", "39"]
    assert blocked[parked] == ["0", str(parked), vehicles[parked], "39"]
    assert set(blocked) == {int(i) for i in result["still"]}
    for actor_id, (time_s, _, name, duration) in blocked.items():
        [(since, seconds)] = result["still"][str(actor_id)]
        assert name == vehicles[actor_id]
        assert abs(float(time_s) - since) <= 0.5 + 1e-6 and abs(float(duration) - seconds) <= 0.5 + 1e-6
    assert result["blocked_tail"] == ["Frames: 800", "Duration: 39.95 seconds"]
    # replay from 10 s for 5 s: the j-th tick shows recorded frame 200 + j
    assert result["replay_text"] == (f"Replaying File: {path}\nTotal time recorded: 39.95\n"
                                     f"Replaying from 10 s - 15 s (39.95 s) at 1.0x\n")
    assert result["compared_ticks"] == 100
    assert result["max_location_error_cm"] < 1.0, result["worst"]
    assert result["max_rotation_error_deg"] < 0.01
    recording = parse_recording(path.read_bytes())
    assert recording.frame_count == 800 and recording.dropped_bytes == 0


def _masked(data: bytes) -> bytes:
    """The bytes of a recording with the header date and every PlatformTime value zeroed."""
    out = bytearray(data)
    header, start = read_header(data)
    date_at = 4 + len(header.magic)
    out[date_at:date_at + 8] = bytes(8)
    packets, _ = scan_packets(data, start)
    for offset in packets["offset"][packets["id"] == PacketId.PLATFORM_TIME].tolist():
        out[offset + 5:offset + 13] = bytes(8)
    return bytes(out)


def test_two_recordings_of_the_same_run_differ_only_in_date_and_platform_time(tmp_path):
    files = []
    for n in range(2):
        path = tmp_path / f"run{n}.log"
        with ServerProcess("-nullrhi") as server:
            _run("ours", "recorder_determinism.py", server.port, "--file", str(path))
        files.append(path.read_bytes())
    recording = parse_recording(files[0])
    packet_ids = set(recording.packets["id"].tolist())
    assert {PacketId.KINEMATICS, PacketId.BOUNDING_BOX, PacketId.PLATFORM_TIME, PacketId.PHYSICS_CONTROL,
            PacketId.ANIM_WALKER} <= packet_ids
    assert recording.table(PacketId.ANIM_WALKER).counts[0] == 2
    lights = recording.table(PacketId.STATE).counts[0]
    assert lights > 0 and recording.table(PacketId.TRAFFIC_LIGHT_TIME).counts.sum() == lights
    assert recording.table(PacketId.TRIGGER_VOLUME).counts.sum() == lights   # lights are signs, as in CARLA
    assert (recording.table(PacketId.VEHICLE_LIGHT).records["state"] == 0x3).any()
    assert len(files[0]) == len(files[1])
    assert _masked(files[0]) == _masked(files[1])


def test_two_recordings_without_additional_data_differ_only_in_the_date(tmp_path):
    files = []
    for n in range(2):
        path = tmp_path / f"plain{n}.log"
        with ServerProcess("-nullrhi") as server:
            _run("ours", "recorder_determinism.py", server.port, "--file", str(path), "--additional", "0")
        files.append(path.read_bytes())
    recording = parse_recording(files[0])
    assert PacketId.PLATFORM_TIME not in set(recording.packets["id"].tolist())
    date_at = 4 + len(read_header(files[0])[0].magic)       # the header's date: the only bytes that may differ
    assert files[0][:date_at] + files[0][date_at + 8:] == files[1][:date_at] + files[1][date_at + 8:]


def _recorded_positions(recording, t: float) -> dict:
    """Recorded id -> location (m) at replay time t, interpolated between the frames around t."""
    elapsed = recording.frames["elapsed"]
    k = max(int(np.searchsorted(elapsed, t, side="right")) - 1, 0)
    table = recording.table(PacketId.POSITION)
    packet_of = {int(f): i for i, f in enumerate(table.frames)}
    here = {int(r["id"]): r["location"].astype(np.float64) / 100 for r in table.packet(packet_of[k])}
    if k + 1 < len(elapsed):
        alpha = (t - elapsed[k]) / recording.frames["duration_this"][k]
        nxt = {int(r["id"]): r["location"].astype(np.float64) / 100 for r in table.packet(packet_of[k + 1])}
        here = {i: p + (nxt[i] - p) * alpha if i in nxt else p for i, p in here.items()}
    return here


def test_a_carla_recording_replays_on_carla_town01(client_kind):
    if not REAL_RECORDING.exists() or not TOWN01_XODR.exists():
        pytest.skip("the shared test data (CARLA recordings, Town01.xodr) is not there")
    recording = parse_recording(REAL_RECORDING.read_bytes())
    roles = {}
    for records in recording.objects(PacketId.EVENT_ADD):
        for record in records:
            if record.type == 1:
                roles[next(a.value for a in record.attributes if a.id == "role_name")] = record.database_id
    with ServerProcess("-nullrhi") as server:
        result = _run(client_kind, "recorder_real_file.py", server.port, "--file", str(REAL_RECORDING),
                      "--xodr", str(TOWN01_XODR))
        assert server.alive()
    assert result["map"].endswith("OpenDriveMap")
    assert len(result["runs"]) == 3
    for start, run in result["runs"].items():
        assert run["text"].startswith(f"Replaying File: {REAL_RECORDING}\nTotal time recorded: 24.7237\n")
        for j, positions in enumerate(run["ticks"], start=1):
            expected = _recorded_positions(recording, float(start) + 0.05 * j)
            assert set(positions) == set(roles)
            for role, location in positions.items():
                assert np.linalg.norm(np.array(location) - expected[roles[role]]) * 100 < 1.0, (start, j, role)
    # on the served Town01 every replayed vehicle stands on a driving lane, near its centre
    assert None not in result["off_lane"] and max(result["off_lane"]) < 1.0, result["off_lane"]
    first_hero = [tuple(run["ticks"][0]["hero"]) for run in result["runs"].values()]
    assert len(set(first_hero)) == 3          # three start times, three places along the recorded drive
    assert result["vehicles_after_stop"] == 0     # stop_replayer(False) plays the recorded destructions


def _good_recording(path: Path) -> bytes:
    with RecordingWriter(path, "Town01", date=0) as writer:
        for k in range(5):
            position = np.zeros(1, RECORD_DTYPES[PacketId.POSITION])
            position["id"] = 7
            position["location"] = (100.0 * k, 0.0, 0.0)
            writer.write_frame(standard_frame_packets({PacketId.POSITION: position}), 0.05)
    return path.read_bytes()


def test_bad_recordings_and_paths_get_clear_errors_and_the_server_keeps_serving(client_kind, tmp_path):
    good = _good_recording(tmp_path / "good.log")
    (tmp_path / "truncated.log").write_bytes(good[:-20])
    _, start = read_header(good)
    packets, _ = scan_packets(good, start)
    bad = bytearray(good)
    first_position = int(packets["offset"][packets["id"] == PacketId.POSITION][0])
    struct.pack_into("<I", bad, first_position + 1, 2 + 28 + 7)
    (tmp_path / "bad_size.log").write_bytes(bytes(bad))
    (tmp_path / "random.log").write_bytes(np.random.default_rng(5).bytes(4096))
    (tmp_path / "a_directory").mkdir()
    plain = f"test_recorder_server_{os.getpid()}_{client_kind}.log"
    try:
        with ServerProcess("-nullrhi") as server:
            result = _run(client_kind, "recorder_bad_input.py", server.port, "--dir", str(tmp_path),
                          "--plain-name", plain)
            assert server.alive()
    finally:
        saved = RECORDINGS_DIR / plain
        plain_exists = saved.exists()
        if plain_exists:
            saved.unlink()
    assert result["still_serving"] == "0.9.16"
    for name, problem in (("truncated.log", "(file truncated or packet size corrupt)"),
                          ("bad_size.log", "POSITION packet: size 37 does not match its 1 records")):
        for query in ("info", "collisions", "blocked", "replay"):
            kind, message = result[name][query]
            verb = "replay" if query == "replay" else "read"
            assert kind == "RuntimeError" and message.startswith(f"cannot {verb} {tmp_path / name}: "), message
            assert problem in message, message
    for name, text in (("random.log", "File is not a CARLA recorder\n"),
                       ("a_directory", "File is not a CARLA recorder\n"),
                       ("missing.log", f"File {tmp_path / 'missing.log'} not found on server\n")):
        for query in ("info", "collisions", "blocked"):
            assert result[name][query] == ["text", text], (name, query)
    assert result["random.log"]["replay"] == [
        "RuntimeError", f"cannot replay {tmp_path / 'random.log'}: File is not a CARLA recorder"]
    assert result["a_directory"]["replay"][0] == "RuntimeError"
    assert result["missing.log"]["replay"] == [
        "text", f"Replaying File: {tmp_path / 'missing.log'}\nFile {tmp_path / 'missing.log'} not found on server\n"]
    assert result["bad_letter"] == ["RuntimeError", "type1 must be one of the letters h v w t o a, got 'x'"]
    for case, reason in (("record_into_directory", "Is a directory"), ("record_below_a_file", "Not a directory"),
                         ("record_missing_folder", "No such file or directory")):
        kind, message = result[case]
        assert kind == "RuntimeError" and message.startswith("cannot open recorder file ") and reason in message
    assert result["plain_name"] == ["text", str(RECORDINGS_DIR / plain)] and plain_exists
    assert result["plain_name_info"][1].startswith("Version: 1\nMap: Town01\n")


def _collisions_reported() -> str | None:
    """Why the hero-collision check cannot run yet, or None when the world reports collisions."""
    from engine.map.town import load_town
    from engine.world.world import World
    if not hasattr(World(load_town("Town01"), 1), "collision_events"):
        return "the world does not report collisions yet (World.collision_events is missing)"
    return None


def test_hero_collisions_are_recorded_and_listed(tmp_path):
    reason = _collisions_reported()
    if reason:
        pytest.skip(reason)
    path = tmp_path / "collision.log"
    with ServerProcess("-nullrhi") as server:
        result = _run("ours", "recorder_collision.py", server.port, "--file", str(path))
    if "skip" in result:
        pytest.skip(result["skip"])
    rows = result["hero_vs_any"].splitlines()[5:-3]
    assert len(rows) >= 1, result["hero_vs_any"]
    first = rows[0].split()
    assert first[1:5] == ["v", "v", str(result["hero"]), "vehicle.audi.tt"] and first[5] == str(result["parked"])
    assert f"Collision id 0 between {result['hero']} (hero)  with {result['parked']}" in result["info"]
    assert result["walker_vs_any"].splitlines()[5:-3] == []
    assert result["ignore_hero_text"].endswith("at 1.0x\nIgnoring Hero vehicle\n")
    assert result["hero_moved_cm"] < 1.0 and result["parked_from_start_cm"] < 1.0


def _interrupted_recording(tmp_path, stop) -> tuple:
    """(server output, recording bytes) of a server stopped by ``stop(process)`` while it records."""
    path = tmp_path / "interrupted.log"
    server = ServerProcess("-nullrhi")
    server.start()
    try:
        _run("ours", "recorder_start_only.py", server.port, "--file", str(path))
        time.sleep(0.3)
        stop(server.process)
        output = server.process.communicate(timeout=30)[0]
    finally:
        if server.alive():
            server.process.kill()
    return output, path.read_bytes()


def test_sigterm_closes_the_recording_cleanly(tmp_path):
    output, data = _interrupted_recording(tmp_path, lambda process: process.send_signal(signal.SIGTERM))
    assert "CARLA server stopped" in output
    recording = parse_recording(data)      # strict: every packet whole, nothing left over
    assert recording.frame_count >= 10 and recording.dropped_bytes == 0


def test_a_killed_server_leaves_a_recording_readable_to_its_last_whole_frame(tmp_path):
    # SIGKILL: no handler runs, nothing is closed
    _, data = _interrupted_recording(tmp_path, lambda process: process.kill())
    recording = parse_recording(data, complete_frames_only=True)
    assert recording.frame_count >= 10
    # what is left over, if the kill fell inside a write, is less than one frame's packets
    assert recording.dropped_bytes < len(data) / recording.frame_count


EXAMPLES = ROOT / "PythonAPI" / "examples"


def _example(kind: str, port: int, script: str, *args: str) -> str:
    """Run a PythonAPI/examples script with our client or the official one; its whole stdout."""
    python = sys.executable if kind == "ours" else OFFICIAL_PYTHON
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([python, str(EXAMPLES / script), "--host", "127.0.0.1", "-p", str(port), *args],
                          cwd=EXAMPLES, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{script}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_example_scripts_record_query_and_replay(client_kind, tmp_path):
    path = tmp_path / "example.log"
    with ServerProcess("-nullrhi") as server:
        out = _example(client_kind, server.port, "start_recording.py", "-f", str(path), "-n", "3", "-t", "1")
        assert f"Recording on file: {path}" in out and out.rstrip().endswith("done.")
        recording = parse_recording(path.read_bytes())
        assert recording.frame_count > 1
        info = _example(client_kind, server.port, "show_recorder_file_info.py", "-f", str(path))
        assert info.startswith("Version: 1\nMap: Town01\n") and " Create 1: spectator (0)" in info
        assert " Positions: " in _example(client_kind, server.port, "show_recorder_file_info.py", "-f", str(path), "-a")
        saved = tmp_path / "info.txt"
        _example(client_kind, server.port, "show_recorder_file_info.py", "-f", str(path), "-s", str(saved))
        assert saved.read_text() == info[:-len("\n\ndone.\n")]
        exported = json.loads(_example(client_kind, server.port, "show_recorder_file_info.py", "-f", str(path),
                                       "--json"))
        assert exported["frames"] == recording.frame_count and exported["events"][0]["created"][0]["id"] == 1
        collisions = _example(client_kind, server.port, "show_recorder_collisions.py", "-f", str(path), "-t", "vv")
        assert "    Time  Types     Id Actor 1" in collisions
        blocked = _example(client_kind, server.port, "show_recorder_actors_blocked.py", "-f", str(path),
                           "-t", "0.2", "-d", "10")
        assert "    Time     Id Actor                                 Duration" in blocked
        replay = _example(client_kind, server.port, "start_replaying.py", "-f", str(path), "-s", "0.2", "-d", "0.5",
                          "-x", "2")
        assert replay.startswith(f"Replaying File: {path}\n") and "at 2.0x\nIgnoring Spectator camera\n" in replay
        assert server.alive()
