"""The lane graph of an OpenDRIVE map as CARLA's road engine builds it.

Roads, lane sections and lanes with their links resolved to lane successors and predecessors, and
the pose of a lane centre at any s (``lane_pose``, CARLA coordinates: y = -y_odr, yaw = -heading in
degrees, lanes with positive ids turned round). Scalar functions serve single queries; the
``lane_poses`` variant evaluates many s values of one lane at once.
"""

from __future__ import annotations

import math
import sys
from bisect import bisect_left, bisect_right

import numpy as np

from .model import OpenDrive
from .unordered import unordered_map_order

# CARLA shifts waypoints this far off section borders to stay clear of rounding.
EPSILON = 10.0 * sys.float_info.epsilon
LANE_END_MARGIN = 10.0 * EPSILON

LANE_TYPE_BITS = {
    "none": 0x1, "driving": 0x2, "stop": 0x4, "shoulder": 0x8, "biking": 0x10, "sidewalk": 0x20,
    "border": 0x40, "restricted": 0x80, "parking": 0x100, "bidirectional": 0x200, "median": 0x400,
    "special1": 0x800, "special2": 0x1000, "special3": 0x2000, "roadworks": 0x4000, "tram": 0x8000,
    "rail": 0x10000, "entry": 0x20000, "exit": 0x40000, "offramp": 0x80000, "onramp": 0x100000,
}
DRIVING = 0x2
_RAD_TO_DEG = 180.0 / math.pi


class Records:
    """Cubic records a + b*ds + c*ds^2 + d*ds^3 by absolute start s; the last one starting at or
    before s applies (the first one before any start)."""

    __slots__ = ("starts", "coeffs", "expanded", "_array_starts", "_array_coeffs")

    def __init__(self, records):
        records = sorted(records, key=lambda r: r[0])
        self.starts = [r[0] for r in records]
        self.coeffs = [tuple(r[1:]) for r in records]
        # CARLA's CubicPolynomial(a, b, c, d, s) form: multiplied out to take the absolute s.
        self.expanded = [(a - b * s + c * s * s - d * s * s * s, b - 2 * c * s + 3 * d * s * s, c - 3 * d * s, d)
                         for s, (a, b, c, d) in zip(self.starts, self.coeffs)]
        self._array_starts = np.array(self.starts, dtype=np.float64)
        self._array_coeffs = np.array(self.coeffs, dtype=np.float64).reshape(-1, 4)

    def _record(self, s):
        index = bisect_right(self.starts, s) - 1
        return (index if index > 0 else 0)

    def carla_value_slope(self, s: float):
        """Value and slope at s as CARLA evaluates its CubicPolynomial (the multiplied-out coefficients,
        Horner on the absolute s); zero without records."""
        if not self.starts:
            return 0.0, 0.0
        v0, v1, v2, v3 = self.expanded[self._record(s)]
        return v0 + s * (v1 + s * (v2 + s * v3)), v1 + s * (2 * v2 + s * 3 * v3)

    def value(self, s: float) -> float:
        if not self.starts:
            return 0.0
        i = self._record(s)
        a, b, c, d = self.coeffs[i]
        ds = s - self.starts[i]
        return a + ds * (b + ds * (c + ds * d))

    def slope(self, s: float) -> float:
        if not self.starts:
            return 0.0
        i = self._record(s)
        _, b, c, d = self.coeffs[i]
        ds = s - self.starts[i]
        return b + ds * (2.0 * c + ds * 3.0 * d)

    def values(self, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Values and slopes at many s."""
        if not self.starts:
            return np.zeros_like(s), np.zeros_like(s)
        index = np.clip(np.searchsorted(self._array_starts, s, side="right") - 1, 0, None)
        a, b, c, d = self._array_coeffs[index].T
        ds = s - self._array_starts[index]
        return a + ds * (b + ds * (c + ds * d)), b + ds * (2.0 * c + ds * 3.0 * d)


class RoadMarkRecord:
    __slots__ = ("s", "type", "color", "width", "lane_change")

    def __init__(self, s, mark):
        self.s = s
        self.type = mark.type
        self.color = mark.color
        self.width = mark.width
        self.lane_change = mark.lane_change


class NetLane:
    __slots__ = ("road", "section", "id", "type", "widths", "marks", "mark_starts",
                 "successor", "predecessor", "next_lanes", "prev_lanes", "index")

    def __init__(self, road, section, lane):
        self.road = road
        self.section = section
        self.id = lane.id
        self.type = LANE_TYPE_BITS.get(lane.type.lower(), 0x1)
        base = section.s
        self.widths = Records([(base + w.start, w.a, w.b, w.c, w.d) for w in lane.width.records])
        marks = sorted((base + m.s_offset, i, m) for i, m in enumerate(lane.road_marks))
        self.marks = [RoadMarkRecord(s, m) for s, _, m in marks]
        self.mark_starts = [m.s for m in self.marks]
        self.successor = lane.successors[0] if lane.successors else 0
        self.predecessor = lane.predecessors[0] if lane.predecessors else 0
        self.next_lanes: list[NetLane] = []
        self.prev_lanes: list[NetLane] = []
        self.index = -1

    @property
    def start_s(self) -> float:
        return self.section.s

    @property
    def length(self) -> float:
        return self.section.length

    def width(self, s: float) -> float:
        return self.widths.value(s)

    def mark(self, s: float):
        index = bisect_right(self.mark_starts, s) - 1
        return self.marks[index] if index >= 0 else None

    def distance_at_start(self) -> float:
        """s where traffic enters the lane (CARLA's GetDistanceAtStartOfLane)."""
        if self.id <= 0:
            return self.section.s + LANE_END_MARGIN
        return self.section.s + self.section.length - LANE_END_MARGIN

    def distance_at_end(self) -> float:
        if self.id > 0:
            return self.section.s + LANE_END_MARGIN
        return self.section.s + self.section.length - LANE_END_MARGIN


class NetSection:
    __slots__ = ("road", "id", "s", "length", "lanes", "lane_ids")

    def __init__(self, road, section_id, s):
        self.road = road
        self.id = section_id
        self.s = s
        self.length = 0.0
        self.lanes: dict[int, NetLane] = {}
        self.lane_ids: list[int] = []


class NetRoad:
    __slots__ = ("id", "name", "length", "junction_id", "successor", "predecessor", "sections",
                 "section_starts", "geometries", "geometry_starts", "lane_offset", "elevation",
                 "source", "_sections_by_id")

    def __init__(self, road):
        self.id = road.id
        self.name = road.name
        self.length = road.length
        self.junction_id = road.junction
        # CARLA keeps only the element id of a link; a missing link reads as 0.
        self.successor = road.successor.element_id if road.successor else 0
        self.predecessor = road.predecessor.element_id if road.predecessor else 0
        self.geometries = road.plan_view.geometries
        self.geometry_starts = [g.s for g in self.geometries]
        self.lane_offset = Records([(r.start, r.a, r.b, r.c, r.d) for r in road.lane_offset.records])
        self.elevation = Records([(r.start, r.a, r.b, r.c, r.d) for r in road.elevation.records])
        self.source = road
        self.sections: list[NetSection] = []
        for section_id, section in enumerate(road.lane_sections):
            net_section = NetSection(self, section_id, section.s)
            for lane_id in sorted(section.lanes):
                net_section.lanes[lane_id] = NetLane(self, net_section, section.lanes[lane_id])
            net_section.lane_ids = sorted(net_section.lanes)
            self.sections.append(net_section)
        self.sections.sort(key=lambda sec: sec.s)
        self.section_starts = [sec.s for sec in self.sections]
        self._sections_by_id = {sec.id: sec for sec in self.sections}
        for section in self.sections:
            section.length = self.upper_bound(section.s) - section.s

    @property
    def is_junction(self) -> bool:
        return self.junction_id != -1

    def section_by_id(self, section_id: int) -> NetSection:
        return self._sections_by_id[section_id]

    def upper_bound(self, s: float) -> float:
        """Start of the first section beginning after s, or the road length."""
        index = bisect_right(self.section_starts, s)
        return self.section_starts[index] if index < len(self.section_starts) else self.length

    def sections_at(self, s: float) -> list[NetSection]:
        """The sections that hold s: all of those starting at the last start at or before s."""
        index = bisect_right(self.section_starts, s) - 1
        if index < 0:
            return []
        start = self.section_starts[index]
        result = []
        while index >= 0 and self.section_starts[index] == start:
            result.append(self.sections[index])
            index -= 1
        return result

    def lane_at(self, s: float, lane_id: int):
        for section in self.sections_at(s):
            lane = section.lanes.get(lane_id)
            if lane is not None:
                return lane
        return None

    # -- geometry ---------------------------------------------------------------------------

    def reference_point(self, s: float):
        """``(x, y, z, heading, slope)`` of the lane-offset line in OpenDRIVE coordinates."""
        clamped = min(max(s, 0.0), self.length)
        index = bisect_right(self.geometry_starts, clamped) - 1
        geometry = self.geometries[index if index > 0 else 0]
        ds = min(max(clamped - geometry.s, 0.0), geometry.length)
        kind = geometry.kind
        if kind == "line":
            heading = geometry.hdg
            x = geometry.x + ds * math.cos(heading)
            y = geometry.y + ds * math.sin(heading)
        elif kind == "arc" and geometry.curvature != 0.0:
            radius = 1.0 / geometry.curvature
            heading = geometry.hdg + ds * geometry.curvature
            x = geometry.x - radius * math.sin(geometry.hdg) + radius * math.sin(heading)
            y = geometry.y + radius * math.cos(geometry.hdg) - radius * math.cos(heading)
        else:
            gx, gy, gh = geometry.evaluate(np.array([ds]))
            x, y, heading = float(gx[0]), float(gy[0]), float(gh[0])
        offset = self.lane_offset.value(clamped)
        x -= offset * math.sin(heading)
        y += offset * math.cos(heading)
        return x, y, self.elevation.value(s), heading, self.elevation.slope(s)

    def reference_points(self, s: np.ndarray):
        """Vectorised :meth:`reference_point`."""
        clamped = np.clip(s, 0.0, self.length)
        starts = np.asarray(self.geometry_starts)
        index = np.clip(np.searchsorted(starts, clamped, side="right") - 1, 0, None)
        x = np.empty_like(s)
        y = np.empty_like(s)
        heading = np.empty_like(s)
        for i in np.unique(index):
            geometry = self.geometries[int(i)]
            mask = index == i
            ds = np.clip(clamped[mask] - geometry.s, 0.0, geometry.length)
            if geometry.kind == "arc" and geometry.curvature != 0.0:
                radius = 1.0 / geometry.curvature
                h = geometry.hdg + ds * geometry.curvature
                x[mask] = geometry.x - radius * math.sin(geometry.hdg) + radius * np.sin(h)
                y[mask] = geometry.y + radius * math.cos(geometry.hdg) - radius * np.cos(h)
                heading[mask] = h
            else:
                x[mask], y[mask], heading[mask] = geometry.evaluate(ds)
        offset, _ = self.lane_offset.values(clamped)
        x = x - offset * np.sin(heading)
        y = y + offset * np.cos(heading)
        z, slope = self.elevation.values(s)
        return x, y, z, heading, slope


def _lane_lateral(lane: NetLane, s: float):
    """Offset to the right of the reference line and its slope, summed out to the lane centre."""
    section_lanes = lane.section.lanes
    step = -1 if lane.id < 0 else 1
    sign = 1.0 if lane.id < 0 else -1.0
    offset = 0.0
    slope = 0.0
    for other_id in range(step, lane.id + step, step):
        other = section_lanes[other_id]
        w = other.widths.value(s)
        dw = other.widths.slope(s)
        if other_id == lane.id:
            offset += sign * w * 0.5
            slope += sign * dw * 0.5
        else:
            offset += sign * w
            slope += sign * dw
    return offset, slope


def lane_pose(lane: NetLane, s: float):
    """``(x, y, z, pitch, yaw)`` of a lane centre at s, CARLA coordinates and degrees."""
    road = lane.road
    x, y, z, heading, slope = road.reference_point(s)
    if lane.id != 0:
        offset, width_slope = _lane_lateral(lane, s)
        x += offset * math.sin(heading)
        y -= offset * math.cos(heading)
        heading -= width_slope - road.lane_offset.slope(s)
    else:
        heading += road.lane_offset.slope(s)
    pitch = slope * _RAD_TO_DEG
    yaw = -heading * _RAD_TO_DEG
    if lane.id > 0:
        yaw += 180.0
        pitch = 360.0 - pitch
    return x, -y, z, pitch, yaw


def lane_poses(lane: NetLane, s: np.ndarray):
    """Vectorised :func:`lane_pose` for many s of one lane."""
    road = lane.road
    x, y, z, heading, slope = road.reference_points(s)
    offset = np.zeros_like(s)
    width_slope = np.zeros_like(s)
    if lane.id != 0:
        step = -1 if lane.id < 0 else 1
        sign = 1.0 if lane.id < 0 else -1.0
        for other_id in range(step, lane.id + step, step):
            w, dw = lane.section.lanes[other_id].widths.values(s)
            factor = sign * (0.5 if other_id == lane.id else 1.0)
            offset += factor * w
            width_slope += factor * dw
    _, offset_slope = road.lane_offset.values(s)
    x = x + offset * np.sin(heading)
    y = y - offset * np.cos(heading)
    heading = heading - (width_slope - offset_slope)
    pitch = slope * _RAD_TO_DEG
    yaw = -heading * _RAD_TO_DEG
    if lane.id > 0:
        yaw = yaw + 180.0
        pitch = 360.0 - pitch
    return x, -y, z, pitch, yaw


class RoadNetwork:
    """All roads and junctions of a map, with lanes linked the way CARLA links them."""

    def __init__(self, opendrive: OpenDrive):
        self.opendrive = opendrive
        self.roads: dict[int, NetRoad] = {}
        for road_id in unordered_map_order(list(opendrive.roads)):
            self.roads[road_id] = NetRoad(opendrive.roads[road_id])
        self.junctions = opendrive.junctions
        # Connection order as CARLA's per-junction unordered_map holds it.
        self.junction_connections = {
            junction_id: [by_id[c] for c in unordered_map_order(list(by_id))]
            for junction_id, junction in opendrive.junctions.items()
            for by_id in [{c.id: c for c in junction.connections}]
        }
        self.lanes: list[NetLane] = []
        for road in self.roads.values():
            for section in road.sections:
                for lane_id in section.lane_ids:
                    lane = section.lanes[lane_id]
                    lane.index = len(self.lanes)
                    self.lanes.append(lane)
        self._link_lanes()

    def lane_ids_at(self, road_id: int, s: float):
        """Lane ids of the lane sections holding s on a road, or None when the map has no such road."""
        road = self.roads.get(road_id)
        return None if road is None else [i for section in road.sections_at(s) for i in section.lane_ids]

    # -- links (CARLA's MapBuilder::GetLaneNext) ---------------------------------------------

    def _edge_lane(self, road_id: int, from_start: bool, lane_id: int):
        road = self.roads.get(road_id)
        if road is None:
            return None
        sections = road.sections if from_start else reversed(road.sections)
        for section in sections:
            lane = section.lanes.get(lane_id)
            if lane is not None:
                return lane
        return None

    def _junction_lanes(self, junction_id: int, road_id: int, lane_id: int):
        result = []
        for connection in self.junction_connections.get(junction_id, ()):
            if connection.incoming_road != road_id:
                continue
            if lane_id == 0:
                result.append((connection.connecting_road, 0))
                continue
            for source, target in connection.lane_links:
                if source == lane_id:
                    result.append((connection.connecting_road, target))
        return result

    def _lane_next(self, road: NetRoad, section: NetSection, lane: NetLane):
        if lane.id <= 0:
            next_road, next_id = road.successor, lane.successor
        else:
            next_road, next_id = road.predecessor, lane.predecessor
        has_link = next_id != 0 or lane.id == 0
        s = section.s
        if (lane.id > 0 and s > 0) or (lane.id <= 0 and bisect_right(road.section_starts, s) < len(road.sections)):
            if not has_link:
                return []
            if lane.id <= 0:
                later = road.sections[bisect_right(road.section_starts, s):]
                candidates = [sec.lanes.get(next_id) for sec in later]
            else:
                earlier = road.sections[:bisect_left(road.section_starts, s)]
                candidates = [sec.lanes.get(next_id) for sec in reversed(earlier)]
            found = next((c for c in candidates if c is not None), None)
            return [found] if found is not None else []
        if next_road in self.roads:
            if not has_link:
                return []
            found = self._edge_lane(next_road, next_id <= 0, next_id)
            return [found] if found is not None else []
        result = []
        for target_road, target_lane in self._junction_lanes(next_road, road.id, lane.id):
            found = self._edge_lane(target_road, target_lane <= 0, target_lane)
            if found is not None:
                result.append(found)
        return result

    def _link_lanes(self):
        for road in self.roads.values():
            for section in road.sections:
                for lane_id in section.lane_ids:
                    lane = section.lanes[lane_id]
                    lane.next_lanes = self._lane_next(road, section, lane)
                    for following in lane.next_lanes:
                        following.prev_lanes.append(lane)
