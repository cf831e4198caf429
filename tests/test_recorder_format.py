"""Recorder file layer: parsing real CARLA recordings, byte-identical writing, frame-by-frame writer, bad input."""

import hashlib
import struct
from pathlib import Path

import numpy as np
import pytest

from engine.recorder import (
    ActorAdd, ActorAttribute, NotARecordingError, PacketId, RecorderFileError, RecordingWriter, parse_recording,
    read_recording, recording_bytes, standard_frame_packets,
)
from engine.recorder.packets import RECORD_DTYPES

RECORDINGS = Path(__file__).resolve().parents[1].parent / "shared" / "testdata" / "carla-recordings"
REAL = sorted(RECORDINGS.glob("*.log"))
EXPECTED = {  # frames, duration, EventAdd records in frame 1 (testdata README)
    "scenario_runner_DistanceBetweenVehicles.log": (847, "24.7237", 176),
    "scenario_runner_DistanceToLaneCenter.log": (432, "12.5282", 178),
}

needs_real = pytest.mark.skipif(not REAL, reason="shared/testdata/carla-recordings is not beside the checkout")


@needs_real
@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_recording_parses_with_no_bytes_left_over(path):
    data = path.read_bytes()
    rec = parse_recording(data)
    assert rec.size == len(data) and rec.dropped_bytes == 0
    assert rec.header.version == 1 and rec.header.map_name == "Town01"
    frames, duration, created = EXPECTED[path.name]
    assert rec.frame_count == frames and "%g" % rec.duration == duration
    assert np.array_equal(rec.frames["id"], np.arange(1, frames + 1))
    assert rec.frames["elapsed"][0] == 0.0 and rec.frames["duration_this"][-1] == -1.0
    assert np.array_equal(rec.frames["elapsed"][:-1] + rec.frames["duration_this"][:-1], rec.frames["elapsed"][1:])
    assert len(rec.objects(PacketId.EVENT_ADD)[0]) == created
    counts = np.bincount(rec.packets["id"], minlength=24)
    for pid in range(11):
        assert counts[pid] == frames, PacketId(pid).name
    assert counts[PacketId.BOUNDING_BOX] == counts[PacketId.PLATFORM_TIME] == frames
    assert counts[PacketId.PHYSICS_CONTROL] == counts[PacketId.TRAFFIC_LIGHT_TIME] == 1
    assert counts[17:].sum() == 0


@needs_real
@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_recording_round_trips_byte_identical(path):
    data = path.read_bytes()
    out = recording_bytes(parse_recording(data))
    assert hashlib.sha256(out).hexdigest() == hashlib.sha256(data).hexdigest()


@needs_real
def test_position_table_covers_every_frame():
    rec = read_recording(REAL[0])
    positions = rec.table(PacketId.POSITION)
    assert len(positions.starts) == rec.frame_count + 1
    assert np.array_equal(np.unique(positions.record_frames), np.arange(rec.frame_count))
    first = positions.packet(0)
    assert first["id"][0] == 1 and first.dtype.itemsize == 28


def _position(actor_id, x, y=0.0, z=0.0):
    return np.array([(actor_id, (x, y, z), (0.0, 0.0, 0.0))], RECORD_DTYPES[PacketId.POSITION])


def _add(actor_id, blueprint, type_=1, attributes=()):
    return ActorAdd(actor_id, type_, (0.0, 0.0, 0.0), (0.0, 0.0, 0.0), 7, blueprint, tuple(attributes))


def test_writer_patches_durations_and_leaves_last_frame_at_minus_one(tmp_path):
    path = tmp_path / "w.log"
    with RecordingWriter(path, "Town01", date=1_600_000_000) as w:
        for i in range(5):
            w.write_frame(standard_frame_packets({PacketId.POSITION: _position(1, i * 10.0)}), 0.05)
    rec = read_recording(path)
    assert rec.header.map_name == "Town01" and rec.header.date == 1_600_000_000
    assert rec.frames["id"].tolist() == [1, 2, 3, 4, 5]
    assert rec.frames["duration_this"].tolist() == [0.05, 0.05, 0.05, 0.05, -1.0]
    assert rec.frames["elapsed"][0] == 0.0 and rec.frames["elapsed"][-1] == pytest.approx(0.2)
    assert rec.table(PacketId.POSITION).records["location"][:, 0].tolist() == [0, 10, 20, 30, 40]
    assert path.read_bytes() == recording_bytes(rec)


def test_writer_file_is_readable_after_each_frame_before_close(tmp_path):
    path = tmp_path / "live.log"
    w = RecordingWriter(path, "Town02", date=0)
    try:
        for i in range(3):
            w.write_frame(standard_frame_packets({}), 0.1)
            rec = read_recording(path)
            assert rec.frame_count == i + 1 and rec.frames["duration_this"][-1] == -1.0
    finally:
        w.close()


def test_writer_frame_order_is_carlas_with_additional_data(tmp_path):
    path = tmp_path / "add.log"
    with RecordingWriter(path, "Town01", date=0) as w:
        w.write_frame(standard_frame_packets({PacketId.EVENT_ADD: [_add(5, "vehicle.tesla.model3")],
                                              PacketId.PLATFORM_TIME: 0.25}, additional_data=True))
    ids = read_recording(path).packets["id"].tolist()
    assert ids == [0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 1]


def test_variable_and_unknown_packets_round_trip(tmp_path):
    bones = np.zeros(2, [("location", "<f4", (3,)), ("rotation", "<f4", (3,))])
    bones["location"][1] = (1.5, 2.5, 3.5)
    from engine.recorder.packets import VehicleWheelsRecord, WalkerBonesRecord, WHEEL_ANIM_DTYPE
    wheels = np.array([(0, 10.0, 45.0), (1, 10.0, 45.0)], WHEEL_ANIM_DTYPE)
    path = tmp_path / "var.log"
    with RecordingWriter(path, "Town03", date=5) as w:
        w.write_frame([
            (PacketId.EVENT_ADD, [_add(9, "walker.pedestrian.0001", 2, [ActorAttribute(3, "role_name", "héro")])]),
            (PacketId.WALKER_BONES, [WalkerBonesRecord(9, ("root", "spine"), bones)]),
            (PacketId.ANIM_VEHICLE_WHEELS, [VehicleWheelsRecord(4, wheels)]),
            (PacketId.FRAME_COUNTER, 123456),
            (PacketId.VISUAL_TIME, 1.25),
            (150, b"user packet"),
        ])
    data = path.read_bytes()
    rec = parse_recording(data)
    assert recording_bytes(rec) == data
    packets = dict(rec.frame_packets(0))
    assert packets[PacketId.EVENT_ADD][0].attributes[0].value == "héro"
    assert packets[PacketId.WALKER_BONES][0].names == ("root", "spine")
    assert packets[PacketId.ANIM_VEHICLE_WHEELS][0].wheels["tire_rotation"].tolist() == [45.0, 45.0]
    assert packets[PacketId.FRAME_COUNTER] == 123456 and packets[150] == b"user packet"


# --- bad input --------------------------------------------------------------------------------------------

def _small_recording(tmp_path, frames=3):
    path = tmp_path / "small.log"
    with RecordingWriter(path, "Town01", date=0) as w:
        for i in range(frames):
            w.write_frame(standard_frame_packets({PacketId.POSITION: _position(1, float(i))}), 0.1)
    return path.read_bytes()


def test_truncated_file_names_the_packet_and_offset(tmp_path):
    data = _small_recording(tmp_path)
    with pytest.raises(RecorderFileError, match=r"claims \d+ payload bytes.*at byte offset \d+"):
        parse_recording(data[:-40])


def test_truncated_tail_can_be_dropped_to_the_last_whole_frame(tmp_path):
    data = _small_recording(tmp_path)
    rec = parse_recording(data[:-40], complete_frames_only=True)
    assert rec.frame_count == 2 and rec.dropped_bytes > 0


def test_leftover_bytes_after_last_packet_are_an_error(tmp_path):
    data = _small_recording(tmp_path)
    with pytest.raises(RecorderFileError, match="3 bytes left over"):
        parse_recording(data + b"\x01\x02\x03")


def test_corrupt_packet_size_is_an_error(tmp_path):
    data = bytearray(_small_recording(tmp_path))
    rec = parse_recording(bytes(data))
    pos = int(rec.packets["offset"][rec.packets["id"] == PacketId.POSITION][0])
    struct.pack_into("<I", data, pos + 1, 0x7FFF0000)
    with pytest.raises(RecorderFileError, match=rf"POSITION packet \(id 6\) claims .* offset {pos}\)"):
        parse_recording(bytes(data))


def test_record_count_not_matching_packet_size_is_an_error(tmp_path):
    data = bytearray(_small_recording(tmp_path))
    rec = parse_recording(bytes(data))
    pos = int(rec.packets["offset"][rec.packets["id"] == PacketId.POSITION][0])
    struct.pack_into("<H", data, pos + 5, 2)
    with pytest.raises(RecorderFileError, match=rf"POSITION packet: size 30 does not match its 2 records .* {pos}\)"):
        parse_recording(bytes(data))


def test_corrupt_frame_start_size_is_an_error(tmp_path):
    data = bytearray(_small_recording(tmp_path))
    first = 28 + len("Town01")
    struct.pack_into("<I", data, first + 1, 16)
    with pytest.raises(RecorderFileError, match="FRAME_START"):
        parse_recording(bytes(data))


def test_corrupt_event_add_is_an_error(tmp_path):
    path = tmp_path / "add.log"
    with RecordingWriter(path, "Town01", date=0) as w:
        w.write_frame([(PacketId.EVENT_ADD, [_add(3, "vehicle.audi.tt")])])
    data = bytearray(path.read_bytes())
    pos = 28 + 6 + 5 + 24
    struct.pack_into("<H", data, pos + 5 + 2 + 4 + 1 + 24 + 4, 200)  # blueprint id length past the payload
    with pytest.raises(RecorderFileError, match="EVENT_ADD packet: payload too short for blueprint id"):
        parse_recording(bytes(data))


def test_random_bytes_are_not_a_recording():
    rng = np.random.default_rng(1)
    with pytest.raises(NotARecordingError, match="^File is not a CARLA recorder$"):
        parse_recording(rng.integers(0, 256, 5000, dtype=np.uint8).tobytes())
    with pytest.raises(NotARecordingError):
        parse_recording(b"")


def test_truncated_header_is_an_error():
    header = struct.pack("<HH", 1, 14) + b"CARLA_RECORDER" + struct.pack("<qH", 0, 6) + b"Tow"
    with pytest.raises(RecorderFileError, match="header is truncated"):
        parse_recording(header)


def test_directory_or_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(RecorderFileError, match="cannot read recorder file"):
        read_recording(tmp_path)
    with pytest.raises(RecorderFileError, match="cannot read recorder file .*missing.log"):
        read_recording(tmp_path / "missing.log")


def test_writer_refuses_unwritable_path_and_closed_file(tmp_path):
    with pytest.raises(RecorderFileError, match="cannot open recorder file"):
        RecordingWriter(tmp_path / "no" / "such" / "dir.log", "Town01")
    w = RecordingWriter(tmp_path / "c.log", "Town01")
    w.close()
    with pytest.raises(RecorderFileError, match="closed"):
        w.write_frame([])
