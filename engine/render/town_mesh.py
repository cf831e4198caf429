"""The static road network as a mesh: lanes, raised sidewalks with curbs, lane markings, junction
surfaces and the ground around the town, all from the town's OpenDRIVE.

Geometry is sampled in OpenDRIVE's frame and mirrored into CARLA's (y = -y_odr) when the mesh is built.
Cross-sections are flat (no superelevation); heights follow each road's elevation profile.
"""
from __future__ import annotations

import dataclasses
import math
import weakref
from typing import Optional

import numpy as np

from carla_odr import Arc, Line, OpenDrive, Road, Spiral
from engine.render.primitives import MeshBuilder, Part, srgb8
from engine.render.scene_data import Mesh
from engine.render.semantic_tags import CityObjectLabel as Tag

SIDEWALK_HEIGHT = 0.15        # top of sidewalks and curbs above the road surface
MARKING_LIFT = 0.005          # lane markings float this far above the surface they are painted on
GROUND_DROP = 0.05            # the ground around the roads lies this far below the road surface
MAX_STEP = 1.0                # longest sample step along curved or non-linear road pieces (metres)
MAX_TURN = math.radians(4.0)  # and the largest heading change per step
BROKEN_ON, BROKEN_OFF = 3.0, 9.0
DOTS_ON, DOTS_OFF = 0.15, 1.2
DEFAULT_MARK_WIDTH = 0.15
RASTER_CELL = 0.5             # coverage raster used for the ground and for placing props
GROUND_MARGIN = 40.0          # ground detailed this far around the roads, then a plain skirt
HORIZON = 2000.0              # half size of the ground skirt (beyond the cameras' 1000 m far plane)
JUNCTION_HULL_SLACK = 1.35    # fill a junction's convex hull only if it is at most this much larger than its lanes

# OpenDRIVE lane type -> surface kind (types not listed, such as "none", are not drawn).
LANE_KINDS = {
    **{t: "road" for t in ("driving", "stop", "shoulder", "parking", "bidirectional", "entry", "exit", "onRamp",
                           "offRamp", "connectingRamp", "restricted", "roadWorks", "slipLane", "special1",
                           "special2", "special3", "taxi", "bus", "HOV")},
    "biking": "bike",
    "sidewalk": "sidewalk", "walking": "sidewalk", "curb": "sidewalk",
    "border": "border", "median": "median",
    "rail": "rail", "tram": "rail",
}
ROAD_KINDS = ("road", "bike")
SURFACES = {  # kind -> (semantic tag, linear albedo)
    "road": (Tag.Roads, srgb8(62, 62, 66)),
    "bike": (Tag.Roads, srgb8(105, 58, 52)),
    "sidewalk": (Tag.Sidewalks, srgb8(150, 147, 140)),
    "border": (Tag.Terrain, srgb8(112, 104, 88)),
    "median": (Tag.Terrain, srgb8(84, 118, 56)),
    "rail": (Tag.RailTrack, srgb8(92, 84, 76)),
}
CURB_COLOR = srgb8(168, 165, 158)
GROUND_COLOR = srgb8(86, 122, 54)
MARK_COLORS = {
    "standard": srgb8(225, 225, 220), "white": srgb8(225, 225, 220), "yellow": srgb8(230, 180, 40),
    "red": srgb8(200, 40, 30), "blue": srgb8(40, 80, 200), "green": srgb8(40, 160, 60),
    "orange": srgb8(235, 120, 30), "violet": srgb8(140, 60, 170),
}
# roadMark type -> stripes, first to last across the line; each stripe "solid", "broken" or "dots".
MARK_STRIPES = {
    "solid": ("solid",), "broken": ("broken",), "custom": ("solid",), "botts dots": ("dots",),
    "solid solid": ("solid", "solid"), "solid broken": ("solid", "broken"),
    "broken solid": ("broken", "solid"), "broken broken": ("broken", "broken"),
}


@dataclasses.dataclass
class LaneStrip:
    """One lane of one lane section, sampled along s (OpenDRIVE frame)."""
    road_id: int
    lane_id: int
    kind: str
    junction: int
    s: np.ndarray            # (n,)
    right: np.ndarray        # (n, 3) border with the smaller t, on the road surface
    left: np.ndarray         # (n, 3) border with the larger t
    normal: np.ndarray       # (n, 3) surface normal

    @property
    def raised(self) -> bool:
        return self.kind == "sidewalk"


@dataclasses.dataclass
class CoverageRaster:
    """Cells (OpenDRIVE x, y) that any road, sidewalk or junction surface touches."""
    origin: np.ndarray       # (2,) x, y of the corner of cell (0, 0)
    cell: float
    touched: np.ndarray      # (rows along y, columns along x) bool

    def cells_of(self, xy: np.ndarray) -> tuple:
        ij = np.floor((np.asarray(xy)[..., :2] - self.origin) / self.cell).astype(np.int64)
        return ij[..., 1], ij[..., 0]

    def centers(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return self.origin + (np.stack([cols, rows], axis=-1) + 0.5) * self.cell

    def inside(self, rows, cols) -> np.ndarray:
        return (rows >= 0) & (cols >= 0) & (rows < self.touched.shape[0]) & (cols < self.touched.shape[1])


@dataclasses.dataclass
class TownSurfaces:
    strips: list             # [LaneStrip]
    junction_fills: dict     # junction id -> (k, 3) convex outline, counter-clockwise (OpenDRIVE frame)
    raster: CoverageRaster
    bounds: np.ndarray       # (2, 2) min and max x, y of every surface


# -- sampling ------------------------------------------------------------------------------------------------------

def _curvature_bound(road: Road, a: float, b: float) -> float:
    """Largest curvature of the reference line on [a, b], which lies within one geometry."""
    middle = 0.5 * (a + b)
    geometry = road.plan_view.geometries[0]
    for candidate in road.plan_view.geometries:
        if candidate.s <= middle:
            geometry = candidate
    if isinstance(geometry, Line):
        return 0.0
    if isinstance(geometry, Arc):
        return abs(geometry.curvature)
    if isinstance(geometry, Spiral):
        return max(abs(geometry.curv_start), abs(geometry.curv_end))
    s = np.linspace(a, b, 17)
    heading = np.unwrap(road.plan_view.evaluate(s)[2])
    return float(np.max(np.abs(np.diff(heading))) / max((b - a) / 16.0, 1e-9))


def _nonlinear(cubic, start: float, a: float, b: float) -> bool:
    """Whether a piecewise cubic (record starts offset by ``start``) bends anywhere in [a, b]."""
    records = cubic.records
    for i, record in enumerate(records):
        begin = start + record.start
        end = start + records[i + 1].start if i + 1 < len(records) else math.inf
        if begin < b and end > a and (record.c or record.d):
            return True
    return False


def section_samples(road: Road, section) -> np.ndarray:
    """Road offsets s sampling a lane section: breakpoints of every record, then steps of at most
    MAX_STEP (and MAX_TURN of heading) along curves and non-linear profiles."""
    s0, s1 = section.s, section.end_s
    breaks = {s0, s1}
    breaks.update(g.s for g in road.plan_view.geometries)
    breaks.update(r.start for r in road.elevation.records + road.lane_offset.records)
    for lane in section.lanes.values():
        breaks.update(s0 + r.start for r in lane.width.records)
    breaks = sorted(b for b in breaks if s0 <= b <= s1)
    pieces = []
    for a, b in zip(breaks[:-1], breaks[1:]):
        if b - a < 1e-6:
            continue
        curvature = _curvature_bound(road, a, b)
        if curvature > 1e-9:
            step = min(MAX_STEP, MAX_TURN / curvature)
        elif (_nonlinear(road.elevation, 0.0, a, b) or _nonlinear(road.lane_offset, 0.0, a, b)
              or any(_nonlinear(lane.width, s0, a, b) for lane in section.lanes.values())):
            step = MAX_STEP
        else:
            step = b - a
        count = max(1, math.ceil((b - a) / step - 1e-9))
        pieces.append(np.linspace(a, b, count + 1)[:-1])
    pieces.append(np.array([s1]))
    return np.concatenate(pieces)


def _points(x, y, z, heading, t) -> np.ndarray:
    return np.column_stack([x - np.sin(heading) * t, y + np.cos(heading) * t, z])


def lane_strips(odr: OpenDrive) -> list:
    """Every drawn lane of every lane section, in road, section and lane order."""
    strips = []
    for road_id in sorted(odr.roads):
        road = odr.roads[road_id]
        for section in road.lane_sections:
            if section.end_s - section.s < 1e-6:
                continue
            s = section_samples(road, section)
            x, y, z, heading = road.reference_pose(s)
            offset = road.lane_offset(s)
            slope = road.elevation.derivative(s)
            normal = np.column_stack([-slope * np.cos(heading), -slope * np.sin(heading), np.ones_like(s)])
            normal /= np.linalg.norm(normal, axis=1, keepdims=True)
            for lane_id in section.right_ids + section.left_ids:
                kind = LANE_KINDS.get(section.lanes[lane_id].type)
                if kind is None:
                    continue
                inner, outer = section.lane_borders(lane_id, s)
                if np.max(np.abs(outer - inner)) < 0.01:
                    continue
                low, high = (outer, inner) if lane_id < 0 else (inner, outer)
                strips.append(LaneStrip(road_id, lane_id, kind, road.junction, s,
                                        _points(x, y, z, heading, offset + low),
                                        _points(x, y, z, heading, offset + high), normal))
    return strips


# -- surfaces ------------------------------------------------------------------------------------------------------

def _strip_quads(right: np.ndarray, left: np.ndarray, normal_right, normal_left=None) -> Part:
    """Triangles between two rows of points; ``right`` must lie to the right of ``left`` going along
    the rows when seen from the side the normals point to."""
    n = len(right)
    normal_left = normal_right if normal_left is None else normal_left
    i = np.arange(n - 1)
    quads = np.stack([i, i + 1, n + i + 1, i, n + i + 1, n + i], axis=1).reshape(-1)
    return Part(np.concatenate([right, left]), np.concatenate([normal_right, normal_left]), quads)


def _strip_parts(strip: LaneStrip) -> list:
    """(part, colour) pairs of a lane: its top surface, and for raised lanes the curb faces and end caps."""
    tag, color = SURFACES[strip.kind]
    if not strip.raised:
        return [(_strip_quads(strip.right, strip.left, strip.normal), color)]
    up = np.array([0.0, 0.0, SIDEWALK_HEIGHT])
    down = np.array([0.0, 0.0, -GROUND_DROP])
    parts = [(_strip_quads(strip.right + up, strip.left + up, strip.normal), color)]
    along = np.gradient(strip.right[:, :2], axis=0) if len(strip.s) > 1 else np.zeros((1, 2))
    along = np.column_stack([along, np.zeros(len(along))])
    along /= np.maximum(np.linalg.norm(along, axis=1, keepdims=True), 1e-12)
    side = np.column_stack([-along[:, 1], along[:, 0], np.zeros(len(along))])   # towards larger t
    # Right curb faces the smaller t: its bottom row runs along s with the top row above it.
    parts.append((_strip_quads(strip.right + down, strip.right + up, -side), CURB_COLOR))
    parts.append((_strip_quads(strip.left + up, strip.left + down, side), CURB_COLOR))
    for k, sign, first in ((0, -1.0, True), (-1, 1.0, False)):
        corners = np.array([strip.right[k] + down, strip.left[k] + down, strip.left[k] + up, strip.right[k] + up])
        if first:
            corners = corners[[1, 0, 3, 2]]
        normal = np.tile(sign * along[k], (4, 1))
        parts.append((Part(corners, normal, np.array([0, 1, 2, 0, 2, 3])), CURB_COLOR))
    return parts


def _hull(points: np.ndarray) -> np.ndarray:
    """Indices of the 2-D convex hull of (n, 2) points, counter-clockwise (monotone chain)."""
    order = np.lexsort((points[:, 1], points[:, 0]))
    pts = points[order]

    def chain(indices):
        out = []
        for i in indices:
            while len(out) >= 2:
                o, a = pts[out[-2]], pts[out[-1]]
                if (a[0] - o[0]) * (pts[i][1] - o[1]) - (a[1] - o[1]) * (pts[i][0] - o[0]) > 1e-9:
                    break
                out.pop()
            out.append(i)
        return out

    lower = chain(range(len(pts)))
    upper = chain(range(len(pts) - 1, -1, -1))
    return order[np.array(lower[:-1] + upper[:-1])]


def _polygon_area(xy: np.ndarray) -> float:
    return 0.5 * float(np.sum(xy[:, 0] * np.roll(xy[:, 1], -1) - np.roll(xy[:, 0], -1) * xy[:, 1]))


def _strip_sample_points(strip: LaneStrip, spacing: float) -> np.ndarray:
    """Points covering a lane strip (OpenDRIVE x, y) at most ``spacing`` apart."""
    right, left = strip.right[:, :2], strip.left[:, :2]
    if len(right) == 1:
        return right
    seg = np.maximum(np.linalg.norm(np.diff(right, axis=0), axis=1), np.linalg.norm(np.diff(left, axis=0), axis=1))
    counts = np.maximum(1, np.ceil(seg / spacing).astype(np.int64))
    index = np.repeat(np.arange(len(seg)), counts)
    u = (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)) / np.repeat(counts, counts)
    a = right[index] + (right[index + 1] - right[index]) * u[:, None]
    b = left[index] + (left[index + 1] - left[index]) * u[:, None]
    a = np.concatenate([a, right[-1:]])
    b = np.concatenate([b, left[-1:]])
    across = max(1, int(math.ceil(float(np.max(np.linalg.norm(b - a, axis=1))) / spacing)))
    v = np.linspace(0.0, 1.0, across + 1)
    return (a[:, None, :] + (b - a)[:, None, :] * v[None, :, None]).reshape(-1, 2)


def _polygon_cells(raster: CoverageRaster, polygon: np.ndarray) -> tuple:
    """Cells whose centres lie inside a convex counter-clockwise polygon."""
    lo_r, lo_c = raster.cells_of(polygon[:, :2].min(axis=0))
    hi_r, hi_c = raster.cells_of(polygon[:, :2].max(axis=0))
    rows, cols = np.meshgrid(np.arange(lo_r, hi_r + 1), np.arange(lo_c, hi_c + 1), indexing="ij")
    rows, cols = rows.reshape(-1), cols.reshape(-1)
    p = raster.centers(rows, cols)
    inside = np.ones(len(p), dtype=bool)
    ring = polygon[:, :2]
    for a, b in zip(ring, np.roll(ring, -1, axis=0)):
        inside &= (b[0] - a[0]) * (p[:, 1] - a[1]) - (b[1] - a[1]) * (p[:, 0] - a[0]) >= 0.0
    return rows[inside], cols[inside]


def _junction_fills(odr: OpenDrive, strips: list, cell: float) -> dict:
    """Convex outlines of compact junctions (their lanes' hull), to fill gaps between connecting lanes."""
    fills = {}
    for junction_id in sorted(odr.junctions):
        road_strips = [s for s in strips if s.junction == junction_id and s.kind in ROAD_KINDS]
        if not road_strips:
            continue
        points = np.concatenate([np.concatenate([s.right, s.left]) for s in road_strips])
        hull = points[_hull(points[:, :2])]
        if len(hull) < 3:
            continue
        samples = np.concatenate([_strip_sample_points(s, 0.7 * cell) for s in road_strips])
        lanes_area = len(np.unique(np.floor(samples / cell).astype(np.int64), axis=0)) * cell * cell
        if _polygon_area(hull[:, :2]) <= JUNCTION_HULL_SLACK * lanes_area:
            fills[junction_id] = hull
    return fills


def _coverage(strips: list, fills: dict, bounds: np.ndarray, cell: float) -> CoverageRaster:
    origin = np.floor(bounds[0] / cell) * cell
    shape = np.ceil((bounds[1] - origin) / cell).astype(np.int64) + 1
    raster = CoverageRaster(origin, cell, np.zeros((shape[1], shape[0]), dtype=bool))
    for strip in strips:
        rows, cols = raster.cells_of(_strip_sample_points(strip, 0.7 * cell))
        raster.touched[rows, cols] = True
    for outline in fills.values():
        raster.touched[_polygon_cells(raster, outline)] = True
    return raster


def town_surfaces(odr: OpenDrive) -> TownSurfaces:
    """Lane strips, junction fills and the coverage raster of a map (the last one computed is reused)."""
    global _LAST
    if _LAST is not None and _LAST[0]() is odr:
        return _LAST[1]
    strips = lane_strips(odr)
    if not strips:
        raise ValueError("the map has no drawable lanes")
    fills = _junction_fills(odr, strips, RASTER_CELL)
    points = np.concatenate([np.concatenate([s.right[:, :2], s.left[:, :2]]) for s in strips])
    bounds = np.stack([points.min(axis=0), points.max(axis=0)])
    padded = bounds + np.array([[-GROUND_MARGIN], [GROUND_MARGIN]])
    surfaces = TownSurfaces(strips, fills, _coverage(strips, fills, padded, RASTER_CELL), bounds)
    _LAST = (weakref.ref(odr), surfaces)
    return surfaces


_LAST: Optional[tuple] = None


# -- markings ------------------------------------------------------------------------------------------------------

def _dash_intervals(pattern: str, a: float, b: float) -> list:
    if pattern == "solid":
        return [(a, b)]
    on, off = (BROKEN_ON, BROKEN_OFF) if pattern == "broken" else (DOTS_ON, DOTS_OFF)
    starts = np.arange(a, b - 1e-6, on + off)
    return [(float(s), float(min(s + on, b))) for s in starts if min(s + on, b) - s > 0.05]


def _mark_parts(odr: OpenDrive, road_id: int, section, s_all: np.ndarray) -> list:
    """(part, colour) pairs for the painted road marks of one lane section."""
    road = odr.roads[road_id]
    parts = []
    for lane_id in sorted(section.lanes):
        lane = section.lanes[lane_id]
        kind = "road" if lane_id == 0 else LANE_KINDS.get(lane.type)
        if kind is None or not lane.road_marks:
            continue
        lift = MARKING_LIFT + (SIDEWALK_HEIGHT if kind == "sidewalk" else 0.0)
        first_side = -1.0 if lane_id > 0 else 1.0       # first stripe: inner side, or left on the centre line
        marks = sorted(lane.road_marks, key=lambda m: m.s_offset)
        for i, mark in enumerate(marks):
            stripes = MARK_STRIPES.get(mark.type)
            if stripes is None:
                continue
            a = section.s + mark.s_offset
            b = section.s + marks[i + 1].s_offset if i + 1 < len(marks) else section.end_s
            b = min(b, section.end_s)
            if b - a < 0.05:
                continue
            width = mark.width if mark.width > 0.0 else DEFAULT_MARK_WIDTH
            color = MARK_COLORS.get(mark.color.lower(), MARK_COLORS["standard"])
            centres = [0.0] if len(stripes) == 1 else [first_side * width, -first_side * width]
            for pattern, centre in zip(stripes, centres):
                for lo, hi in _dash_intervals(pattern, a, b):
                    inner = s_all[(s_all > lo) & (s_all < hi)]
                    s = np.concatenate([[lo], inner, [hi]])
                    x, y, z, heading = road.reference_pose(s)
                    if lane_id == 0:
                        t = road.lane_offset(s)
                    else:
                        t = road.lane_offset(s) + section.lane_borders(lane_id, s)[1]
                    z = z + lift
                    slope = road.elevation.derivative(s)
                    normal = np.column_stack([-slope * np.cos(heading), -slope * np.sin(heading), np.ones_like(s)])
                    right = _points(x, y, z, heading, t + centre - 0.5 * width)
                    left = _points(x, y, z, heading, t + centre + 0.5 * width)
                    parts.append((_strip_quads(right, left, normal), color))
    return parts


# -- ground --------------------------------------------------------------------------------------------------------

def _erode(mask: np.ndarray) -> np.ndarray:
    """Cells whose 3x3 neighbourhood is entirely set."""
    out = mask.copy()
    padded = np.pad(mask, 1, constant_values=False)
    rows, cols = mask.shape
    for dr in (0, 1, 2):
        for dc in (0, 1, 2):
            out &= padded[dr:dr + rows, dc:dc + cols]
    return out


def _free_rectangles(free: np.ndarray) -> list:
    """Cover the set cells with rectangles (row0, row1, col0, col1), merging equal runs of adjacent rows."""
    rectangles, open_runs = [], {}
    for row in range(free.shape[0] + 1):
        runs = set()
        if row < free.shape[0]:
            line = np.concatenate([[False], free[row], [False]])
            edges = np.flatnonzero(line[1:] != line[:-1])
            runs = set(zip(edges[0::2].tolist(), edges[1::2].tolist()))
        for run in list(open_runs):
            if run not in runs:
                rectangles.append((open_runs.pop(run), row, run[0], run[1]))
        for run in runs:
            open_runs.setdefault(run, row)
    return sorted(rectangles)


def _ground_part(town, surfaces: TownSurfaces) -> Part:
    """Ground quads wherever the raster is not entirely under a surface, and a plain skirt beyond it."""
    raster = surfaces.raster
    free = ~_erode(raster.touched)
    flat = town.flat
    # On hills the ground follows the roads' heights, so keep its quads small.
    max_cells = 10**9 if flat else max(1, int(8.0 / raster.cell))
    corners = []
    for row0, row1, col0, col1 in _free_rectangles(free):
        for r0 in range(row0, row1, max_cells):
            for c0 in range(col0, col1, max_cells):
                r1, c1 = min(r0 + max_cells, row1), min(c0 + max_cells, col1)
                lo = raster.origin + np.array([c0, r0]) * raster.cell
                hi = raster.origin + np.array([c1, r1]) * raster.cell
                corners.append([[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [lo[0], hi[1]]])
    inner_lo = raster.origin
    inner_hi = raster.origin + np.array(raster.touched.shape[::-1]) * raster.cell
    centre = 0.5 * (surfaces.bounds[0] + surfaces.bounds[1])
    far_lo, far_hi = centre - HORIZON, centre + HORIZON
    skirt = (((far_lo[0], far_lo[1]), (far_hi[0], inner_lo[1])),        # south strip
             ((far_lo[0], inner_hi[1]), (far_hi[0], far_hi[1])),        # north strip
             ((far_lo[0], inner_lo[1]), (inner_lo[0], inner_hi[1])),    # west
             ((inner_hi[0], inner_lo[1]), (far_hi[0], inner_hi[1])))    # east
    for lo, hi in skirt:
        corners.append([[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [lo[0], hi[1]]])
    xy = np.array(corners, dtype=np.float64).reshape(-1, 2)
    if flat:
        z = np.zeros(len(xy))
    else:  # ground_z takes CARLA coordinates
        z = np.asarray(town.ground_z(xy[:, 0], -xy[:, 1]), dtype=np.float64)
    positions = np.column_stack([xy, z - GROUND_DROP])
    indices = (4 * np.arange(len(corners))[:, None] + np.array([0, 1, 2, 0, 2, 3])).reshape(-1)
    return Part(positions, np.tile([0.0, 0.0, 1.0], (len(positions), 1)), indices)


# -- the mesh ------------------------------------------------------------------------------------------------------

def build_town_mesh(town) -> Mesh:
    """Roads, sidewalks, markings, junction surfaces and ground of a town (``engine.map.town.Town``),
    in CARLA world coordinates."""
    odr = town.opendrive
    surfaces = town_surfaces(odr)
    builder = MeshBuilder()
    for strip in surfaces.strips:
        tag = SURFACES[strip.kind][0]
        for part, color in _strip_parts(strip):
            builder.add(part, color, tag)
    for outline in surfaces.junction_fills.values():
        k = len(outline)
        centre = outline.mean(axis=0)
        fan = np.stack([np.zeros(k, np.int64), 1 + np.arange(k), 1 + (np.arange(k) + 1) % k], axis=1).reshape(-1)
        part = Part(np.concatenate([centre[None, :], outline]), np.tile([0.0, 0.0, 1.0], (k + 1, 1)), fan)
        builder.add(part, SURFACES["road"][1], Tag.Roads)
    for road_id in sorted(odr.roads):
        road = odr.roads[road_id]
        for section in road.lane_sections:
            if section.end_s - section.s < 1e-6:
                continue
            for part, color in _mark_parts(odr, road_id, section, section_samples(road, section)):
                builder.add(part, color, Tag.RoadLines)
    builder.add(_ground_part(town, surfaces), GROUND_COLOR, Tag.Terrain)
    return builder.build()
