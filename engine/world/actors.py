"""The actor registry: what each actor is (API edge); where it is lives in the physics arrays."""
from __future__ import annotations

import dataclasses
import math
from typing import Callable, Optional

import numpy as np

# CARLA 0.9.14+ semantic tags (CityObjectLabel values).
TAG_PEDESTRIANS = 12
TAG_CAR, TAG_TRUCK, TAG_BUS, TAG_MOTORCYCLE, TAG_BICYCLE = 14, 15, 16, 18, 19
TAG_NONE = 0
_VEHICLE_TAGS = {"car": TAG_CAR, "truck": TAG_TRUCK, "van": TAG_CAR, "bus": TAG_BUS,
                 "motorcycle": TAG_MOTORCYCLE, "bicycle": TAG_BICYCLE}

ATTACHMENT_RIGID, ATTACHMENT_SPRING_ARM, ATTACHMENT_SPRING_ARM_GHOST = 0, 1, 2


@dataclasses.dataclass
class Actor:
    id: int
    type_id: str
    kind: str                              # vehicle, walker, sensor, controller, spectator, static, traffic
    description: list                      # wire ActorDescription [uid, id, [[attr, type, value], ...]]
    extent: tuple = (0.0, 0.0, 0.0)
    slot: int = -1                         # index in the vehicle or walker arrays
    parent_id: int = 0
    attachment_type: int = ATTACHMENT_RIGID
    # Pose for actors without physics arrays (spectator, sensors, controllers, props);
    # for attached actors, the pose relative to the parent.
    location: tuple = (0.0, 0.0, 0.0)
    rotation: tuple = (0.0, 0.0, 0.0)
    stream_id: int = 0
    semantic_tags: bytes = b""
    light_state: int = 0
    attributes: dict = dataclasses.field(default_factory=dict)
    # Writes the type-dependent union of this actor's episode-state record (traffic lights, signs).
    fill_record: Optional[Callable] = None

    @property
    def role_name(self) -> str:
        return self.attributes.get("role_name", "")

    def bounding_box_wire(self) -> list:
        ex, ey, ez = self.extent
        centre_z = ez if self.kind == "vehicle" else 0.0   # a vehicle's origin is on the ground, a walker's mid-body
        return [[0.0, 0.0, centre_z], [ex, ey, ez], [0.0, 0.0, 0.0], self.id]


def semantic_tags_for(kind: str, attributes: dict) -> bytes:
    if kind == "vehicle":
        return bytes([_VEHICLE_TAGS.get(attributes.get("base_type", "car").lower(), TAG_CAR)])
    if kind == "walker":
        return bytes([TAG_PEDESTRIANS])
    return b""


def compose(parent_loc, parent_rot, local_loc, local_rot):
    """World pose of a child rigidly attached at a local pose (scalar math: one pose per call, where
    numpy's per-call overhead would dominate)."""
    parent = rotation_matrix(parent_rot)
    lx, ly, lz = float(local_loc[0]), float(local_loc[1]), float(local_loc[2])
    world_loc = tuple(float(parent_loc[i]) + row[0] * lx + row[1] * ly + row[2] * lz
                      for i, row in enumerate(parent))
    (a0, a1, a2), (b0, b1, b2), (c0, c1, c2) = rotation_matrix(local_rot)
    product = [[r[0] * a0 + r[1] * b0 + r[2] * c0, r[0] * a1 + r[1] * b1 + r[2] * c1,
                r[0] * a2 + r[1] * b2 + r[2] * c2] for r in parent]
    return world_loc, angles_of(product)


def angles_of(matrix) -> tuple:
    """(pitch, yaw, roll) in degrees of a rotation matrix built by rotation_matrix."""
    pitch = math.degrees(math.asin(min(max(float(matrix[2][0]), -1.0), 1.0)))
    yaw = math.degrees(math.atan2(matrix[1][0], matrix[0][0]))
    roll = math.degrees(math.atan2(-matrix[2][1], matrix[2][2]))
    return pitch, yaw, roll


def rotation_matrix(rot) -> list:
    """CARLA/Unreal rotation matrix (pitch about y, yaw about z, roll about x, degrees) as rows."""
    pitch, yaw, roll = (math.radians(float(a)) for a in rot)
    cp, sp, cy, sy = math.cos(pitch), math.sin(pitch), math.cos(yaw), math.sin(yaw)
    cr, sr = math.cos(roll), math.sin(roll)
    return [
        [cp * cy, cy * sp * sr - sy * cr, -cy * sp * cr - sy * sr],
        [cp * sy, sy * sp * sr + cy * cr, -sy * sp * cr + cy * sr],
        [sp, -cp * sr, cp * cr],
    ]


def boxes_overlap_2d(centre, half, yaw_deg, centres: np.ndarray, halves: np.ndarray, yaws_deg: np.ndarray) -> np.ndarray:
    """Separating-axis test of one oriented box against many, in the ground plane."""
    if len(centres) == 0:
        return np.zeros(0, dtype=bool)
    a = np.radians(yaw_deg)
    axes_a = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])          # (2, 2)
    b = np.radians(yaws_deg)
    axes_b = np.stack([np.stack([np.cos(b), np.sin(b)], -1), np.stack([-np.sin(b), np.cos(b)], -1)], 1)  # (n,2,2)
    d = centres[:, :2] - np.asarray(centre[:2])                                     # (n, 2)
    separated = np.zeros(len(centres), dtype=bool)
    for axes in (np.broadcast_to(axes_a, axes_b.shape), axes_b):
        for k in range(2):
            axis = axes[:, k, :]                                                    # (n, 2)
            ra = half[0] * np.abs(axis @ axes_a[0]) + half[1] * np.abs(axis @ axes_a[1])
            rb = (halves[:, 0] * np.abs(np.einsum("ij,ij->i", axis, axes_b[:, 0]))
                  + halves[:, 1] * np.abs(np.einsum("ij,ij->i", axis, axes_b[:, 1])))
            separated |= np.abs(np.einsum("ij,ij->i", d, axis)) > ra + rb
    return ~separated
