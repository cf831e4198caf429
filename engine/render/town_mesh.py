"""The static road network as a mesh: lanes (driving, shoulders, ...), raised sidewalks with curbs, lane
markings as the road marks say, junction surfaces, crosswalks and the ground around the town, all from the
town's OpenDRIVE.

Geometry is sampled in OpenDRIVE's frame and mirrored into CARLA's (y = -y_odr) when the mesh is built.
Cross-sections are flat (no superelevation); heights follow each road's elevation profile.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from carla_odr import Arc, Line, OpenDrive, Road, Spiral
from engine.map.town import reuse_last
from engine.render.crosswalks import crosswalk_part
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
HEIGHT_CELL = 4.0             # grid of the ground's height on hilly towns
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
class HeightGrid:
    """Ground height on a coarse grid (OpenDRIVE x, y): the mean height of the road surfaces in a cell,
    spread outwards into cells without roads; read with bilinear interpolation between cell centres."""
    origin: np.ndarray       # (2,) x, y of the centre of node (0, 0)
    cell: float
    z: np.ndarray            # (rows along y, columns along x); a single 0 for flat towns

    @property
    def flat(self) -> bool:
        return self.z.size == 1

    def __call__(self, xy: np.ndarray) -> np.ndarray:
        xy = np.asarray(xy, dtype=np.float64)
        if self.flat:
            return np.zeros(xy.shape[:-1])
        rows, cols = self.z.shape       # at least 2 x 2 when not flat
        u = np.clip((xy[..., 0] - self.origin[0]) / self.cell, 0.0, cols - 1.0)
        v = np.clip((xy[..., 1] - self.origin[1]) / self.cell, 0.0, rows - 1.0)
        c0 = np.minimum(np.floor(u).astype(np.int64), cols - 2)
        r0 = np.minimum(np.floor(v).astype(np.int64), rows - 2)
        fu, fv = u - c0, v - r0
        bottom = self.z[r0, c0] * (1.0 - fu) + self.z[r0, c0 + 1] * fu
        top = self.z[r0 + 1, c0] * (1.0 - fu) + self.z[r0 + 1, c0 + 1] * fu
        return bottom * (1.0 - fv) + top * fv


@dataclasses.dataclass
class TownSurfaces:
    strips: list             # [LaneStrip]
    junction_fills: dict     # junction id -> (k, 3) convex outline, counter-clockwise (OpenDRIVE frame)
    raster: CoverageRaster
    bounds: np.ndarray       # (2, 2) min and max x, y of every surface
    ground: HeightGrid       # ground height around the roads


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


def section_borders(section, s: np.ndarray) -> dict:
    """lane id -> (inner, outer) border offsets t (without the lane offset) of every lane of a section,
    each lane's width evaluated once."""
    ds = np.asarray(s, dtype=np.float64) - section.s
    borders = {}
    for ids, sign in ((section.right_ids, -1.0), (section.left_ids, 1.0)):
        inner = np.zeros_like(ds)
        for lane_id in ids:        # ordered outwards from the centre lane
            outer = inner + section.lanes[lane_id].width(ds)
            borders[lane_id] = (sign * inner, sign * outer)
            inner = outer
    return borders


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
            borders = section_borders(section, s)
            for lane_id in section.right_ids + section.left_ids:
                kind = LANE_KINDS.get(section.lanes[lane_id].type)
                if kind is None:
                    continue
                inner, outer = borders[lane_id]
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


def _junction_fills(odr: OpenDrive, strips: list, strip_cells: list, raster: CoverageRaster) -> dict:
    """Convex outlines of compact junctions (their lanes' hull), to fill gaps between connecting lanes."""
    fills = {}
    columns = raster.touched.shape[1]
    for junction_id in sorted(odr.junctions):
        chosen = [i for i, s in enumerate(strips) if s.junction == junction_id and s.kind in ROAD_KINDS]
        if not chosen:
            continue
        points = np.concatenate([np.concatenate([strips[i].right, strips[i].left]) for i in chosen])
        hull = points[_hull(points[:, :2])]
        if len(hull) < 3:
            continue
        cells = np.concatenate([strip_cells[i][0] * columns + strip_cells[i][1] for i in chosen])
        lanes_area = len(np.unique(cells)) * raster.cell * raster.cell
        if _polygon_area(hull[:, :2]) <= JUNCTION_HULL_SLACK * lanes_area:
            fills[junction_id] = hull
    return fills


def _coverage(odr: OpenDrive, strips: list, bounds: np.ndarray, cell: float) -> tuple:
    """The coverage raster (lanes and junction fills) and the junction fills."""
    origin = np.floor(bounds[0] / cell) * cell
    shape = np.ceil((bounds[1] - origin) / cell).astype(np.int64) + 1
    raster = CoverageRaster(origin, cell, np.zeros((shape[1], shape[0]), dtype=bool))
    strip_cells = [raster.cells_of(_strip_sample_points(strip, 0.7 * cell)) for strip in strips]
    for rows, cols in strip_cells:
        raster.touched[rows, cols] = True
    fills = _junction_fills(odr, strips, strip_cells, raster)
    for outline in fills.values():
        raster.touched[_polygon_cells(raster, outline)] = True
    return raster, fills


def _height_grid(strips: list, bounds: np.ndarray, cell: float) -> HeightGrid:
    """Mean road height per cell, then repeatedly the mean of the known neighbours for cells without roads."""
    points = np.concatenate([np.concatenate([s.right, s.left]) for s in strips])
    if not np.any(points[:, 2]):
        return HeightGrid(np.zeros(2), cell, np.zeros((1, 1)))
    origin = bounds[0]
    shape = (np.ceil((bounds[1] - origin) / cell).astype(np.int64) + 1)[::-1]
    col = np.clip(np.rint((points[:, 0] - origin[0]) / cell).astype(np.int64), 0, shape[1] - 1)
    row = np.clip(np.rint((points[:, 1] - origin[1]) / cell).astype(np.int64), 0, shape[0] - 1)
    flat_index = row * shape[1] + col
    total = np.bincount(flat_index, points[:, 2], minlength=shape[0] * shape[1]).reshape(shape)
    count = np.bincount(flat_index, minlength=shape[0] * shape[1]).reshape(shape).astype(np.float64)
    known = count > 0
    z = np.where(known, total / np.maximum(count, 1.0), 0.0)
    while not known.all():
        padded_z = np.pad(np.where(known, z, 0.0), 1)
        padded_k = np.pad(known, 1).astype(np.float64)
        rows, cols = shape
        sums = sum(padded_z[dr:dr + rows, dc:dc + cols] for dr in (0, 1, 2) for dc in (0, 1, 2))
        counts = sum(padded_k[dr:dr + rows, dc:dc + cols] for dr in (0, 1, 2) for dc in (0, 1, 2))
        grow = ~known & (counts > 0)
        z[grow] = sums[grow] / counts[grow]
        known = known | grow
    return HeightGrid(origin.astype(np.float64), cell, z)


@reuse_last
def town_surfaces(odr: OpenDrive) -> TownSurfaces:
    """Lane strips, junction fills and the coverage raster of a map (the last one computed is reused)."""
    strips = lane_strips(odr)
    if not strips:
        raise ValueError("the map has no drawable lanes")
    points = np.concatenate([np.concatenate([s.right[:, :2], s.left[:, :2]]) for s in strips])
    bounds = np.stack([points.min(axis=0), points.max(axis=0)])
    padded = bounds + np.array([[-GROUND_MARGIN], [GROUND_MARGIN]])
    raster, fills = _coverage(odr, strips, padded, RASTER_CELL)
    height_bounds = np.stack([raster.origin, padded[1]])      # nodes on raster corners
    return TownSurfaces(strips, fills, raster, bounds, _height_grid(strips, height_bounds, HEIGHT_CELL))


# -- markings ------------------------------------------------------------------------------------------------------

def _dash_intervals(pattern: str, a: float, b: float) -> list:
    if pattern == "solid":
        return [(a, b)]
    on, off = (BROKEN_ON, BROKEN_OFF) if pattern == "broken" else (DOTS_ON, DOTS_OFF)
    starts = np.arange(a, b - 1e-6, on + off)
    return [(float(s), float(min(s + on, b))) for s in starts if min(s + on, b) - s > 0.05]


def _rows_quads(right: np.ndarray, left: np.ndarray, normal: np.ndarray, lengths: np.ndarray) -> Part:
    """Like :func:`_strip_quads` for many strips at once, their rows concatenated (``lengths`` rows each)."""
    n = len(right)
    last_rows = np.cumsum(lengths) - 1
    i = np.setdiff1d(np.arange(n - 1), last_rows[:-1], assume_unique=True)
    quads = np.stack([i, i + 1, n + i + 1, i, n + i + 1, n + i], axis=1).reshape(-1)
    return Part(np.concatenate([right, left]), np.concatenate([normal, normal]), quads)


def mark_stripes(section, s_all: np.ndarray) -> list:
    """Painted stripes of a lane section's road marks: (s samples, lane id, centre offset from the lane's
    outer border, width, lift above the road, colour name) each; broken and dotted patterns are cut
    into dashes here."""
    stripes_out = []
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
            color = mark.color.lower() if mark.color.lower() in MARK_COLORS else "standard"
            centres = [0.0] if len(stripes) == 1 else [first_side * width, -first_side * width]
            for pattern, centre in zip(stripes, centres):
                for lo, hi in _dash_intervals(pattern, a, b):
                    inner = s_all[(s_all > lo) & (s_all < hi)]
                    stripes_out.append((np.concatenate([[lo], inner, [hi]]), lane_id, centre, width, lift, color))
    return stripes_out


def _mark_part(road: Road, section, s_all: np.ndarray):
    """(part, per-vertex colours) of the painted road marks of one lane section, or None."""
    stripes = mark_stripes(section, s_all)
    if not stripes:
        return None
    lengths = np.array([len(stripe[0]) for stripe in stripes])
    s = np.concatenate([stripe[0] for stripe in stripes])
    lane_ids = np.repeat([stripe[1] for stripe in stripes], lengths)
    centre = np.repeat([stripe[2] for stripe in stripes], lengths)
    half_width = 0.5 * np.repeat([stripe[3] for stripe in stripes], lengths)
    lift = np.repeat([stripe[4] for stripe in stripes], lengths)
    colors = np.array([MARK_COLORS[stripe[5]] for stripe in stripes])
    x, y, z, heading = road.reference_pose(s)
    t = road.lane_offset(s) + centre
    borders = section_borders(section, s)
    for lane_id in np.unique(lane_ids):
        if lane_id != 0:
            mask = lane_ids == lane_id
            t[mask] += borders[int(lane_id)][1][mask]
    z = z + lift
    slope = road.elevation.derivative(s)
    normal = np.column_stack([-slope * np.cos(heading), -slope * np.sin(heading), np.ones_like(s)])
    part = _rows_quads(_points(x, y, z, heading, t - half_width), _points(x, y, z, heading, t + half_width),
                       normal, lengths)
    return part, np.tile(np.repeat(colors, lengths, axis=0), (2, 1))


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


def _split(lo: np.ndarray, hi: np.ndarray, block: int) -> tuple:
    """Ranges [lo, hi) of integers cut at multiples of ``block``: (index of the range, start, end) per piece."""
    first, last = lo // block, (hi - 1) // block
    counts = last - first + 1
    which = np.repeat(np.arange(len(lo)), counts)
    k = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return which, np.maximum(lo[which], (first[which] + k) * block), np.minimum(hi[which], (first[which] + k + 1) * block)


def _rectangles(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """(k, 4, 2) counter-clockwise corners of axis-aligned rectangles from (k, 2) low and high corners."""
    return np.stack([lo, np.column_stack([hi[:, 0], lo[:, 1]]), hi, np.column_stack([lo[:, 0], hi[:, 1]])], axis=1)


def _breaks(lo: float, hi: float, step: float) -> np.ndarray:
    return np.concatenate([np.arange(lo, hi - 1e-9, step), [hi]])


def _ground_part(surfaces: TownSurfaces) -> Part:
    """Ground quads wherever the raster is not entirely under a surface, and a skirt around it to the horizon.

    On hills every quad lies within one cell of the height grid (whose nodes sit on raster corners), so the
    bilinear heights are linear along every edge and neighbouring quads meet without cracks."""
    raster = surfaces.raster
    free = ~_erode(raster.touched)
    flat = surfaces.ground.flat
    block = 10**9 if flat else int(round(surfaces.ground.cell / raster.cell))
    row0, row1, col0, col1 = np.array(_free_rectangles(free), dtype=np.int64).reshape(-1, 4).T
    which, r0, r1 = _split(row0, row1, block)
    which_c, c0, c1 = _split(col0[which], col1[which], block)
    r0, r1 = r0[which_c], r1[which_c]
    detailed = _rectangles(raster.origin + np.column_stack([c0, r0]) * raster.cell,
                           raster.origin + np.column_stack([c1, r1]) * raster.cell)
    inner_lo = raster.origin
    inner_hi = raster.origin + np.array(raster.touched.shape[::-1]) * raster.cell
    centre = 0.5 * (surfaces.bounds[0] + surfaces.bounds[1])
    far_lo, far_hi = centre - HORIZON, centre + HORIZON
    step = HORIZON if flat else surfaces.ground.cell
    xs = np.concatenate([[far_lo[0]], _breaks(inner_lo[0], inner_hi[0], step), [far_hi[0]]])
    ys = _breaks(inner_lo[1], inner_hi[1], step)
    skirt = []
    for a, b in ((far_lo[1], inner_lo[1]), (inner_hi[1], far_hi[1])):          # south and north, corners included
        skirt.append(_rectangles(np.column_stack([xs[:-1], np.full(len(xs) - 1, a)]),
                                 np.column_stack([xs[1:], np.full(len(xs) - 1, b)])))
    for a, b in ((far_lo[0], inner_lo[0]), (inner_hi[0], far_hi[0])):          # west and east
        skirt.append(_rectangles(np.column_stack([np.full(len(ys) - 1, a), ys[:-1]]),
                                 np.column_stack([np.full(len(ys) - 1, b), ys[1:]])))
    corners = np.concatenate([detailed] + skirt)
    xy = corners.reshape(-1, 2)
    positions = np.column_stack([xy, surfaces.ground(xy) - GROUND_DROP])
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
            marks = _mark_part(road, section, section_samples(road, section))
            if marks is not None:
                builder.add(marks[0], marks[1], Tag.RoadLines)
    builder.add(crosswalk_part(odr), MARK_COLORS["white"], Tag.RoadLines)
    builder.add(_ground_part(surfaces), GROUND_COLOR, Tag.Terrain)
    return builder.build()
