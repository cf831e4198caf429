"""Nearest-lane search: CARLA's lane-centre segments, indexed in uniform grids.

``LaneSegments`` cuts every lane's centre line into the same chords CARLA's road::Map::CreateRtree
makes (one chord per straight lane, elsewhere a new chord whenever the heading turns by more than
1.8 degrees over 1 m steps or the chord passes 100 m), with CARLA's float32 ends, so the closest chord,
and the waypoint found on it, are CARLA's. Chords at exactly the same distance are told apart by
CARLA's R-tree (:mod:`.rtree`).
"""

from __future__ import annotations

import math
from bisect import bisect_right

import numpy as np

from .lane_transform import forward_vector, lane_transform, vector_angle
from .network import EPSILON, RoadNetwork, lane_poses
from .rtree import ChordTree, chord_distances

_STEP = 1.0
_MAX_CHORD = 100.0
_TINY = 1e-6
_TURN = math.pi / 100.0
_COS_TURN = math.cos(_TURN)
# A float32 dot of unit vectors is off by well under 1e-6; nearer the threshold than this, the turn
# is measured in float32 as CARLA measures it.
_DOT_MARGIN = 3e-6
_DEG = math.pi / 180.0
ANY_LANE = 0xFFFFFFFE  # CARLA's LaneType::Any: every type but None


def _is_straight(lane) -> bool:
    road = lane.road
    start = lane.section.s
    index = max(0, bisect_right(road.geometry_starts, start) - 1)
    geometry = road.geometries[index]
    if geometry.kind != "line":
        return False
    if start < geometry.s or start + lane.section.length > geometry.s + geometry.length:
        return False
    return all(c == 0.0 and d == 0.0 for _, _, c, d in road.elevation.coeffs)


def _remaining(lane, s: float) -> float:
    if lane.id < 0:
        return lane.section.s + lane.section.length - s
    return s - lane.section.s


def _advance(lane, s: float, distance: float) -> float:
    # GetNext inside one lane: the step never leaves the lane here.
    if lane.id <= 0:
        return s + distance - EPSILON
    return s - distance + EPSILON


def _forward(pitch: float, yaw: float):
    p, y = pitch * _DEG, yaw * _DEG
    cp = math.cos(p)
    return cp * math.cos(y), cp * math.sin(y), math.sin(p)


class LaneSegments:
    """Chords of every lane centre: endpoints (CARLA coordinates), lane and s at both ends."""

    def __init__(self, network: RoadNetwork):
        starts, ends, lanes, s0, s1 = [], [], [], [], []
        for road in network.roads.values():
            for section in road.sections:
                for lane_id in section.lane_ids:
                    lane = section.lanes[lane_id]
                    if lane_id == 0 or not lane.type & ANY_LANE:
                        continue
                    for a, b, sa, sb in self._lane_chords(lane):
                        starts.append(a)
                        ends.append(b)
                        lanes.append(lane.index)
                        s0.append(sa)
                        s1.append(sb)
        self.network = network
        # The chord ends are CARLA's float32 points, held as float64.
        self.a = np.array(starts, dtype=np.float64).reshape(-1, 3)
        self.b = np.array(ends, dtype=np.float64).reshape(-1, 3)
        self.lane = np.array(lanes, dtype=np.int64)
        self.s0 = np.array(s0, dtype=np.float64)
        self.s1 = np.array(s1, dtype=np.float64)
        self.type = np.array([network.lanes[i].type for i in lanes], dtype=np.int64)

    @staticmethod
    def _lane_chords(lane):
        s_start = lane.distance_at_start()
        if _is_straight(lane):
            delta = _remaining(lane, s_start) - _TINY
            if delta < _TINY:
                return []
            s_end = _advance(lane, s_start, delta)
            return [(lane_transform(lane, s_start)[:3], lane_transform(lane, s_end)[:3], s_start, s_end)]
        samples = [s_start]
        s = s_start
        while True:
            delta = min(_STEP, _remaining(lane, s) - _TINY)
            if delta < _TINY:
                break
            s = _advance(lane, s, delta)
            samples.append(s)
        _, _, _, pitch, yaw = lane_poses(lane, np.array(samples))
        pitch = pitch.tolist()
        yaw = yaw.tolist()
        transforms = {}

        def exact(k):
            found = transforms.get(k)
            if found is None:
                found = transforms[k] = lane_transform(lane, samples[k])
            return found

        def turns(k_from, k_to, dot):
            # The double dot decides unless it is within float rounding of the threshold; then the
            # turn is measured as CARLA measures it, in float32.
            if abs(dot - _COS_TURN) > _DOT_MARGIN:
                return dot < _COS_TURN
            a, b = exact(k_from), exact(k_to)
            return vector_angle(forward_vector(a[3], a[4]), forward_vector(b[3], b[4])) > _TURN

        chords = []
        current = 0
        fx, fy, fz = _forward(pitch[0], yaw[0])
        for k in range(1, len(samples)):
            gx, gy, gz = _forward(pitch[k], yaw[k])
            if turns(current, k, fx * gx + fy * gy + fz * gz) or abs(samples[current] - samples[k]) > _MAX_CHORD:
                chords.append((current, k))
                current = k
                fx, fy, fz = gx, gy, gz
        chords.append((current, len(samples) - 1))
        return [(exact(i)[:3], exact(j)[:3], samples[i], samples[j]) for i, j in chords]


class _Grid:
    """The ``chosen`` segments whose box, grown by ``margin``, touches a cell; stored cell by cell."""

    def __init__(self, segments: LaneSegments, cell: float, margin: float, chosen: np.ndarray):
        a, b = segments.a[chosen], segments.b[chosen]
        low = np.minimum(a[:, :2], b[:, :2]) - margin
        high = np.maximum(a[:, :2], b[:, :2]) + margin
        self.origin = low.min(axis=0) if len(a) else np.zeros(2)
        self.cell = cell
        self.margin = margin
        first = np.floor((low - self.origin) / cell).astype(np.int64)
        last = np.floor((high - self.origin) / cell).astype(np.int64)
        self.nx, self.ny = (int(v) + 1 for v in (last.max(axis=0) if len(a) else (0, 0)))
        cells, members = [], []
        for i in range(len(a)):
            xs = np.arange(first[i, 0], last[i, 0] + 1)
            ys = np.arange(first[i, 1], last[i, 1] + 1)
            ids = (xs[:, None] * self.ny + ys[None, :]).ravel()
            cells.append(ids)
            members.append(np.full(ids.size, i, dtype=np.int64))
        cells = np.concatenate(cells) if cells else np.zeros(0, dtype=np.int64)
        members = np.concatenate(members) if members else np.zeros(0, dtype=np.int64)
        order = np.argsort(cells, kind="stable")
        cells, members = cells[order], members[order]
        bounds = np.searchsorted(cells, np.arange(self.nx * self.ny + 1))
        self.bounds = bounds.tolist()
        self.bounds_array = bounds
        self.members = chosen[members]
        v = b - a
        self.a = a[members]
        self.v = v[members]
        self.inverse = _inverse_squared_lengths(v)[members]

    def slot(self, x: float, y: float):
        ix = int(math.floor((x - self.origin[0]) / self.cell))
        iy = int(math.floor((y - self.origin[1]) / self.cell))
        if ix < 0 or iy < 0 or ix >= self.nx or iy >= self.ny:
            return None
        index = ix * self.ny + iy
        return self.bounds[index], self.bounds[index + 1]


def _inverse_squared_lengths(v):
    """1 / |v|^2 per row, 0 for zero-length rows."""
    vv = (v * v).sum(axis=1)
    return np.where(vv > 0.0, 1.0 / np.where(vv > 0.0, vv, 1.0), 0.0)


# Squared distances this close to the least are compared again in CARLA's arithmetic (relative, and
# absolute for points on a chord, where rounding dominates).
_NEAR_TIE = 1e-9
_NEAR_TIE_ABSOLUTE = 1e-12


def _squared_distances(w, v, inverse):
    """Squared distance of each point to its segment: ``w`` the point less the segment's start, ``v`` the
    segment, ``inverse`` 1 / |v|^2 (rows of one length)."""
    t = np.einsum("ij,ij->i", w, v)
    t *= inverse
    np.clip(t, 0.0, 1.0, out=t)
    d = w - t[:, None] * v
    return np.einsum("ij,ij->i", d, d)


def _nearest(point, a, v, inverse, allowed=None):
    """Index and squared distance of the segment nearest to ``point`` (among the ``allowed`` ones), with
    the indices (into ``a``) of every segment about as near."""
    d2 = _squared_distances(point - a, v, inverse)
    if allowed is not None:
        d2[~allowed] = np.inf
    best = int(np.argmin(d2))
    least = float(d2[best])
    near = np.flatnonzero(d2 <= least * (1.0 + _NEAR_TIE) + _NEAR_TIE_ABSOLUTE) if least != math.inf else None
    return best, least, near


class _TieBreak:
    """Settles near ties between chords as CARLA does: Boost's distance arithmetic first, then, for
    chords at exactly the same distance, the first one CARLA's R-tree search meets."""

    def __init__(self, segments: LaneSegments):
        self.segments = segments
        self._tree = None
        self._allowed = {}

    def allowed(self, lane_type: int) -> np.ndarray:
        """Which chords are of a lane with one of the type bits."""
        found = self._allowed.get(lane_type)
        if found is None:
            found = self._allowed[lane_type] = (self.segments.type & lane_type) != 0
        return found

    @property
    def tree(self) -> ChordTree:
        if self._tree is None:
            self._tree = ChordTree(self.segments.a, self.segments.b)
        return self._tree

    def settle(self, point, candidates: np.ndarray, lane_type: int) -> int:
        distances = chord_distances(point, self.segments.a[candidates], self.segments.b[candidates])
        tied = candidates[distances == distances.min()]
        if len(tied) == 1:
            return int(tied[0])
        return self.tree.first_of_tied(point, tied, self.allowed(lane_type))


class ChordScan:
    """The nearest segment by checking every one: no index to build, for a few queries."""

    def __init__(self, segments: LaneSegments, ties: _TieBreak | None = None):
        self.segments = segments
        self._v = segments.b - segments.a
        self._inverse = _inverse_squared_lengths(self._v)
        self._ties = ties or _TieBreak(segments)

    def nearest(self, x: float, y: float, z: float, lane_type: int):
        """Index of the nearest segment of a lane of the given type bits, or None."""
        if not len(self.segments.a):
            return None
        point = np.array((x, y, z))
        lane_type &= 0xFFFFFFFF
        best, d2, near = _nearest(point, self.segments.a, self._v, self._inverse,
                                  self._ties.allowed(lane_type))
        if d2 == math.inf:
            return None
        return best if len(near) == 1 else self._ties.settle(point, near, lane_type)


class SegmentIndex:
    """Closest-segment queries over :class:`LaneSegments`."""

    def __init__(self, segments: LaneSegments):
        self.segments = segments
        self._grids = {}
        self._ties = _TieBreak(segments)
        self._scan = ChordScan(segments, self._ties)    # beyond the grids' reach

    def build_tie_tree(self) -> None:
        """Build CARLA's R-tree now rather than at the first query that meets a tie (many queries will)."""
        self._ties.tree

    def grids(self, lane_type: int) -> list:
        """Grids of 8, 32 and 128 m cells over the chords of lanes with one of the type bits (built
        the first time a query asks for those types)."""
        found = self._grids.get(lane_type)
        if found is None:
            chosen = np.flatnonzero(self._ties.allowed(lane_type))
            found = self._grids[lane_type] = [_Grid(self.segments, size, size, chosen)
                                              for size in (8.0, 32.0, 128.0)]
        return found

    def nearest(self, x: float, y: float, z: float, lane_type: int):
        """Index of the nearest segment of a lane of the given type bits, or None."""
        if not len(self.segments.a):
            return None
        point = np.array((x, y, z))
        lane_type &= 0xFFFFFFFF
        for grid in self.grids(lane_type):
            slot = grid.slot(x, y)
            if slot is None or slot[0] == slot[1]:
                continue
            lo, hi = slot
            best, d2, near = _nearest(point, grid.a[lo:hi], grid.v[lo:hi], grid.inverse[lo:hi])
            if d2 <= grid.margin * grid.margin:
                if len(near) == 1:
                    return int(grid.members[lo + best])
                return self._ties.settle(point, grid.members[lo + near], lane_type)
        return self._scan.nearest(x, y, z, lane_type)

    def nearest_near(self, points: np.ndarray, lane_type: int) -> np.ndarray:
        """For many points (k, 3) at once: the index of the nearest segment of a lane of the type bits, as
        :meth:`nearest` finds it (except that chords at the same distance go to the first in the cell, not
        to CARLA's pick), for the points that have one within the finest grid's margin (8 m); -1 for the
        others."""
        grid = self.grids(lane_type & 0xFFFFFFFF)[0]
        result = np.full(len(points), -1, dtype=np.int64)
        if len(points) == 0 or not len(self.segments.a):
            return result
        ix = np.floor((points[:, 0] - grid.origin[0]) / grid.cell).astype(np.int64)
        iy = np.floor((points[:, 1] - grid.origin[1]) / grid.cell).astype(np.int64)
        inside = (ix >= 0) & (iy >= 0) & (ix < grid.nx) & (iy < grid.ny)
        cell = np.where(inside, ix * grid.ny + iy, 0)
        bounds = grid.bounds_array
        first = bounds[cell]
        count = np.where(inside, bounds[cell + 1] - first, 0)
        owner = np.repeat(np.arange(len(points)), count)
        if len(owner) == 0:
            return result
        starts = np.cumsum(count) - count
        entry = first[owner] + np.arange(len(owner)) - starts[owner]
        d2 = _squared_distances(points[owner] - grid.a[entry], grid.v[entry], grid.inverse[entry])
        d2[d2 > grid.margin * grid.margin] = np.inf
        # Nearest per point; a stable sort keeps the first of equals in cell order, as nearest's argmin does.
        order = np.lexsort((d2, owner))
        has = np.flatnonzero(count)
        best = order[starts[has]]
        found = np.isfinite(d2[best])
        result[has[found]] = grid.members[entry[best[found]]]
        return result


def _along_chord(a, b, x, y) -> float:
    """Distance along the chord a-b of the point's ground projection, in float32 arithmetic the
    way CARLA's geom::Math::DistanceSegmentToPoint does it."""
    f = np.float32
    vx, vy = f(b[0]) - f(a[0]), f(b[1]) - f(a[1])
    length2 = vx * vx + vy * vy
    if length2 == 0.0:
        return 0.0
    dot = (f(x) - f(a[0])) * vx + (f(y) - f(a[1])) * vy
    t = min(max(dot / length2, f(0.0)), f(1.0))
    return float(t * np.sqrt(length2))


def closest_waypoint(network: RoadNetwork, index, x: float, y: float, z: float, lane_type: int):
    """CARLA's Map::GetClosestWaypointOnRoad for a point in CARLA coordinates; ``index`` is a
    :class:`SegmentIndex` or a :class:`ChordScan`."""
    found = index.nearest(x, y, z, lane_type)
    if found is None:
        return None
    segments = index.segments
    lane = network.lanes[int(segments.lane[found])]
    along = _along_chord(segments.a[found], segments.b[found], x, y)
    start = (lane.road.id, lane.section.id, lane.id, float(segments.s0[found]))
    end = start[:3] + (float(segments.s1[found]),)
    if lane.id < 0:
        if start[3] + along >= end[3]:
            return end
        if along <= 0.0:
            return start
        return start[:3] + (start[3] + along - EPSILON,)
    if start[3] - along <= end[3]:
        return end
    if along <= 0.0:
        return start
    return start[:3] + (start[3] - along + EPSILON,)
