"""Where walkers may walk: a town's sidewalks, the corners that join them at junctions, and crosswalks.

Everything comes out as quads (four corners, CARLA frame) with CARLA's navigation area id:

- sidewalk lanes of every road, sampled along s, inset by the walker radius from both borders (as Recast
  erodes the walkable area by the agent radius) and raised to the sidewalk top;
- junction corners: where two sidewalks end at a junction on the same corner and no lane of the junction
  joins them (CARLA's towns leave corner sidewalks to the level's meshes), a strip that follows the curb
  round the corner, a cubic that leaves each sidewalk along its road;
- crosswalks: the map's ``<object type="crosswalk">`` outlines, or where a map has none, one across every
  road end at a junction with sidewalks on both sides. A crosswalk spans the road between the two sidewalks
  over an s interval; short ramps join it to the raised sidewalks (the sidewalk samples include the
  interval's ends, so the shared edges have the same corners).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from carla_odr import OpenDrive, Road
from carla_odr.detour import AREA_CROSSWALK, AREA_SIDEWALK
from engine.render.town_mesh import SIDEWALK_HEIGHT

AGENT_RADIUS = 0.3           # m: CARLA's walker agent; walkable areas keep this clear of curbs and walls
CROSSWALK_WIDTH = 3.0        # m along the road, for the crosswalks made at junctions
MAX_STEP = 4.0               # m between sidewalk samples
MAX_TURN = math.radians(5.0)  # heading change between samples on curves
CORNER_STEP = 1.0            # m between corner samples
MAX_CORNER_GAP = 40.0        # m: sidewalk ends further apart than this are no corner
END_MATCH = 0.5              # m: sidewalk ends closer than this already join
MIN_WIDTH = 2.0 * AGENT_RADIUS + 0.2
_EPS = 1e-6


@dataclass
class WalkQuads:
    """(n, 4, 3) quads in CARLA coordinates (x, y, z) and (n,) area ids."""

    quads: np.ndarray
    areas: np.ndarray


@dataclass
class _End:
    """A sidewalk's end edge at a road end: inner (curb side) and outer corner, OpenDRIVE frame."""

    road_id: int
    inner: np.ndarray
    outer: np.ndarray


def walk_quads(odr: OpenDrive) -> WalkQuads:
    """Every walkable quad of the town: sidewalk strips, crosswalks, then junction corners."""
    spans = crosswalk_spans(odr)
    pieces, ends = [], []            # pieces: (quads (n, 4, 3) OpenDRIVE frame, area id)
    for road_id in sorted(odr.roads):
        road = odr.roads[road_id]
        for section in road.lane_sections:
            forced = [span for span in spans.get(road_id, ()) if _inside_section(section, span)]
            s = _section_samples(road, section, forced)
            if len(s) < 2:
                continue
            for lane_id in _sidewalk_lanes(road, section, s):
                inner, outer = _sidewalk_borders(road, lane_id, s)
                pieces.append((_strip_quads(inner, outer), AREA_SIDEWALK))
                ends.append(_End(road_id, inner[0], outer[0]))
                ends.append(_End(road_id, inner[-1], outer[-1]))
            for span in forced:
                pieces.append((_crosswalk_quads(road, section, span), AREA_CROSSWALK))
    for first, second in corner_pairs(odr, ends):
        quads = _corner_quads(first, second)
        if quads is not None:
            pieces.append((quads, AREA_SIDEWALK))
    pieces = [(quads, area) for quads, area in pieces if len(quads)]
    if not pieces:
        return WalkQuads(np.zeros((0, 4, 3)), np.zeros(0, np.uint8))
    quads = np.concatenate([q for q, _ in pieces])
    areas = np.concatenate([np.full(len(q), area, np.uint8) for q, area in pieces])
    quads[..., 1] = -quads[..., 1]          # OpenDRIVE y points the other way from CARLA's
    return WalkQuads(quads, areas)


# -- sampling ------------------------------------------------------------------------------------------------

def _inside_section(section, span) -> bool:
    return span[0] >= section.s - _EPS and span[1] <= section.end_s + _EPS


def _section_samples(road: Road, section, forced) -> np.ndarray:
    """Offsets s along a section: steps of at most MAX_STEP (and MAX_TURN on curves), the forced spans'
    ends included and nothing strictly inside a forced span."""
    a, b = section.s, section.end_s
    if b - a < 1e-3:
        return np.zeros(0)
    probe = np.linspace(a, b, max(3, int(math.ceil((b - a) / 0.5)) + 1))
    heading = np.unwrap(road.plan_view.evaluate(probe)[2])
    curvature = float(np.max(np.abs(np.diff(heading)) / np.diff(probe)))
    step = min(MAX_STEP, MAX_TURN / curvature) if curvature > 1e-9 else MAX_STEP
    samples = set(np.linspace(a, b, max(1, int(math.ceil((b - a) / step - 1e-9))) + 1).tolist())
    for s0, s1 in forced:
        samples = {s for s in samples if not (s0 - 0.3 < s < s1 + 0.3)}
        samples.update((max(a, s0), min(b, s1)))
    samples.update((a, b))
    return np.array(sorted(samples))


def _sidewalk_lanes(road: Road, section, s: np.ndarray) -> list:
    """Sidewalk lanes of a section wide enough to walk on once inset from both borders."""
    lanes = []
    for lane_id in section.right_ids + section.left_ids:
        if section.lanes[lane_id].type != "sidewalk":
            continue
        inner, outer = section.lane_borders(lane_id, s)
        if np.min(np.abs(outer - inner)) >= MIN_WIDTH:
            lanes.append(lane_id)
    return lanes


def _points(road: Road, s, t, lift) -> np.ndarray:
    x, y, z, heading = road.reference_pose(np.asarray(s, dtype=np.float64))
    return np.column_stack([x - np.sin(heading) * t, y + np.cos(heading) * t, z + lift])


def _inset_t(road: Road, lane_id: int, s) -> tuple:
    """Inner and outer t of a sidewalk lane, each moved AGENT_RADIUS into the lane."""
    outward = 1.0 if lane_id > 0 else -1.0
    inner = road.lane_t(lane_id, s, 0.0) + outward * AGENT_RADIUS
    outer = road.lane_t(lane_id, s, 1.0) - outward * AGENT_RADIUS
    return inner, outer


def _sidewalk_borders(road: Road, lane_id: int, s: np.ndarray) -> tuple:
    inner, outer = _inset_t(road, lane_id, s)
    return _points(road, s, inner, SIDEWALK_HEIGHT), _points(road, s, outer, SIDEWALK_HEIGHT)


def _strip_quads(inner: np.ndarray, outer: np.ndarray) -> np.ndarray:
    return np.stack([inner[:-1], inner[1:], outer[1:], outer[:-1]], axis=1)


# -- crosswalks ----------------------------------------------------------------------------------------------

def _innermost_sidewalks(section) -> tuple:
    right = [i for i in section.right_ids if section.lanes[i].type == "sidewalk"]
    left = [i for i in section.left_ids if section.lanes[i].type == "sidewalk"]
    return (right[0] if right else None), (left[0] if left else None)


def _crosswalk_quads(road: Road, section, span) -> np.ndarray:
    """A crosswalk across the road over [s0, s1]: a ramp from each sidewalk and the crossing between."""
    right, left = _innermost_sidewalks(section)
    s = np.array([max(span[0], section.s), min(span[1], section.end_s)])
    t_right, _ = _inset_t(road, right, s)
    t_left, _ = _inset_t(road, left, s)
    curb_right = road.lane_t(right, s, 0.0)
    curb_left = road.lane_t(left, s, 0.0)
    rows = [(t_right, SIDEWALK_HEIGHT), (curb_right, 0.0), (curb_left, 0.0), (t_left, SIDEWALK_HEIGHT)]
    pieces = []
    for (ta, lift_a), (tb, lift_b) in zip(rows[:-1], rows[1:]):
        a, b = _points(road, s, ta, lift_a), _points(road, s, tb, lift_b)
        pieces.append(np.stack([a[0], a[1], b[1], b[0]]))
    return np.stack(pieces)


def crosswalk_spans(odr: OpenDrive) -> dict:
    """road id -> sorted (s0, s1) spans of its crosswalks: the map's crosswalk objects when it has any,
    else one at each road end that meets a junction. Spans need a sidewalk on both sides."""
    spans: dict = {}
    objects = [(road, item) for road in odr.roads.values() for item in road.objects
               if item.type.lower() == "crosswalk"]
    if objects:
        for road, item in objects:
            span = _object_span(road, item)
            if span is not None:
                spans.setdefault(road.id, []).append(span)
    else:
        for road in odr.roads.values():
            if road.is_junction:
                continue
            for at_end, link in ((False, road.predecessor), (True, road.successor)):
                if link is None or link.element_type != "junction":
                    continue
                span = (road.length - CROSSWALK_WIDTH, road.length) if at_end else (0.0, CROSSWALK_WIDTH)
                spans.setdefault(road.id, []).append(span)
    result = {}
    for road_id, road_spans in spans.items():
        road = odr.roads[road_id]
        kept = []
        for span in sorted(road_spans):
            section = _section_holding(road, span)
            if section is None or None in _innermost_sidewalks(section):
                continue
            if kept and span[0] < kept[-1][1] + 1.0:
                continue        # overlapping crosswalks (a short road): keep the first
            kept.append(span)
        if kept:
            result[road_id] = kept
    return result


def _section_holding(road: Road, span):
    for section in road.lane_sections:
        if _inside_section(section, span) and section.end_s - section.s >= (span[1] - span[0]) + 1.0 - _EPS:
            return section
    return None


def _object_span(road: Road, item):
    """The s interval an outline object covers on its road (None when it has no outline)."""
    if item.corners_road:
        s = [c[0] for c in item.corners_road]
    elif item.corners_local:
        x, y, _, heading = (float(v[0]) for v in road.reference_pose(np.array([item.s])))
        angle = heading + item.hdg
        s = [item.s + (u * math.cos(angle) - v * math.sin(angle)) * math.cos(heading)
             + (u * math.sin(angle) + v * math.cos(angle)) * math.sin(heading)
             for u, v, _ in item.corners_local]
    else:
        return None
    s0, s1 = max(0.0, min(s)), min(road.length, max(s))
    return (s0, s1) if s1 - s0 > 0.5 else None


# -- junction corners ----------------------------------------------------------------------------------------

@dataclass
class _Arm:
    """A road end at a junction: where it is, the direction into the junction, its sidewalk ends."""

    road_id: int
    point: np.ndarray
    direction: np.ndarray
    right: object     # _End or None, the sidewalk on the right looking into the junction
    left: object


def _arms(odr: OpenDrive, junction_id: int) -> list:
    arms = []
    for road in odr.roads.values():
        if road.is_junction:
            continue
        for at_end, link in ((False, road.predecessor), (True, road.successor)):
            if link is None or link.element_type != "junction" or link.element_id != junction_id:
                continue
            s = road.length if at_end else 0.0
            section = road.lane_sections[-1] if at_end else road.lane_sections[0]
            x, y, _, heading = (float(v[0]) for v in road.reference_pose(np.array([s])))
            direction = np.array([math.cos(heading), math.sin(heading)]) * (1.0 if at_end else -1.0)
            ends = {}
            probe = np.array([section.s, section.end_s])
            for lane_id in _sidewalk_lanes(road, section, probe):
                if lane_id not in _innermost_sidewalks(section):
                    continue
                inner, outer = _sidewalk_borders(road, lane_id, np.array([s]))
                # Lanes with positive ids lie left of the reference line; a start end looks against it.
                on_left = (lane_id > 0) == at_end
                ends["left" if on_left else "right"] = _End(road.id, inner[0], outer[0])
            arms.append(_Arm(road.id, np.array([x, y]), direction, ends.get("right"), ends.get("left")))
    return arms


def corner_pairs(odr: OpenDrive, strip_ends: list) -> list:
    """(end, end) pairs to join round junction corners: the right sidewalk of each arm with the left one
    of the next arm counter-clockwise, when neither already continues into a sidewalk of another road."""
    pairs = []
    for junction_id in sorted(odr.junctions):
        arms = _arms(odr, junction_id)
        if len(arms) < 2:
            continue
        centre = np.mean([arm.point for arm in arms], axis=0)
        arms.sort(key=lambda arm: math.atan2(arm.point[1] - centre[1], arm.point[0] - centre[0]))
        for i, arm in enumerate(arms):
            following = arms[(i + 1) % len(arms)]
            a, b = arm.right, following.left
            if a is None or b is None or following is arm:
                continue
            if _joined(a, strip_ends) or _joined(b, strip_ends):
                continue
            if np.linalg.norm(a.inner[:2] - b.inner[:2]) > MAX_CORNER_GAP:
                continue
            pairs.append(((a, arm.direction), (b, following.direction)))
    return pairs


def _joined(end: _End, strip_ends: list) -> bool:
    middle = 0.5 * (end.inner + end.outer)
    for other in strip_ends:
        if other.road_id == end.road_id:
            continue
        if np.linalg.norm(0.5 * (other.inner + other.outer)[:2] - middle[:2]) < END_MATCH:
            return True
    return False


def _bezier(p0: np.ndarray, d0: np.ndarray, p3: np.ndarray, d3: np.ndarray, u: np.ndarray) -> np.ndarray:
    """A cubic from p0 leaving along d0 to p3 arriving along -d3 (d3 points back out of p3), shaped like a
    circular arc where the two tangent lines meet ahead of both ends."""
    chord = float(np.linalg.norm(p3 - p0))
    k0 = k3 = chord / 3.0
    matrix = np.column_stack([d0, -d3])
    if abs(np.linalg.det(matrix)) > 1e-3:
        a, b = np.linalg.solve(matrix, p3 - p0)   # p0 + a d0 = p3 + b d3
        turn = math.acos(max(-1.0, min(1.0, float(np.dot(d0, -d3)))))
        if a > 0.0 and b > 0.0 and turn > 1e-3:
            factor = (4.0 / 3.0) * math.tan(turn / 4.0) / math.tan(turn / 2.0)
            k0, k3 = a * factor, b * factor
    c0, c3 = p0 + k0 * d0, p3 + k3 * d3
    u = u[:, None]
    return ((1 - u) ** 3) * p0 + 3 * ((1 - u) ** 2) * u * c0 + 3 * (1 - u) * (u ** 2) * c3 + (u ** 3) * p3


def _corner_quads(first, second):
    """The strip round a corner from one sidewalk end to the other; None where it would fold over."""
    (a, da), (b, db) = first, second
    length = float(np.linalg.norm(b.outer[:2] - a.outer[:2]))
    count = max(2, int(math.ceil(1.3 * length / CORNER_STEP)))
    u = np.linspace(0.0, 1.0, count + 1)
    inner = _bezier(a.inner[:2], da, b.inner[:2], db, u)
    outer = _bezier(a.outer[:2], da, b.outer[:2], db, u)
    z = a.inner[2] + (b.inner[2] - a.inner[2]) * u
    inner3 = np.column_stack([inner, z])
    outer3 = np.column_stack([outer, z])
    quads = _strip_quads(inner3, outer3)
    signed = _signed_areas(quads[..., :2])
    if np.any(np.abs(signed) < 1e-4) or not (np.all(signed > 0) or np.all(signed < 0)):
        return None
    if not all(_convex(q[:, :2]) for q in quads):
        return None
    return quads


def _signed_areas(xy: np.ndarray) -> np.ndarray:
    x, y = xy[..., 0], xy[..., 1]
    return 0.5 * np.sum(x * np.roll(y, -1, axis=-1) - np.roll(x, -1, axis=-1) * y, axis=-1)


def _convex(xy: np.ndarray) -> bool:
    edges = np.roll(xy, -1, axis=0) - xy
    cross = edges[:, 0] * np.roll(edges, -1, axis=0)[:, 1] - edges[:, 1] * np.roll(edges, -1, axis=0)[:, 0]
    return bool(np.all(cross >= -1e-9) or np.all(cross <= 1e-9))
