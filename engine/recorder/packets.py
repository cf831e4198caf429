"""Packet ids and record layouts of CARLA's recorder file (spec: recorder-format.md, sections 4 and 5).

Fixed-size records are numpy structured dtypes (little endian, packed) so whole packets, and all packets
of one kind in a file, are read and written as arrays. Bools are kept as raw bytes (`u1`) so that every
byte survives a round trip.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np


class PacketId(IntEnum):
    FRAME_START = 0
    FRAME_END = 1
    EVENT_ADD = 2
    EVENT_DEL = 3
    EVENT_PARENT = 4
    COLLISION = 5
    POSITION = 6
    STATE = 7
    ANIM_VEHICLE = 8
    ANIM_WALKER = 9
    VEHICLE_LIGHT = 10
    SCENE_LIGHT = 11
    KINEMATICS = 12
    BOUNDING_BOX = 13
    PLATFORM_TIME = 14
    PHYSICS_CONTROL = 15
    TRAFFIC_LIGHT_TIME = 16
    TRIGGER_VOLUME = 17
    FRAME_COUNTER = 18
    WALKER_BONES = 19
    VISUAL_TIME = 20
    VEHICLE_DOOR = 21
    ANIM_VEHICLE_WHEELS = 22
    ANIM_BIKER = 23


class ActorType(IntEnum):
    OTHER = 0
    VEHICLE = 1
    WALKER = 2
    TRAFFIC_LIGHT = 3
    TRAFFIC_SIGN = 4
    INVALID = 5


MAGIC = "CARLA_RECORDER"
VERSION = 1
NOT_A_RECORDING = "File is not a CARLA recorder"

_VEC3 = ("<f4", (3,))

FRAME_DTYPE = np.dtype([("id", "<u8"), ("duration_this", "<f8"), ("elapsed", "<f8")])

#: Packets made of a uint16 count followed by fixed-size records.
RECORD_DTYPES: dict[int, np.dtype] = {
    PacketId.EVENT_DEL: np.dtype([("id", "<u4")]),
    PacketId.EVENT_PARENT: np.dtype([("id", "<u4"), ("parent", "<u4")]),
    PacketId.COLLISION: np.dtype([("collision_id", "<u4"), ("id1", "<u4"), ("id2", "<u4"),
                                  ("hero1", "u1"), ("hero2", "u1")]),
    PacketId.POSITION: np.dtype([("id", "<u4"), ("location", _VEC3), ("rotation", _VEC3)]),
    PacketId.STATE: np.dtype([("id", "<u4"), ("frozen", "u1"), ("elapsed_time", "<f4"), ("state", "u1")]),
    PacketId.ANIM_VEHICLE: np.dtype([("id", "<u4"), ("steering", "<f4"), ("throttle", "<f4"),
                                     ("brake", "<f4"), ("handbrake", "u1"), ("gear", "<i4")]),
    PacketId.ANIM_WALKER: np.dtype([("id", "<u4"), ("speed", "<f4")]),
    PacketId.VEHICLE_LIGHT: np.dtype([("id", "<u4"), ("state", "<u4")]),
    PacketId.SCENE_LIGHT: np.dtype([("light_id", "<i4"), ("intensity", "<f4"), ("color", ("<f4", (4,))),
                                    ("on", "u1"), ("light_type", "u1")]),
    PacketId.KINEMATICS: np.dtype([("id", "<u4"), ("linear_velocity", _VEC3), ("angular_velocity", _VEC3)]),
    PacketId.BOUNDING_BOX: np.dtype([("id", "<u4"), ("origin", _VEC3), ("extent", _VEC3)]),
    PacketId.TRAFFIC_LIGHT_TIME: np.dtype([("id", "<u4"), ("green", "<f4"), ("yellow", "<f4"), ("red", "<f4")]),
    PacketId.TRIGGER_VOLUME: np.dtype([("id", "<u4"), ("origin", _VEC3), ("extent", _VEC3)]),
    PacketId.VEHICLE_DOOR: np.dtype([("id", "<u4"), ("door", "u1"), ("is_open", "u1")]),
    PacketId.ANIM_BIKER: np.dtype([("id", "<u4"), ("forward_speed", "<f4"), ("engine_rotation", "<f4")]),
}

#: Packets holding one scalar and no count.
SCALAR_DTYPES: dict[int, np.dtype] = {
    PacketId.PLATFORM_TIME: np.dtype("<f8"),
    PacketId.FRAME_COUNTER: np.dtype("<u8"),
    PacketId.VISUAL_TIME: np.dtype("<f8"),
}

#: Packets with variable-size records, decoded into Python objects.
VARIABLE_IDS = frozenset({PacketId.EVENT_ADD, PacketId.PHYSICS_CONTROL, PacketId.WALKER_BONES,
                          PacketId.ANIM_VEHICLE_WHEELS})

# Physics control parts (UE4 builds).
TORQUE_POINT_DTYPE = np.dtype([("x", "<f4"), ("y", "<f4")])
GEAR_DTYPE = np.dtype([("ratio", "<f4"), ("down_ratio", "<f4"), ("up_ratio", "<f4")])
WHEEL_PHYSICS_DTYPE = np.dtype([
    ("tire_friction", "<f4"), ("damping_rate", "<f4"), ("max_steer_angle", "<f4"), ("radius", "<f4"),
    ("max_brake_torque", "<f4"), ("max_handbrake_torque", "<f4"), ("lat_stiff_max_load", "<f4"),
    ("lat_stiff_value", "<f4"), ("long_stiff_value", "<f4"), ("position", _VEC3)])
PHYSICS_SCALARS_DTYPE = np.dtype([
    ("id", "<u4"), ("max_rpm", "<f4"), ("moi", "<f4"), ("damping_rate_full_throttle", "<f4"),
    ("damping_rate_zero_throttle_clutch_engaged", "<f4"),
    ("damping_rate_zero_throttle_clutch_disengaged", "<f4"), ("use_gear_autobox", "u1"),
    ("clutch_strength", "<f4"), ("final_ratio", "<f4"), ("mass", "<f4"), ("drag_coefficient", "<f4"),
    ("center_of_mass", _VEC3)])
WHEEL_ANIM_DTYPE = np.dtype([("location", "u1"), ("steering_angle", "<f4"), ("tire_rotation", "<f4")])
BONE_VECTORS_DTYPE = np.dtype([("location", _VEC3), ("rotation", _VEC3)])

#: Default gear_switch_time of carla::rpc::VehiclePhysicsControl; the file does not store it.
DEFAULT_GEAR_SWITCH_TIME = np.float32(0.5)


@dataclass(frozen=True)
class ActorAttribute:
    type: int
    id: str
    value: str


@dataclass(frozen=True)
class ActorAdd:
    """One EventAdd record; location in cm, rotation in degrees as (roll, pitch, yaw)."""
    database_id: int
    type: int
    location: tuple[float, float, float]
    rotation: tuple[float, float, float]
    uid: int
    blueprint_id: str
    attributes: tuple[ActorAttribute, ...] = ()


@dataclass(frozen=True)
class PhysicsControlRecord:
    """One PhysicsControl record. `scalars` is a PHYSICS_SCALARS_DTYPE record (id included).

    `wheels` is a WHEEL_PHYSICS_DTYPE array, or raw bytes when the file's wheel struct has another size
    (then `wheel_count` says how many wheels those bytes hold).
    """
    scalars: np.void
    torque_curve: np.ndarray
    forward_gears: np.ndarray
    steering_curve: np.ndarray
    wheels: np.ndarray | bytes
    wheel_count: int

    @property
    def database_id(self) -> int:
        return int(self.scalars["id"])


@dataclass(frozen=True)
class WalkerBonesRecord:
    database_id: int
    names: tuple[str, ...]
    transforms: np.ndarray = field(repr=False)  # BONE_VECTORS_DTYPE, one per name


@dataclass(frozen=True)
class VehicleWheelsRecord:
    database_id: int
    wheels: np.ndarray  # WHEEL_ANIM_DTYPE
