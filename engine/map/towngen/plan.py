"""Reference-line building blocks: poses, line and arc pieces, and the curve joining two poses."""

from __future__ import annotations

import math
from dataclasses import dataclass

EPS = 1e-9


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
    """One planView geometry: a line (curvature 0) or an arc, starting at ``start``."""

    start: Pose
    length: float
    curvature: float = 0.0

    @property
    def end(self) -> Pose:
        p, k, length = self.start, self.curvature, self.length
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
