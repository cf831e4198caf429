"""What the renderer draws, as plain numpy data (no GL): meshes, per-frame instances, camera requests.

Coordinates are CARLA's: metres, x forward, y right, z up (left-handed), rotations (pitch, yaw, roll)
in degrees. The renderer converts to GL once, at upload.
"""
from __future__ import annotations

import dataclasses
from typing import Optional

import numpy as np

# Per-vertex material flags.
FLAG_PAINT = 1        # albedo replaced by the instance's paint colour (vehicle bodies)
FLAG_EMISSIVE = 2     # lit regardless of the sun (lamps, traffic-light lenses)


@dataclasses.dataclass
class Mesh:
    """Indexed triangles. Static meshes are in world coordinates; models in the actor's local frame."""
    positions: np.ndarray            # (n, 3) float32
    normals: np.ndarray              # (n, 3) float32, unit length
    colors: np.ndarray               # (n, 3) float32 linear albedo in 0..1
    tags: np.ndarray                 # (n,) uint8 CARLA semantic tag (CityObjectLabel, 0.9.14+ values)
    indices: np.ndarray              # (m,) uint32, three per triangle, counter-clockwise seen from outside
    flags: Optional[np.ndarray] = None   # (n,) uint8 FLAG_* bits; None means all zero

    def __post_init__(self):
        n = len(self.positions)
        if self.flags is None:
            self.flags = np.zeros(n, dtype=np.uint8)
        for name, width in (("normals", 3), ("colors", 3)):
            if getattr(self, name).shape != (n, width):
                raise ValueError(f"mesh {name} must have shape ({n}, {width})")
        if self.tags.shape != (n,) or self.flags.shape != (n,):
            raise ValueError("mesh tags and flags need one value per vertex")
        if len(self.indices) % 3 or (len(self.indices) and int(self.indices.max()) >= n):
            raise ValueError("mesh indices must be triangles of existing vertices")

    @staticmethod
    def merge(meshes) -> "Mesh":
        meshes = [m for m in meshes if len(m.indices)]
        if not meshes:
            return empty_mesh()
        offsets = np.cumsum([0] + [len(m.positions) for m in meshes[:-1]])
        return Mesh(
            positions=np.concatenate([m.positions for m in meshes]).astype(np.float32),
            normals=np.concatenate([m.normals for m in meshes]).astype(np.float32),
            colors=np.concatenate([m.colors for m in meshes]).astype(np.float32),
            tags=np.concatenate([m.tags for m in meshes]).astype(np.uint8),
            indices=np.concatenate([m.indices + o for m, o in zip(meshes, offsets)]).astype(np.uint32),
            flags=np.concatenate([m.flags for m in meshes]).astype(np.uint8),
        )


def empty_mesh() -> Mesh:
    return Mesh(np.zeros((0, 3), np.float32), np.zeros((0, 3), np.float32), np.zeros((0, 3), np.float32),
                np.zeros(0, np.uint8), np.zeros(0, np.uint32))


@dataclasses.dataclass
class Instances:
    """Everything that moves, for one frame: one row per drawn actor."""
    model: np.ndarray                # (k,) int32 index into the renderer's model list
    location: np.ndarray             # (k, 3) float32 world location of the actor origin
    rotation: np.ndarray             # (k, 3) float32 pitch, yaw, roll in degrees
    paint: np.ndarray                # (k, 3) float32 linear paint colour for FLAG_PAINT vertices
    actor_id: np.ndarray             # (k,) uint32, written by the instance-segmentation camera


@dataclasses.dataclass(frozen=True)
class CameraRequest:
    """One camera image to render this frame."""
    kind: str                        # "rgb", "depth", "semantic_segmentation", "instance_segmentation"
    width: int
    height: int
    fov: float                       # horizontal field of view, degrees
    location: tuple                  # world location of the camera
    rotation: tuple                  # world pitch, yaw, roll of the camera (looks along its +x)
    gamma: float = 2.2
    exclude_actor: int = 0           # the actor the camera is attached to is still drawn (CARLA draws it)
