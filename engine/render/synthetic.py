"""Small synthetic scenes made of boxes and planes, for render tests and benchmarks."""
from __future__ import annotations

import numpy as np

from engine.render.scene_data import FLAG_EMISSIVE, FLAG_PAINT, CameraRequest, Instances, Mesh

TAG_ROAD = 1
TAG_BUILDING = 3
TAG_CAR = 14
TAG_TERRAIN = 10


def box_mesh(center, size, color, tag: int, flags: int = 0) -> Mesh:
    """An axis-aligned box, 24 vertices with flat normals, counter-clockwise seen from outside."""
    center = np.asarray(center, np.float64)
    half = np.asarray(size, np.float64) * 0.5
    positions, normals, indices = [], [], []
    for axis in range(3):
        for sign in (-1.0, 1.0):
            n = np.zeros(3)
            n[axis] = sign
            u = np.zeros(3)
            u[(axis + 1) % 3] = 1.0
            v = np.cross(n, u)
            base = len(positions)
            for a, b in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
                positions.append(center + half * (n + a * u + b * v))
                normals.append(n)
            indices += [base, base + 1, base + 2, base, base + 2, base + 3]
    count = len(positions)
    return Mesh(np.array(positions, np.float32), np.array(normals, np.float32),
                np.tile(np.asarray(color, np.float32), (count, 1)), np.full(count, tag, np.uint8),
                np.array(indices, np.uint32), np.full(count, flags, np.uint8))


def plane_mesh(size_x: float, size_y: float, color, tag: int, z: float = 0.0, center=(0.0, 0.0)) -> Mesh:
    """A horizontal rectangle facing up."""
    cx, cy = center
    hx, hy = size_x * 0.5, size_y * 0.5
    positions = np.array([[cx - hx, cy - hy, z], [cx + hx, cy - hy, z], [cx + hx, cy + hy, z],
                          [cx - hx, cy + hy, z]], np.float32)
    return Mesh(positions, np.tile(np.float32([0.0, 0.0, 1.0]), (4, 1)),
                np.tile(np.asarray(color, np.float32), (4, 1)), np.full(4, tag, np.uint8),
                np.array([0, 1, 2, 0, 2, 3], np.uint32))


def vehicle_model() -> Mesh:
    """A box 'car' (4.5 x 2 x 1.5 m) standing on its origin, painted by its instance."""
    return box_mesh((0.0, 0.0, 0.75), (4.5, 2.0, 1.5), (1.0, 1.0, 1.0), TAG_CAR, FLAG_PAINT)


def box_field(count: int, seed: int = 7, radius: float = 120.0):
    """A ground plane with a road strip and `count` painted box cars around the origin.

    Returns (static mesh, models, instances)."""
    rng = np.random.default_rng(seed)
    ground = plane_mesh(2 * radius + 100.0, 2 * radius + 100.0, (0.25, 0.3, 0.2), TAG_TERRAIN)
    road = plane_mesh(2 * radius + 100.0, 12.0, (0.12, 0.12, 0.13), TAG_ROAD, z=0.02)
    buildings = [box_mesh((x, y, 6.0), (10.0, 10.0, 12.0), (0.55, 0.5, 0.45), TAG_BUILDING)
                 for x in np.arange(-radius, radius + 1, 40.0) for y in (-30.0, 30.0)]
    static = Mesh.merge([ground, road] + buildings)
    angle = rng.uniform(0.0, 2.0 * np.pi, count)
    dist = rng.uniform(8.0, radius, count)
    location = np.stack([dist * np.cos(angle), dist * np.sin(angle), np.zeros(count)], axis=1)
    rotation = np.stack([np.zeros(count), rng.uniform(-180.0, 180.0, count), np.zeros(count)], axis=1)
    instances = Instances(
        model=np.zeros(count, np.int32), location=location.astype(np.float32),
        rotation=rotation.astype(np.float32), paint=rng.uniform(0.05, 0.9, (count, 3)).astype(np.float32),
        actor_id=np.arange(1, count + 1, dtype=np.uint32))
    return static, [vehicle_model()], instances


GOLDEN_SIZE = (160, 120)


def golden_scene():
    """The small fixed scene of the golden-image tests: ground, a road, a building, a pole, a lit
    traffic-light box and the box car instanced twice with two paint colours (actor ids 7 and 300).

    Returns (static mesh, models, instances); `golden_request` gives the camera."""
    static = Mesh.merge([
        plane_mesh(160.0, 160.0, (0.25, 0.32, 0.2), TAG_TERRAIN),
        plane_mesh(160.0, 8.0, (0.1, 0.1, 0.11), TAG_ROAD, z=0.02),
        box_mesh((25.0, -10.0, 4.0), (8.0, 6.0, 8.0), (0.5, 0.3, 0.25), TAG_BUILDING),
        box_mesh((15.0, 6.0, 2.5), (0.3, 0.3, 5.0), (0.6, 0.6, 0.6), 6),
        box_mesh((15.0, 5.6, 4.6), (0.4, 0.5, 0.8), (1.0, 0.7, 0.1), 7, FLAG_EMISSIVE),
    ])
    instances = Instances(
        model=np.array([0, 0], np.int32),
        location=np.array([[12.0, -2.0, 0.0], [20.0, 3.0, 0.0]], np.float32),
        rotation=np.array([[0.0, 15.0, 0.0], [0.0, -30.0, 0.0]], np.float32),
        paint=np.array([[0.7, 0.05, 0.05], [0.05, 0.15, 0.6]], np.float32),
        actor_id=np.array([7, 300], np.uint32))
    return static, [vehicle_model()], instances


def golden_request(kind: str):
    width, height = GOLDEN_SIZE
    return CameraRequest(kind, width, height, 90.0, (-4.0, 0.0, 3.5), (-10.0, 0.0, 0.0))
