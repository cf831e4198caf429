"""Low-poly building blocks for meshes: boxes, extruded profiles, cylinders, rings, spheres, cones.

Everything here is built in a right-handed frame (x forward/east, y left/north, z up) where a triangle
(a, b, c) winds counter-clockwise seen from outside, i.e. cross(b - a, c - a) points out of the solid.
:meth:`MeshBuilder.build` mirrors y into CARLA's left-handed frame (y right), which keeps the faces
counter-clockwise as seen from outside; numerically, in CARLA coordinates, cross(b - a, c - a) then
points into the solid, opposite the vertex normal.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from engine.render.scene_data import Mesh, empty_mesh


@dataclasses.dataclass
class Part:
    """Triangles of one material: (n, 3) positions and unit normals, (m,) indices."""
    positions: np.ndarray
    normals: np.ndarray
    indices: np.ndarray

    def moved(self, rotation: np.ndarray = None, offset=(0.0, 0.0, 0.0)) -> "Part":
        """This part rotated by a 3x3 matrix (about the origin), then shifted."""
        positions, normals = self.positions, self.normals
        if rotation is not None:
            positions = positions @ rotation.T
            normals = normals @ rotation.T
        return Part(positions + np.asarray(offset, dtype=np.float64), normals, self.indices)


def merge_parts(parts) -> Part:
    parts = [p for p in parts if len(p.indices)]
    if not parts:
        return Part(np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0, np.int64))
    offsets = np.cumsum([0] + [len(p.positions) for p in parts[:-1]])
    return Part(np.concatenate([p.positions for p in parts]), np.concatenate([p.normals for p in parts]),
                np.concatenate([p.indices + o for p, o in zip(parts, offsets)]))


class MeshBuilder:
    """Collects parts with their colour, semantic tag and flags; builds one CARLA-frame :class:`Mesh`."""

    def __init__(self):
        self._positions, self._normals, self._colors, self._tags, self._flags, self._indices = [], [], [], [], [], []
        self._count = 0

    def add(self, part: Part, color, tag, flags=0) -> None:
        """Add a part; colour (3,) or (n, 3) linear RGB, tag and flags scalars or (n,) arrays."""
        n = len(part.positions)
        if n == 0 or len(part.indices) == 0:
            return
        self._positions.append(np.asarray(part.positions, dtype=np.float64))
        self._normals.append(np.asarray(part.normals, dtype=np.float64))
        self._colors.append(np.broadcast_to(np.asarray(color, dtype=np.float32), (n, 3)))
        self._tags.append(np.broadcast_to(np.asarray(tag, dtype=np.uint8), (n,)))
        self._flags.append(np.broadcast_to(np.asarray(flags, dtype=np.uint8), (n,)))
        self._indices.append(np.asarray(part.indices, dtype=np.int64) + self._count)
        self._count += n

    def build(self) -> Mesh:
        if not self._positions:
            return empty_mesh()
        mirror = np.array([1.0, -1.0, 1.0])
        normals = np.concatenate(self._normals)
        lengths = np.linalg.norm(normals, axis=1, keepdims=True)
        normals = normals / np.where(lengths > 0.0, lengths, 1.0)
        return Mesh(
            positions=(np.concatenate(self._positions) * mirror).astype(np.float32),
            normals=(normals * mirror).astype(np.float32),
            colors=np.concatenate(self._colors).astype(np.float32),
            tags=np.concatenate(self._tags).astype(np.uint8),
            indices=np.concatenate(self._indices).astype(np.uint32),
            flags=np.concatenate(self._flags).astype(np.uint8),
        )


# -- helpers -----------------------------------------------------------------------------------------------------

def rotation_z(angle: float) -> np.ndarray:
    """Right-handed rotation about z by ``angle`` radians (counter-clockwise seen from above)."""
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def rotation_x(angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def rotation_y(angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def _quads(corners: np.ndarray, normals: np.ndarray) -> Part:
    """Flat quads from (k, 4, 3) corners listed counter-clockwise seen from outside, with (k, 3) normals."""
    k = len(corners)
    base = 4 * np.arange(k)[:, None]
    indices = (base + np.array([0, 1, 2, 0, 2, 3])).reshape(-1)
    return Part(corners.reshape(-1, 3), np.repeat(normals, 4, axis=0), indices)


def srgb_to_linear(rgb) -> np.ndarray:
    """sRGB components in 0..1 -> linear."""
    c = np.asarray(rgb, dtype=np.float64)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def srgb8(r: int, g: int, b: int) -> np.ndarray:
    """Linear colour of sRGB bytes."""
    return srgb_to_linear(np.array([r, g, b]) / 255.0).astype(np.float32)


# -- solids ------------------------------------------------------------------------------------------------------

_BOX_FACES = (  # (normal, four corner selectors counter-clockwise seen from outside); 0 = low, 1 = high
    ((1, 0, 0), ((1, 0, 0), (1, 1, 0), (1, 1, 1), (1, 0, 1))),
    ((-1, 0, 0), ((0, 1, 0), (0, 0, 0), (0, 0, 1), (0, 1, 1))),
    ((0, 1, 0), ((1, 1, 0), (0, 1, 0), (0, 1, 1), (1, 1, 1))),
    ((0, -1, 0), ((0, 0, 0), (1, 0, 0), (1, 0, 1), (0, 0, 1))),
    ((0, 0, 1), ((0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 1, 1))),
    ((0, 0, -1), ((0, 0, 0), (0, 1, 0), (1, 1, 0), (1, 0, 0))),
)
FACE_NAMES = ("+x", "-x", "+y", "-y", "+z", "-z")


def box(lo, hi, faces=FACE_NAMES) -> Part:
    """Axis-aligned box from corner ``lo`` to corner ``hi``; ``faces`` picks which sides to keep."""
    lo, hi = np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)
    bounds = np.stack([lo, hi])
    corners, normals = [], []
    for name, (normal, selectors) in zip(FACE_NAMES, _BOX_FACES):
        if name in faces:
            corners.append([[bounds[sx, 0], bounds[sy, 1], bounds[sz, 2]] for sx, sy, sz in selectors])
            normals.append(normal)
    return _quads(np.array(corners, dtype=np.float64), np.array(normals, dtype=np.float64))


def centered_box(center, half_size, faces=FACE_NAMES) -> Part:
    center, half_size = np.asarray(center, dtype=np.float64), np.asarray(half_size, dtype=np.float64)
    return box(center - half_size, center + half_size, faces)


def extrude_xz(profile, y_min: float, y_max: float) -> tuple:
    """A convex polygon in the x-z plane extruded across y: returns (caps, [one quad per edge]).

    The profile is a (k, 2) array of (x, z) points in either order; edge i joins point i to i + 1.
    """
    p = np.asarray(profile, dtype=np.float64)
    area = 0.5 * np.sum(p[:, 0] * np.roll(p[:, 1], -1) - np.roll(p[:, 0], -1) * p[:, 1])
    reversed_order = area < 0.0
    if reversed_order:  # make it counter-clockwise in (x, z), so edge normals (dz, -dx) point outwards
        p = p[::-1]
    k = len(p)
    # Seen from +y looking towards -y, (x, z) counter-clockwise is clockwise: the +y cap reverses it.
    left = np.column_stack([p[:, 0], np.full(k, y_max), p[:, 1]])
    right = np.column_stack([p[:, 0], np.full(k, y_min), p[:, 1]])
    fan = np.array([[0, i + 1, i] for i in range(1, k - 1)])
    caps = Part(np.concatenate([left, right]),
                np.concatenate([np.tile([0.0, 1.0, 0.0], (k, 1)), np.tile([0.0, -1.0, 0.0], (k, 1))]),
                np.concatenate([fan.reshape(-1), fan[:, [0, 2, 1]].reshape(-1) + k]))
    edges = []
    for i in range(k):
        j = (i + 1) % k
        dx, dz = p[j] - p[i]
        normal = np.array([dz, 0.0, -dx])
        corners = np.array([[right[i], left[i], left[j], right[j]]])
        edges.append(_quads(corners, normal[None, :] / max(np.linalg.norm(normal), 1e-12)))
    if reversed_order:  # report edges in the caller's order
        edges = [edges[(k - 2 - i) % k] for i in range(k)]
    return caps, edges


def cylinder(radius: float, z0: float, z1: float, segments: int = 12, caps=(True, True), radius_top=None) -> Part:
    """Cylinder (or frustum when ``radius_top`` is given) around the z axis from z0 to z1."""
    top_radius = radius if radius_top is None else radius_top
    angles = 2.0 * np.pi * np.arange(segments) / segments
    c, s = np.cos(angles), np.sin(angles)
    bottom = np.column_stack([radius * c, radius * s, np.full(segments, z0)])
    top = np.column_stack([top_radius * c, top_radius * s, np.full(segments, z1)])
    slope = (radius - top_radius) / max(z1 - z0, 1e-12)
    side_normals = np.column_stack([c, s, np.full(segments, slope)])
    i = np.arange(segments)
    j = (i + 1) % segments
    side = np.stack([i, j, segments + j, i, segments + j, segments + i], axis=1).reshape(-1)
    parts = [Part(np.concatenate([bottom, top]), np.concatenate([side_normals, side_normals]), side)]
    fan = np.array([[0, t, t + 1] for t in range(1, segments - 1)]).reshape(-1)
    if caps[0]:
        bottom_fan = fan.reshape(-1, 3)[:, ::-1].reshape(-1)
        parts.append(Part(bottom.copy(), np.tile([0.0, 0.0, -1.0], (segments, 1)), bottom_fan))
    if caps[1] and top_radius > 0.0:
        parts.append(Part(top.copy(), np.tile([0.0, 0.0, 1.0], (segments, 1)), fan))
    return merge_parts(parts)


def cone(radius: float, z0: float, z1: float, segments: int = 10) -> Part:
    """Cone with its base disc at z0 and apex at z1."""
    angles = 2.0 * np.pi * (np.arange(segments) + 0.5) / segments
    half = np.pi / segments
    height = z1 - z0
    parts = []
    for a in angles:
        a0, a1 = a - half, a + half
        p0 = [radius * np.cos(a0), radius * np.sin(a0), z0]
        p1 = [radius * np.cos(a1), radius * np.sin(a1), z0]
        normal = np.array([height * np.cos(a), height * np.sin(a), radius * np.cos(half)])
        parts.append(Part(np.array([p0, p1, [0.0, 0.0, z1]]), np.tile(normal / np.linalg.norm(normal), (3, 1)),
                          np.array([0, 1, 2])))
    base = np.column_stack([radius * np.cos(angles - half), radius * np.sin(angles - half), np.full(segments, z0)])
    fan = np.array([[0, t + 1, t] for t in range(1, segments - 1)]).reshape(-1)
    parts.append(Part(base, np.tile([0.0, 0.0, -1.0], (segments, 1)), fan))
    return merge_parts(parts)


def ellipsoid(radii, rings: int = 5, segments: int = 8) -> Part:
    """Low-poly ellipsoid centred at the origin with semi-axes ``radii`` (smooth normals)."""
    rx, ry, rz = radii
    polar = np.linspace(0.0, np.pi, rings + 1)
    azimuth = 2.0 * np.pi * np.arange(segments) / segments
    sp, cp = np.sin(polar)[:, None], np.cos(polar)[:, None]
    unit = np.stack([sp * np.cos(azimuth), sp * np.sin(azimuth), np.broadcast_to(cp, (rings + 1, segments))], axis=-1)
    positions = (unit * np.array([rx, ry, rz])).reshape(-1, 3)
    normals = (unit / np.array([rx, ry, rz])).reshape(-1, 3)
    normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)
    normals[: segments] = [0.0, 0.0, 1.0]
    normals[-segments:] = [0.0, 0.0, -1.0]
    tris = []
    for r in range(rings):
        for a in range(segments):
            b = (a + 1) % segments
            p, q = r * segments, (r + 1) * segments
            if r > 0:
                tris.append((p + a, q + a, p + b))
            if r < rings - 1:
                tris.append((p + b, q + a, q + b))
    return Part(positions, normals, np.array(tris).reshape(-1))


def ring_y(outer: float, inner: float, half_width: float, segments: int = 16) -> Part:
    """Annulus around the y axis (a bicycle wheel rim and tyre): outer and inner faces plus both sides."""
    angles = 2.0 * np.pi * np.arange(segments) / segments
    c, s = np.cos(angles), np.sin(angles)
    i = np.arange(segments)
    j = (i + 1) % segments
    parts = []
    for radius, sign in ((outer, 1.0), (inner, -1.0)):
        ring = np.column_stack([radius * c, np.zeros(segments), radius * s])
        positions = np.concatenate([ring + [0.0, -half_width, 0.0], ring + [0.0, half_width, 0.0]])
        normals = sign * np.concatenate([np.column_stack([c, np.zeros(segments), s])] * 2)
        # Going around +y: (x, z) = (cos, sin) is clockwise seen from +y, so outward faces use (i, n+i, n+j).
        quad = np.stack([i, segments + i, segments + j, i, segments + j, j], axis=1)
        if sign < 0:
            quad = quad[:, [0, 2, 1, 3, 5, 4]]
        parts.append(Part(positions, normals, quad.reshape(-1)))
    for y, sign in ((half_width, 1.0), (-half_width, -1.0)):
        outer_ring = np.column_stack([outer * c, np.full(segments, y), outer * s])
        inner_ring = np.column_stack([inner * c, np.full(segments, y), inner * s])
        positions = np.concatenate([outer_ring, inner_ring])
        normals = np.tile([0.0, sign, 0.0], (2 * segments, 1))
        quad = np.stack([i, j, segments + j, i, segments + j, segments + i], axis=1)
        if sign > 0:
            quad = quad[:, [0, 2, 1, 3, 5, 4]]
        parts.append(Part(positions, normals, quad.reshape(-1)))
    return merge_parts(parts)


def beam(start, end, half_width: float, half_height=None) -> Part:
    """A square-section bar from point ``start`` to point ``end`` (frame tubes, arms)."""
    start, end = np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64)
    axis = end - start
    length = float(np.linalg.norm(axis))
    half_height = half_width if half_height is None else half_height
    part = box([0.0, -half_width, -half_height], [length, half_width, half_height])
    x = axis / max(length, 1e-12)
    helper = np.array([0.0, 0.0, 1.0]) if abs(x[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
    y = np.cross(helper, x)
    y /= np.linalg.norm(y)
    z = np.cross(x, y)
    return part.moved(np.column_stack([x, y, z]), start)
