"""Reference-line building blocks: poses, line and arc pieces, and the curve joining two poses."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

EPS = 1e-9
# Gauss-Legendre nodes on [0, 1] for a clothoid's Fresnel integrals (exact to float precision here).
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(32)
_GL_NODES = 0.5 * (_GL_NODES + 1.0)
_GL_WEIGHTS = 0.5 * _GL_WEIGHTS


def wrap_angle(angle: float) -> float:
    """Angle in (-pi, pi]."""
    wrapped = math.fmod(angle + math.pi, 2.0 * math.pi)
    if wrapped <= 0.0:
        wrapped += 2.0 * math.pi
    return wrapped - math.pi


@dataclass(frozen=True)
class Pose:
    """A point of a reference line in OpenDRIVE coordinates, heading counter-clockwise from +x."""

    x: float
    y: float
    hdg: float

    def advanced(self, distance: float) -> "Pose":
        return Pose(self.x + distance * math.cos(self.hdg), self.y + distance * math.sin(self.hdg), self.hdg)

    def reversed(self) -> "Pose":
        return Pose(self.x, self.y, wrap_angle(self.hdg + math.pi))


@dataclass(frozen=True)
class Piece:
    """One planView geometry starting at ``start``: a line (curvature 0), an arc, or a clothoid
    (spiral) when ``curvature_end`` is set, its curvature running linearly from ``curvature`` to it."""

    start: Pose
    length: float
    curvature: float = 0.0
    curvature_end: float | None = None

    @property
    def is_spiral(self) -> bool:
        return self.curvature_end is not None

    @property
    def end(self) -> Pose:
        return self.at(self.length)

    def at(self, distance: float) -> Pose:
        """Pose ``distance`` metres along the piece."""
        p, k, length = self.start, self.curvature, distance
        if self.is_spiral:
            rate = (self.curvature_end - k) / self.length
            t = length * _GL_NODES
            theta = p.hdg + k * t + 0.5 * rate * t * t
            x = p.x + length * float(np.cos(theta) @ _GL_WEIGHTS)
            y = p.y + length * float(np.sin(theta) @ _GL_WEIGHTS)
            return Pose(x, y, wrap_angle(p.hdg + k * length + 0.5 * rate * length * length))
        if k == 0.0:
            return p.advanced(length)
        hdg = p.hdg + k * length
        return Pose(
            p.x + (math.sin(hdg) - math.sin(p.hdg)) / k,
            p.y - (math.cos(hdg) - math.cos(p.hdg)) / k,
            wrap_angle(hdg),
        )


class PathBuilder:
    """Chains line and arc pieces from a start pose: ``PathBuilder(p).line(20).arc(15, 1/10).pieces``."""

    def __init__(self, start: Pose):
        self.pieces: list[Piece] = []
        self._end = start

    @property
    def end(self) -> Pose:
        return self._end

    @property
    def length(self) -> float:
        return sum(piece.length for piece in self.pieces)

    def line(self, length: float) -> "PathBuilder":
        return self._add(Piece(self._end, length))

    def arc(self, length: float, curvature: float) -> "PathBuilder":
        return self._add(Piece(self._end, length, curvature))

    def spiral(self, length: float, curvature_start: float, curvature_end: float) -> "PathBuilder":
        return self._add(Piece(self._end, length, curvature_start, curvature_end))

    def turn(self, radius: float, angle: float) -> "PathBuilder":
        """Arc of a radius through a signed angle (positive turns left)."""
        return self.arc(radius * abs(angle), math.copysign(1.0 / radius, angle))

    def _add(self, piece: Piece) -> "PathBuilder":
        if piece.length > EPS:
            self.pieces.append(piece)
            self._end = piece.end
        return self


def join_poses(start: Pose, end: Pose) -> list[Piece]:
    """Line-arc-line pieces from ``start`` to ``end`` meeting both headings, tangent throughout.

    The arc is as wide as the shorter tangent allows; the straight remainder goes on the longer side.
    """
    turn = wrap_angle(end.hdg - start.hdg)
    dx, dy = end.x - start.x, end.y - start.y
    if abs(turn) < 1e-9:
        along = dx * math.cos(start.hdg) + dy * math.sin(start.hdg)
        across = -dx * math.sin(start.hdg) + dy * math.cos(start.hdg)
        if abs(across) > 1e-6 or along <= 0.0:
            raise ValueError(f"cannot join {start} to {end} with one line: they are not aligned")
        return PathBuilder(start).line(along).pieces
    if abs(abs(turn) - math.pi) < 1e-9:
        raise ValueError(f"cannot join {start} to {end}: they face opposite ways")
    # Tangent lines start + a*u0 and end - b*u1 meet at the corner point: a*u0 + b*u1 = end - start.
    u0 = (math.cos(start.hdg), math.sin(start.hdg))
    u1 = (math.cos(end.hdg), math.sin(end.hdg))
    det = u0[0] * u1[1] - u0[1] * u1[0]
    a = (dx * u1[1] - dy * u1[0]) / det
    b = (u0[0] * dy - u0[1] * dx) / det
    if a < -1e-9 or b < -1e-9:
        raise ValueError(f"cannot join {start} to {end}: their tangents meet behind one of them")
    tangent = min(a, b)
    radius = tangent / math.tan(abs(turn) / 2.0)
    path = PathBuilder(start).line(a - tangent)
    path.turn(radius, turn)
    path.line(b - tangent)
    return path.pieces


def _clothoid_bend(turn: float, scale: float, spiral_share: float) -> list[Piece]:
    """Spiral-arc-spiral through ``turn`` radians from the origin heading +x; sizes grow with ``scale``."""
    k = math.copysign(1.0 / scale, turn)
    spiral_length = spiral_share * abs(turn) * scale
    arc_length = (1.0 - spiral_share) * abs(turn) * scale
    path = PathBuilder(Pose(0.0, 0.0, 0.0)).spiral(spiral_length, 0.0, k)
    path.arc(arc_length, k).spiral(spiral_length, k, 0.0)
    return path.pieces


def _moved(pieces: list[Piece], origin: Pose) -> list[Piece]:
    """Pieces built at the origin, placed at ``origin``."""
    cos_h, sin_h = math.cos(origin.hdg), math.sin(origin.hdg)
    moved = []
    for piece in pieces:
        p = piece.start
        start = Pose(origin.x + p.x * cos_h - p.y * sin_h, origin.y + p.x * sin_h + p.y * cos_h,
                     wrap_angle(p.hdg + origin.hdg))
        moved.append(Piece(start, piece.length, piece.curvature, piece.curvature_end))
    return moved


def join_poses_clothoid(start: Pose, end: Pose, spiral_share: float = 0.5) -> list[Piece]:
    """Like :func:`join_poses`, but the curve eases in and out: line, spiral, arc, spiral, line.

    ``spiral_share`` of the turn happens in the two spirals, so curvature never jumps.
    """
    turn = wrap_angle(end.hdg - start.hdg)
    if abs(turn) < 1e-9 or abs(abs(turn) - math.pi) < 1e-9:
        return join_poses(start, end)
    dx, dy = end.x - start.x, end.y - start.y
    u0 = (math.cos(start.hdg), math.sin(start.hdg))
    u1 = (math.cos(end.hdg), math.sin(end.hdg))
    det = u0[0] * u1[1] - u0[1] * u1[0]
    a = (dx * u1[1] - dy * u1[0]) / det
    b = (u0[0] * dy - u0[1] * dx) / det
    if a < -1e-9 or b < -1e-9:
        raise ValueError(f"cannot join {start} to {end}: their tangents meet behind one of them")
    # A symmetric bend at scale 1 has equal tangent lengths; scale it to the shorter one.
    unit = _clothoid_bend(turn, 1.0, spiral_share)
    unit_end = unit[-1].end
    unit_tangent = unit_end.y / math.sin(turn) if abs(math.sin(turn)) > 1e-9 else unit_end.x / 2.0
    unit_tangent = abs(unit_tangent)
    tangent = min(a, b)
    scale = tangent / unit_tangent
    path = PathBuilder(start).line(a - tangent)
    for piece in _moved(_clothoid_bend(turn, scale, spiral_share), path.end):
        path._add(piece)
    path.line(b - tangent)
    return path.pieces
