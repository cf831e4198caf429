"""The driving-lane graph of a town as dense arrays, for the autopilot.

Every driving lane is cut into centre-line samples about ``SPACING`` metres apart, stored contiguously
in driving order (CARLA coordinates: x, y, yaw in radians). A lane's samples run from ``lane_first``
to ``lane_last``; ``successors`` lists each lane's successor lanes. Lanes of one lane section
share one grid of road s values, so sample k of a lane lies beside sample k of its neighbour lanes of
the same direction, which makes a lane change an index lookup.

Junction lanes carry conflict matrices: two lanes of one junction conflict when their centre lines
come closer than ``CONFLICT_DISTANCE`` anywhere (``conflict_long``: plus the swing of the longest
vehicles' ends in the lanes' curves), except lanes that leave the same point (they diverge; car
following keeps their vehicles apart while they overlap). Lanes into a junction carry a setback: how far
before the junction their waiting vehicles stop so that long vehicles turning past them miss them. Short
lanes between two junctions are links (a roundabout ring); a junction lane from outside into a link is a
minor approach that gives way.

Built once per town (``lane_graph(town)``) and never changed afterwards.
"""
from __future__ import annotations

import math
import threading

import numpy as np

from carla_odr.network import DRIVING, RoadNetwork, lane_poses
from engine.world.actors import boxes_overlap_2d

SPACING = 1.5                   # metres between samples along a lane
CONFLICT_DISTANCE = 3.0         # centre lines closer than this conflict (two 1.5 m half-width vehicles)
SHORT_LINK = 40.0               # m: a lane this short between two junctions is a link (roundabout ring)
SWEEP_BOX = (5.2, 1.5)          # half length and width of the longest vehicle (swing, setbacks)
SWEEP_MARGIN = 0.5              # m each side: the margin of the corridors that turning vehicles keep clear
WAIT_BOX = (2.0, 1.45)          # the front part of a waiting vehicle, half sizes
MAX_SETBACK = 10.0              # m
SAME_POINT = 0.5                # lanes whose first samples are this close leave from one point
DEFAULT_SPEED_LIMIT = 30.0 / 3.6


def _mark_permits(mark, towards_higher_id: bool) -> bool:
    """Whether a road mark lets traffic cross it toward a higher (or lower) lane id."""
    if mark is None:
        return False
    change = (mark.lane_change or "").lower()
    if not change:
        kind = (mark.type or "").lower()
        change = "both" if kind in ("broken", "broken broken", "none", "botts dots") else "none"
    if change == "both":
        return True
    return change == ("increase" if towards_higher_id else "decrease")


class LaneGraph:
    """Dense arrays of lane-centre samples and lanes; see the module docstring."""

    def __init__(self, network: RoadNetwork):
        lanes = [lane for lane in network.lanes if lane.id != 0 and lane.type & DRIVING]
        index_of = {lane.index: i for i, lane in enumerate(lanes)}
        n_lanes = len(lanes)
        xs, ys, yaws, widths, road_s, owner = [], [], [], [], [], []
        left_ok, right_ok = [], []
        first = np.zeros(n_lanes + 1, dtype=np.int64)
        last = np.zeros(n_lanes + 1, dtype=np.int64)
        grid_of_section: dict = {}
        total = 0
        for i, lane in enumerate(lanes):
            section = lane.section
            key = (lane.road.id, section.id)
            s = grid_of_section.get(key)
            if s is None:
                count = max(1, int(math.ceil(section.length / SPACING)))
                s = np.linspace(section.s, section.s + section.length, count + 1)
                grid_of_section[key] = s
            if lane.id > 0:
                s = s[::-1]
            x, y, _z, _pitch, yaw = lane_poses(lane, s)
            w, _ = lane.widths.values(s)
            first[i] = total
            total += len(s)
            xs.append(x); ys.append(y); yaws.append(np.radians(yaw))
            widths.append(w); road_s.append(s); owner.append(np.full(len(s), i))
            left_ok.append(self._change_permitted(lane, s, left=True))
            right_ok.append(self._change_permitted(lane, s, left=False))
            last[i] = first[i] + len(s) - 1
        self.x = np.concatenate(xs)
        self.y = np.concatenate(ys)
        self.yaw = np.concatenate(yaws)
        self.width = np.concatenate(widths)
        self.s = np.concatenate(road_s)
        self.lane = np.concatenate(owner).astype(np.int64)
        self.can_left = np.concatenate(left_ok)
        self.can_right = np.concatenate(right_ok)
        n_points = len(self.x)
        # Distance from the previous sample of the same lane (0 at a lane's first sample).
        seg = np.hypot(np.diff(self.x, prepend=self.x[0]), np.diff(self.y, prepend=self.y[0]))
        seg[first[:n_lanes]] = 0.0
        self.seg = seg
        total = np.cumsum(seg)
        self.along = total - total[first[self.lane]]        # distance from the lane's first sample
        self.cos = np.cos(self.yaw)
        self.sin = np.sin(self.yaw)
        # Curvature (1/m) at each sample, from the heading change to its neighbour in the lane; positive
        # turning right (yaw grows clockwise seen from above).
        turn = np.remainder(np.diff(self.yaw, append=self.yaw[-1]) + math.pi, 2 * math.pi) - math.pi
        step = np.maximum(np.append(seg[1:], 0.0), 0.5)
        curvature = turn / step
        curvature[last[:n_lanes]] = curvature[np.maximum(last[:n_lanes] - 1, first[:n_lanes])]
        self.signed_curvature = curvature
        self.curvature = np.abs(curvature)

        # Lanes; index n_lanes is an empty sentinel that pads plans (no samples).
        self.n_lanes = n_lanes
        self.sentinel = n_lanes
        self.lane_first = first
        self.lane_last = last
        self.lane_count = np.where(np.arange(n_lanes + 1) < n_lanes, last - first + 1, 0)
        self.lane_first[n_lanes] = 0
        self.lane_last[n_lanes] = -1
        self.lane_length = np.zeros(n_lanes + 1)
        np.add.at(self.lane_length, self.lane, seg)
        self.lane_road = np.array([l.road.id for l in lanes] + [-1], dtype=np.int64)
        self.lane_id = np.array([l.id for l in lanes] + [0], dtype=np.int64)
        self.lane_junction = np.array([l.road.junction_id for l in lanes] + [-1], dtype=np.int64)
        self.lane_speed = np.array([self._speed_limit(l) for l in lanes] + [DEFAULT_SPEED_LIMIT])
        succ_lists = [sorted({index_of[n.index] for n in lane.next_lanes if n.index in index_of})
                      for lane in lanes]
        self.successors = succ_lists
        self.has_successor = np.array([bool(s) for s in succ_lists] + [False])
        self.lane_left = np.full(n_lanes + 1, -1, dtype=np.int64)
        self.lane_right = np.full(n_lanes + 1, -1, dtype=np.int64)
        by_key = {(l.road.id, l.section.id, l.id): i for i, l in enumerate(lanes)}
        for i, lane in enumerate(lanes):
            if lane.road.is_junction:
                continue
            sign = -1 if lane.id < 0 else 1
            right = by_key.get((lane.road.id, lane.section.id, lane.id + sign))
            left = by_key.get((lane.road.id, lane.section.id, lane.id - sign)) if abs(lane.id) > 1 else None
            self.lane_right[i] = -1 if right is None else right
            self.lane_left[i] = -1 if left is None else left
        self.lane_turn = self._turns()
        self._build_links()
        self._build_conflicts()
        self._build_setbacks()
        self._build_point_grid()
        self.n_points = n_points

    # -- construction helpers -----------------------------------------------------------------------------
    @staticmethod
    def _speed_limit(lane) -> float:
        source = lane.road.source
        for candidate in (getattr(lane.section, "speed_max", None), source.speed_max):
            if candidate:
                return float(candidate)
        return DEFAULT_SPEED_LIMIT

    @staticmethod
    def _change_permitted(lane, s: np.ndarray, left: bool) -> np.ndarray:
        """Per sample: may a vehicle on this lane cross into its left (right) neighbour here?"""
        section = lane.section
        sign = -1 if lane.id < 0 else 1
        target = lane.id - sign if left else lane.id + sign
        if target == 0 or target not in section.lanes or not section.lanes[target].type & DRIVING:
            return np.zeros(len(s), dtype=bool)
        # The mark between two lanes of one side is the outer border of the inner one.
        inner = section.lanes[sign * min(abs(lane.id), abs(target))]
        up = target > lane.id
        return np.array([_mark_permits(inner.mark(float(v)), up) for v in s], dtype=bool)

    def _turns(self) -> np.ndarray:
        """Per lane: -1 turns left, +1 turns right, 0 straight (heading change over the lane)."""
        turn = np.zeros(self.n_lanes + 1, dtype=np.int64)
        for i in range(self.n_lanes):
            change = math.remainder(self.yaw[self.lane_last[i]] - self.yaw[self.lane_first[i]], 2 * math.pi)
            if change > math.radians(30):
                turn[i] = 1          # yaw grows clockwise seen from above: a right turn
            elif change < -math.radians(30):
                turn[i] = -1
        return turn

    def _build_links(self) -> None:
        """Junction lanes' single exit lane, and which of them enter a short link between junctions
        from outside it (a roundabout entry): those give way and leave room on the link."""
        n = self.n_lanes
        self.junction_exit = np.full(n + 1, self.sentinel, dtype=np.int64)
        predecessors: list = [[] for _ in range(n)]
        for lane in range(n):
            for nxt in self.successors[lane]:
                predecessors[nxt].append(lane)
        junction = self.lane_junction
        link = np.zeros(n + 1, dtype=bool)
        for lane in range(n):
            succ, pred = self.successors[lane], predecessors[lane]
            link[lane] = (junction[lane] < 0 and self.lane_length[lane] <= SHORT_LINK and succ and pred
                          and all(junction[l] >= 0 for l in succ + pred))
        minor = np.zeros(n + 1, dtype=bool)
        for lane in range(n):
            if junction[lane] < 0:
                continue
            if len(self.successors[lane]) == 1:
                self.junction_exit[lane] = self.successors[lane][0]
            exit_link = link[self.junction_exit[lane]]
            from_link = any(link[l] for l in predecessors[lane])
            minor[lane] = bool(exit_link and not from_link)
        self.short_link = link
        self.lane_minor = minor

    def _build_conflicts(self) -> None:
        """``conflict``: junction lanes whose centre lines come closer than two vehicle half widths;
        ``conflict_long``: the same when long vehicles drive them, whose ends swing out in the turns."""
        junction_lanes = np.flatnonzero(self.lane_junction[:self.n_lanes] >= 0)
        self.conflict_index = np.full(self.n_lanes + 1, -1, dtype=np.int64)
        self.conflict_index[junction_lanes] = np.arange(len(junction_lanes))
        m = len(junction_lanes)
        swing = np.array([0.5 * SWEEP_BOX[0] ** 2 * self.curvature[self.lane_first[l]:self.lane_last[l] + 1].max()
                          for l in junction_lanes])
        conflict = np.zeros((m + 1, m + 1), dtype=bool)
        conflict_long = np.zeros((m + 1, m + 1), dtype=bool)
        for a_pos, a in enumerate(junction_lanes):
            pa = slice(self.lane_first[a], self.lane_last[a] + 1)
            for b_pos in range(a_pos + 1, m):
                b = junction_lanes[b_pos]
                if self.lane_junction[a] != self.lane_junction[b]:
                    continue
                pb = slice(self.lane_first[b], self.lane_last[b] + 1)
                dx = self.x[pa][:, None] - self.x[pb][None, :]
                dy = self.y[pa][:, None] - self.y[pb][None, :]
                closest = np.hypot(dx, dy).min()
                if closest >= CONFLICT_DISTANCE + swing[a_pos] + swing[b_pos]:
                    continue
                same_start = math.hypot(dx[0, 0], dy[0, 0]) < SAME_POINT
                same_end = math.hypot(dx[-1, -1], dy[-1, -1]) < SAME_POINT
                if same_start and not same_end:
                    continue
                conflict_long[a_pos, b_pos] = conflict_long[b_pos, a_pos] = True
                if closest < CONFLICT_DISTANCE:
                    conflict[a_pos, b_pos] = conflict[b_pos, a_pos] = True
        self.conflict = conflict           # last row/column: "no junction lane", conflicts with nothing
        self.conflict_long = conflict_long

    def _build_setbacks(self) -> None:
        """How far before its end a lane into a junction keeps its waiting vehicles, so that the longest
        vehicles turning through the junction from other lanes (their bodies swing wide) pass them by.
        ``stop_setback`` is per sample: nonzero only on the last sample of such a lane."""
        self.stop_setback = np.zeros(len(self.x))
        # The turning vehicles' boxes as wide as the corridors they keep clear (margin included).
        half_sweep = np.array(SWEEP_BOX) + np.array([0.0, SWEEP_MARGIN])
        half_wait = np.array(WAIT_BOX)
        junction_lanes: dict = {}
        for lane in np.flatnonzero(self.lane_junction[:self.n_lanes] >= 0):
            junction_lanes.setdefault(int(self.lane_junction[lane]), []).append(int(lane))
        for lane in range(self.n_lanes):
            succ = self.successors[lane]
            if not succ or self.lane_junction[succ[0]] < 0:
                continue
            others = [l for l in junction_lanes[int(self.lane_junction[succ[0]])] if l not in succ]
            if not others:
                continue
            pts = np.concatenate([np.arange(self.lane_first[l], self.lane_last[l] + 1) for l in others])
            centres = np.stack([self.x[pts], self.y[pts]], axis=1)
            halves = np.tile(half_sweep, (len(pts), 1))
            yaws = np.degrees(self.yaw[pts])
            end = self.lane_last[lane]
            forward = np.array([self.cos[end], self.sin[end]])
            tip = np.array([self.x[end], self.y[end]])
            for back in np.arange(0.0, MAX_SETBACK + 1e-9, 0.5):
                centre = tip - (back + half_wait[0]) * forward
                if not boxes_overlap_2d(centre, half_wait, math.degrees(self.yaw[end]), centres, halves, yaws).any():
                    break
            self.stop_setback[end] = back

    def _build_point_grid(self, cell: float = 8.0) -> None:
        """Sample indices bucketed in square cells, for nearest-sample queries."""
        self._cell = cell
        self._gx0 = float(self.x.min()) - cell
        self._gy0 = float(self.y.min()) - cell
        ix = ((self.x - self._gx0) // cell).astype(np.int64)
        iy = ((self.y - self._gy0) // cell).astype(np.int64)
        self._gnx = int(ix.max()) + 2
        self._gny = int(iy.max()) + 2
        keys = ix * self._gny + iy
        order = np.argsort(keys, kind="stable")
        self._grid_points = order
        self._grid_bounds = np.searchsorted(keys[order], np.arange(self._gnx * self._gny + 1))

    # -- queries ------------------------------------------------------------------------------------------
    def nearest_points(self, x: np.ndarray, y: np.ndarray, yaw: np.ndarray, radius: float = 12.0,
                       max_heading_error: float = math.radians(75)) -> np.ndarray:
        """For each pose, the nearest sample whose lane heads within ``max_heading_error`` of ``yaw``
        (radians): searched within ``radius`` first, then anywhere; the nearest sample of any heading
        when no lane heads that way at all."""
        result = np.zeros(len(x), dtype=np.int64)
        cos_limit = math.cos(max_heading_error)
        reach = int(math.ceil(radius / self._cell))
        everything = np.arange(len(self.x))
        for i in range(len(x)):
            cx = int((x[i] - self._gx0) // self._cell)
            cy = int((y[i] - self._gy0) // self._cell)
            parts = [everything[:0]]
            for gx in range(max(cx - reach, 0), min(cx + reach, self._gnx - 1) + 1):
                lo = gx * self._gny + max(cy - reach, 0)
                hi = gx * self._gny + min(cy + reach, self._gny - 1) + 1
                if hi > lo:
                    parts.append(self._grid_points[self._grid_bounds[lo]:self._grid_bounds[hi]])
            for candidates, aligned_only in ((np.concatenate(parts), True), (everything, True), (everything, False)):
                if len(candidates) == 0:
                    continue
                d2 = (self.x[candidates] - x[i]) ** 2 + (self.y[candidates] - y[i]) ** 2
                if aligned_only:
                    aligned = self.cos[candidates] * math.cos(yaw[i]) + self.sin[candidates] * math.sin(yaw[i])
                    d2 = np.where(aligned >= cos_limit, d2, np.inf)
                best = int(np.argmin(d2))
                if np.isfinite(d2[best]):
                    result[i] = candidates[best]
                    break
        return result

    def point_of(self, road_id: int, lane_id: int, s: float) -> int:
        """The sample of a lane nearest to road offset s, or -1 when the lane is not a driving lane."""
        best, best_d = -1, math.inf
        match = np.flatnonzero((self.lane_road[:self.n_lanes] == road_id) & (self.lane_id[:self.n_lanes] == lane_id))
        for lane in match:
            pts = np.arange(self.lane_first[lane], self.lane_last[lane] + 1)
            d = np.abs(self.s[pts] - s)
            k = int(np.argmin(d))
            if d[k] < best_d:
                best, best_d = int(pts[k]), float(d[k])
        return best


_CACHE: dict = {}
_LOCK = threading.Lock()


def lane_graph(town) -> LaneGraph:
    """The lane graph of a town, built on first use and shared after that."""
    key = (town.name, town.xodr)
    with _LOCK:
        graph = _CACHE.get(key)
        if graph is None:
            if len(_CACHE) >= 4:
                _CACHE.pop(next(iter(_CACHE)))
            graph = LaneGraph(RoadNetwork(town.opendrive))
            _CACHE[key] = graph
    return graph
