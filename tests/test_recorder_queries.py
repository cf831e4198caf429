"""The three recorder queries print CARLA's exact text (spec section 8)."""

import json
import time
from pathlib import Path

import numpy as np
import pytest

from engine.recorder import (
    ActorAdd, ActorAttribute, PacketId, RecorderFileError, RecordingWriter, actors_blocked, collisions, file_info,
    file_info_dict, resolve_recorder_path, standard_frame_packets,
)
from engine.recorder.packets import RECORD_DTYPES

RECORDINGS = Path(__file__).resolve().parents[1].parent / "shared" / "testdata" / "carla-recordings"
BETWEEN = RECORDINGS / "scenario_runner_DistanceBetweenVehicles.log"
LANE = RECORDINGS / "scenario_runner_DistanceToLaneCenter.log"
needs_real = pytest.mark.skipif(not BETWEEN.exists(), reason="shared/testdata/carla-recordings is not beside the checkout")

COLLISIONS_HEADER = ("    Time  Types     Id Actor 1                                 Id Actor 2"
                     "                            \n")
BLOCKED_HEADER = "    Time     Id Actor                                 Duration\n"


def _prologue(date, map_name="Town01"):
    return f"Version: 1\nMap: {map_name}\nDate: {time.strftime('%m/%d/%y %H:%M:%S', time.localtime(date))}\n\n"


@needs_real
@pytest.mark.parametrize("path,frames,duration,created", [(BETWEEN, 847, "24.7237", 176), (LANE, 432, "12.5282", 178)],
                         ids=["between", "lane"])
def test_file_info_of_real_recording(path, frames, duration, created):
    text = file_info(path)
    assert text.startswith("Version: 1\nMap: Town01\nDate: ")
    assert text.endswith(f"\n\nFrames: {frames}\nDuration: {duration} seconds\n")
    lines = text.split("\n")
    assert lines[3] == "" and lines[4] == "Frame 1 at 0 seconds"
    assert lines[5] == " Create 1: spectator (0) at (542.481, 4236.74, 490.868)"
    assert lines[6] == " Create 2: traffic.traffic_light (3) at (9499, 7041, 10.3242)"
    next_frame = next(i for i, line in enumerate(lines) if i > 4 and line.startswith("Frame "))
    assert sum(line.startswith(" Create ") for line in lines[5:next_frame]) == created


@needs_real
def test_file_info_of_real_recording_lists_attributes_and_destroys():
    text = file_info(BETWEEN)
    assert "  role_name = hero\n" in text
    assert text.endswith("Frame 847 at 24.7237 seconds\n Destroy 174\n\nFrames: 847\nDuration: 24.7237 seconds\n")


@needs_real
def test_file_info_show_all_of_real_recording():
    text = file_info(BETWEEN, show_all=True)
    lines = text.split("\n")
    assert lines[4] == "Frame 1 at 0 seconds"
    assert sum(line.startswith(" Positions: ") for line in lines) == 847
    assert " Positions: 118" in lines
    assert " Physics Control events: 2" in lines
    assert "   gear_switch_time = 0.5" in lines
    assert any(line.startswith("  Id: 1 Location: (542.481, 4236.74, 490.868) Rotation (") for line in lines)
    assert any(line.startswith(" Current platform time: ") for line in lines)
    assert text.endswith("\nFrames: 847\nDuration: 24.7237 seconds\n")


@needs_real
def test_collisions_of_real_recording_without_collisions():
    text = collisions(BETWEEN, "a", "a")
    assert text == _prologue(1637676528) + COLLISIONS_HEADER + "\nFrames: 847\nDuration: 24.7237 seconds\n"


@needs_real
def test_blocked_of_real_recording():
    assert actors_blocked(BETWEEN, 30, 100) == (_prologue(1637676528) + BLOCKED_HEADER
                                                + "\nFrames: 847\nDuration: 24.7237 seconds\n")
    text = actors_blocked(BETWEEN, 20, 10)
    rows = text.split("\n")[5:-4]
    assert rows[0] == "       0      1 spectator                                   24"
    durations = [int(r.split()[-1]) for r in rows]
    assert durations == sorted(durations, reverse=True)


# --- synthetic recordings -------------------------------------------------------------------------------

def _records(pid, rows):
    return np.array(rows, RECORD_DTYPES[pid])


def _add(actor_id, blueprint, type_, *attributes):
    return ActorAdd(actor_id, type_, (100.0, 200.5, 3.0), (0.0, 0.0, 90.0), 1, blueprint,
                    tuple(ActorAttribute(3, k, v) for k, v in attributes))


def _write(path, frames, delta=0.5):
    """frames: list of {packet id: payload}"""
    with RecordingWriter(path, "Town05", date=1_700_000_000) as w:
        for payloads in frames:
            w.write_frame(standard_frame_packets(payloads), delta)
    return path


def _collision_frames():
    adds = [_add(10, "vehicle.lincoln.mkz", 1, ("role_name", "hero")), _add(11, "vehicle.audi.tt", 1),
            _add(12, "walker.pedestrian.0002", 2), _add(13, "traffic.stop", 4)]
    hit = lambda cid, a, b, h1=1, h2=0: (cid, a, b, h1, h2)
    c = lambda *rows: _records(PacketId.COLLISION, list(rows))
    return [
        {PacketId.EVENT_ADD: adds},
        {PacketId.COLLISION: c(hit(0, 10, 11))},
        {PacketId.COLLISION: c(hit(1, 10, 11), hit(2, 10, 12))},  # 10-11 goes on: printed once
        {},
        {PacketId.COLLISION: c(hit(3, 10, 11), hit(4, 10, 0xFFFFFFFF), hit(5, 10, 13))},  # 10-11 is new again
    ]


def test_collisions_print_each_contact_once_with_types_and_sticky_precision(tmp_path):
    path = _write(tmp_path / "c.log", _collision_frames())
    text = collisions(path, "a", "a")
    assert text == (_prologue(1_700_000_000, "Town05") + COLLISIONS_HEADER
                    + "       0   v v      10 vehicle.lincoln.mkz                     11 vehicle.audi.tt                    \n"
                    + "       1   v w      10 vehicle.lincoln.mkz                     12 walker.pedestrian.0002             \n"
                    + "       2   v v      10 vehicle.lincoln.mkz                     11 vehicle.audi.tt                    \n"
                    + "       2   v o      10 vehicle.lincoln.mkz" + " " * 17 + "4294967295" + " " * 36 + "\n"
                    + "       2   v h      10 vehicle.lincoln.mkz                     13 traffic.stop                       \n"
                    + "\nFrames: 5\nDuration: 2 seconds\n")


def test_collisions_filter_by_letters(tmp_path):
    path = _write(tmp_path / "c.log", _collision_frames())
    rows = lambda t1, t2: collisions(path, t1, t2).split("\n")[5:-4]
    assert len(rows("h", "w")) == 1 and " v w " in rows("h", "w")[0]
    assert len(rows("v", "v")) == 2
    assert len(rows("w", "a")) == 0  # actor 1 is always the reporter: no swapping
    assert len(rows("h", "o")) == 1
    assert len(rows("a", "h")) == 1  # the traffic sign is type 4, which reads as 'h'
    assert collisions(path, "w", "a").endswith("\nDuration: 2 seconds\n")  # no row: %g; 2 is 2 either way


def test_collisions_without_rows_keep_general_format(tmp_path):
    path = _write(tmp_path / "c.log", _collision_frames(), delta=0.25)
    assert collisions(path, "w", "w").endswith("\nFrames: 5\nDuration: 1 seconds\n")
    path = _write(tmp_path / "c2.log", _collision_frames(), delta=0.3)
    assert collisions(path, "w", "w").endswith("\nDuration: 1.2 seconds\n")
    assert collisions(path, "a", "a").endswith("\nDuration: 1 seconds\n")


def test_collisions_erase_last_added_actor_on_destroy(tmp_path):
    frames = _collision_frames()
    frames[3] = {PacketId.EVENT_DEL: _records(PacketId.EVENT_DEL, [(12,)])}  # erases 13, the last added
    text = collisions(_write(tmp_path / "d.log", frames), "a", "a")
    assert "   v o      10 vehicle.lincoln.mkz                     13                                    \n" in text


def test_collisions_reject_bad_letters(tmp_path):
    path = _write(tmp_path / "c.log", _collision_frames())
    with pytest.raises(RecorderFileError, match="type1 must be one of the letters h v w t o a"):
        collisions(path, "x", "a")


def _blocked_frames():
    p = lambda *rows: _records(PacketId.POSITION, [(i, loc, (0, 0, 0)) for i, loc in rows])
    frames = [{PacketId.EVENT_ADD: [_add(1, "vehicle.a", 1), _add(2, "vehicle.b", 1), _add(3, "walker.c", 2)],
               PacketId.POSITION: p((1, (0, 0, 0)), (2, (500, 0, 0)), (3, (0, 0, 0)))}]
    for i in range(1, 80):  # 1 still until t=20 s then moves; 2 crawls 1 cm per frame; 3 never moves
        x1 = 0.0 if i < 40 else 1000.0 + i * 50
        frames.append({PacketId.POSITION: p((1, (x1, 0, 0)), (2, (500.0 + i, 0, 0)), (3, (5, 0, 0)))})
    return frames


def test_blocked_reports_stops_sorted_by_duration(tmp_path):
    path = _write(tmp_path / "b.log", _blocked_frames())
    # walker.c: 80 still frames, the last adding -1.0: 38.5 s, printed %.0f (ties to even)
    # vehicle.a: still for 40 frames of 0.5 s, reported when it moves
    # vehicle.b: creeps 1 cm a frame, so it moves 10 cm every 10 frames (5 s): never 10 s still
    assert actors_blocked(path, 10, 10) == (
        _prologue(1_700_000_000, "Town05") + BLOCKED_HEADER
        + "       0      3 walker.c                                    38\n"
        + "       0      1 vehicle.a                                   20\n"
        + "\nFrames: 80\nDuration: 39.5 seconds\n")


def test_blocked_distance_is_in_centimetres_and_creep_accumulates(tmp_path):
    path = _write(tmp_path / "b.log", _blocked_frames())
    # 4 cm: walker.c's 5 cm step in frame 2 is a move, its stop starts at frame 3 (1 s)
    rows = actors_blocked(path, 10, 4).split("\n")[5:-4]
    assert rows == ["       1      3 walker.c                                    38",
                    "       0      1 vehicle.a                                   20"]
    # 30 cm: vehicle.b's creep stays under the distance for 29 frames at a time (14.5 s), from 0.5 s and
    # from 15.5 s; %.0f rounds halves to even
    rows = actors_blocked(path, 14, 30).split("\n")[5:-4]
    assert rows[2:] == ["       0      2 vehicle.b                                   14",
                        "      16      2 vehicle.b                                   14"]


def test_file_info_show_all_blocks(tmp_path):
    light = _records(PacketId.VEHICLE_LIGHT, [(7, 0), (8, 0x1 | 0x2 | 0x80 | 0x100)])
    anim = _records(PacketId.ANIM_VEHICLE, [(7, 0.5, 1.0, 0.0, 1, -1)])
    state = _records(PacketId.STATE, [(4, 1, 2.5, 2)])
    walker = _records(PacketId.ANIM_WALKER, [(9, 1.25)])
    parent = _records(PacketId.EVENT_PARENT, [(9, 7)])
    path = _write(tmp_path / "s.log", [{PacketId.VEHICLE_LIGHT: light, PacketId.ANIM_VEHICLE: anim,
                                        PacketId.STATE: state, PacketId.ANIM_WALKER: walker,
                                        PacketId.EVENT_PARENT: parent}])
    assert file_info(path, show_all=True) == (
        _prologue(1_700_000_000, "Town05") + "Frame 1 at 0 seconds\n"
        " Parenting 9 with 7 (parent)\n"
        " Positions: 0\n"
        " State traffic lights: 1\n  Id: 4 state: 2 frozen: 1 elapsedTime: 2.5\n"
        " Vehicle animations: 1\n  Id: 7 Steering: 0.5 Throttle: 1 Brake 0 Handbrake: 1 Gear: -1\n"
        " Walker animations: 1\n  Id: 9 speed: 1.25\n"
        " Vehicle light animations: 2\n  Id: 7 None\n  Id: 8 Position LowBeam Interior Fog\n"
        "\nFrames: 1\nDuration: 0 seconds\n")
    assert file_info(path) == (_prologue(1_700_000_000, "Town05") + "Frame 1 at 0 seconds\n"
                               " Parenting 9 with 7 (parent)\n\nFrames: 1\nDuration: 0 seconds\n")


def test_file_info_collision_line_has_spaced_hero_marks(tmp_path):
    text = file_info(_write(tmp_path / "c.log", _collision_frames()))
    assert " Collision id 0 between 10 (hero)  with 11\n" in text
    assert "Frame 2 at 0.5 seconds\n Collision id 0" in text
    assert " Create 10: vehicle.lincoln.mkz (1) at (100, 200.5, 3)\n  role_name = hero\n" in text


def test_missing_file_and_not_a_recording_give_carlas_messages(tmp_path):
    missing = tmp_path / "nope.log"
    for query in (lambda p: file_info(p), lambda p: collisions(p, "a", "a"), lambda p: actors_blocked(p, 30, 10)):
        assert query(missing) == f"File {missing} not found on server\n"
        junk = tmp_path / "junk.log"
        junk.write_bytes(b"\x00garbage" * 50)
        assert query(junk) == "File is not a CARLA recorder\n"
        assert query(tmp_path) == "File is not a CARLA recorder\n"


def test_corrupt_recording_raises_a_clear_error(tmp_path):
    path = _write(tmp_path / "c.log", _collision_frames())
    path.write_bytes(path.read_bytes()[:-30])
    with pytest.raises(RecorderFileError, match="at byte offset"):
        file_info(path)


def test_file_name_resolution():
    assert resolve_recorder_path("test1.log", "/srv/Saved") == "/srv/Saved/test1.log"
    assert resolve_recorder_path("dir/test1.log", "/srv/Saved") == "dir/test1.log"
    assert resolve_recorder_path("C:test1.log", "/srv/Saved") == "C:test1.log"


def test_file_info_json_export(tmp_path):
    info = file_info_dict(_write(tmp_path / "c.log", _collision_frames()))
    text = json.dumps(info)
    assert json.loads(text)["frames"] == 5 and info["map"] == "Town05" and info["date"] == 1_700_000_000
    first = info["events"][0]
    assert first["frame"] == 1 and first["created"][0]["attributes"] == [{"type": 3, "id": "role_name", "value": "hero"}]
    assert info["events"][1]["collisions"][0] == {"collision_id": 0, "id1": 10, "id2": 11, "hero1": True, "hero2": False}
    with pytest.raises(RecorderFileError, match="not found on server"):
        file_info_dict(tmp_path / "missing.log")
