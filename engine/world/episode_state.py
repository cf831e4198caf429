"""Episode-state message (sensor type 17): 36-byte header and 119-byte actor records.

Layout from the wire-protocol spec, section 2.2. Records are built as one numpy structured array
per tick, so the cost per actor is a column copy, not a struct.pack call.
"""
from __future__ import annotations

import struct

import numpy as np

EPISODE_STATE_SENSOR_TYPE = 17
ACTOR_ACTIVE = 1

_SENSOR_HEADER = struct.Struct("<QQd3f3f")        # type, frame, timestamp, location, rotation: 48 bytes
_STATE_HEADER = struct.Struct("<Qdf3iI")          # episode, platform time, delta, map origin, sim state: 36

RECORD = np.dtype({
    "names": ["id", "state", "transform", "velocity", "angular_velocity", "acceleration",
              "throttle", "steer", "brake", "hand_brake", "reverse", "manual_gear_shift", "gear",
              "speed_limit", "tl_state", "has_tl", "tl_id",
              "walker_direction", "walker_speed", "walker_jump"],
    "formats": ["<u4", "u1", ("<f4", 6), ("<f4", 3), ("<f4", 3), ("<f4", 3),
                "<f4", "<f4", "<f4", "u1", "u1", "u1", "<i4",
                "<f4", "u1", "u1", "<u4",
                ("<f4", 3), "<f4", "u1"],
    "offsets": [0, 4, 5, 29, 41, 53,
                65, 69, 73, 77, 78, 79, 80,
                84, 88, 89, 90,
                65, 77, 81],
    "itemsize": 119,
})
assert RECORD.itemsize == 119


def sensor_header(sensor_type: int, frame: int, timestamp: float, transform=((0.0, 0.0, 0.0), (0.0, 0.0, 0.0))) -> bytes:
    (x, y, z), (pitch, yaw, roll) = transform
    return _SENSOR_HEADER.pack(sensor_type, frame, timestamp, x, y, z, pitch, yaw, roll)


def encode(frame: int, timestamp: float, episode_id: int, platform_time: float, delta_seconds: float,
           records: np.ndarray, simulation_state: int = 0) -> bytes:
    """The whole payload of one episode-state message."""
    return b"".join((
        sensor_header(EPISODE_STATE_SENSOR_TYPE, frame, timestamp),
        _STATE_HEADER.pack(episode_id, platform_time, delta_seconds, 0, 0, 0, simulation_state),
        records.tobytes(),
    ))
