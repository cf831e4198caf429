"""Where the town's static props stand: buildings, trees, street lamps and the map's traffic-light posts.

:func:`plan_props` decides where everything goes (CARLA coordinates, deterministic for a seed); the
renderer draws the plan (:mod:`engine.render.props`) and the physics collides with its boxes
(:func:`prop_boxes`), so both read one layout. Buildings and trees are kept off every road, sidewalk and
junction surface by the coverage raster the road meshes are built on.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from engine.map.town import reuse_last
from engine.render.primitives import srgb8
from engine.render.town_mesh import (GROUND_DROP, LANE_KINDS, SIDEWALK_HEIGHT, CoverageRaster, town_surfaces)

TRAFFIC_LIGHT_TYPE = "1000001"
CLEARANCE = 1.0                 # buildings and tree trunks keep this far from any surface
BUILDING_GAP = 1.5              # between neighbouring buildings
ROAD_END_MARGIN = 3.0           # no building frontage starts this close to a lane-section end
LAMP_SPACING = 30.0
LAMP_END_MARGIN = 10.0          # no lamps near junction mouths
LAMP_LIGHT_GAP = 8.0            # nor this close to a traffic-light post
TREE_DENSITY = 1.0 / 800.0      # trees per square metre of the town's area
FLOOR_HEIGHT = 3.0

FACADE_COLORS = tuple(srgb8(*c) for c in (
    (186, 170, 150), (160, 120, 96), (200, 190, 172), (140, 136, 130), (175, 92, 70), (220, 208, 180),
    (120, 128, 140), (196, 160, 120), (150, 160, 150), (210, 196, 160)))
ROOF_COLORS = tuple(srgb8(*c) for c in ((110, 60, 50), (70, 70, 76), (130, 80, 60), (90, 90, 90)))
CROWN_COLORS = tuple(srgb8(*c) for c in ((62, 110, 40), (78, 124, 46), (52, 92, 44), (90, 130, 60)))
LAMP_POLE_RADIUS = 0.09         # at the foot; the pole tapers upwards
POST_POLE_RADIUS = 0.1          # traffic-light posts

# CARLA's semantic tags of the props (CityObjectLabel values).
TAG_BUILDINGS, TAG_POLES, TAG_VEGETATION = 3, 6, 9


@dataclasses.dataclass(frozen=True)
class Building:
    center: tuple        # (x, y) CARLA
    yaw: float           # degrees; the building's length runs along yaw
    length: float
    width: float
    height: float
    base_z: float
    facade: tuple        # linear RGB
    roof_color: tuple
    gable: bool

    def corners(self) -> np.ndarray:
        """(4, 2) footprint corners, CARLA x, y."""
        yaw = math.radians(self.yaw)
        u = np.array([math.cos(yaw), math.sin(yaw)]) * 0.5 * self.length
        v = np.array([-math.sin(yaw), math.cos(yaw)]) * 0.5 * self.width
        c = np.array(self.center)
        return np.array([c - u - v, c + u - v, c + u + v, c - u + v])


@dataclasses.dataclass(frozen=True)
class Tree:
    position: tuple      # (x, y, z) CARLA, base of the trunk
    height: float
    crown_radius: float
    conifer: bool
    crown_color: tuple

    @property
    def trunk_radius(self) -> float:
        return 0.07 * self.crown_radius + 0.08

    @property
    def trunk_height(self) -> float:
        """Height of the bare trunk under the crown."""
        return (0.3 if self.conifer else 0.55) * self.height


@dataclasses.dataclass(frozen=True)
class StreetLamp:
    position: tuple      # (x, y, z) CARLA, foot of the pole
    yaw: float           # degrees; direction the arm reaches out
    height: float


@dataclasses.dataclass(frozen=True)
class TrafficLightPost:
    signal_id: str
    road_id: int
    position: tuple      # (x, y, z) CARLA, foot of the pole
    yaw: float           # degrees; direction the lenses face
    height: float        # top of the pole above its foot


@dataclasses.dataclass
class PropPlan:
    buildings: list
    trees: list
    lamps: list
    traffic_lights: list


# -- frames --------------------------------------------------------------------------------------------------------

def _to_carla(x: float, y: float, z: float = None):
    return (float(x), float(-y)) if z is None else (float(x), float(-y), float(z))


def _carla_yaw(heading: float) -> float:
    return float((-math.degrees(heading) + 180.0) % 360.0 - 180.0)


def _ground(town, x: float, y: float) -> float:
    """Ground height under an OpenDRIVE point (that of the town mesh's ground)."""
    return float(town_surfaces(town.opendrive).ground(np.array([x, y])))


# -- raster checks -------------------------------------------------------------------------------------------------

def _dilate(mask: np.ndarray, cells: int) -> np.ndarray:
    out = mask.copy()
    for _ in range(cells):
        padded = np.pad(out, 1, constant_values=False)
        rows, cols = out.shape
        grown = np.zeros_like(out)
        for dr in (0, 1, 2):
            for dc in (0, 1, 2):
                grown |= padded[dr:dr + rows, dc:dc + cols]
        out = grown
    return out


def _rect_cells(raster: CoverageRaster, center, u, v, half_u: float, half_v: float):
    """Cells whose centres lie in a rectangle (OpenDRIVE frame); the second value is False when part of the
    rectangle falls outside the raster."""
    extent = np.abs(u) * half_u + np.abs(v) * half_v
    lo_r, lo_c = raster.cells_of(np.asarray(center) - extent)
    hi_r, hi_c = raster.cells_of(np.asarray(center) + extent)
    rows, cols = np.meshgrid(np.arange(lo_r, hi_r + 1), np.arange(lo_c, hi_c + 1), indexing="ij")
    rows, cols = rows.reshape(-1), cols.reshape(-1)
    d = raster.centers(rows, cols) - center
    keep = (np.abs(d @ u) <= half_u) & (np.abs(d @ v) <= half_v)
    rows, cols = rows[keep], cols[keep]
    inside = raster.inside(rows, cols)
    return rows[inside], cols[inside], bool(inside.all())


def _disc_cells(raster: CoverageRaster, center, radius: float):
    rows, cols, whole = _rect_cells(raster, center, np.array([1.0, 0.0]), np.array([0.0, 1.0]), radius, radius)
    keep = np.linalg.norm(raster.centers(rows, cols) - center, axis=1) <= radius
    return rows[keep], cols[keep], whole


# -- roads' edges --------------------------------------------------------------------------------------------------

def _outer_lane(section, side: int):
    """The outermost drawn lane on one side of a lane section (side +1 left, -1 right), or None."""
    ids = section.left_ids if side > 0 else section.right_ids
    drawn = [i for i in ids if LANE_KINDS.get(section.lanes[i].type) is not None]
    return max(drawn, key=abs) if drawn else None


def _edge_t(road, section, lane_id, s) -> np.ndarray:
    """t of the outer border of a lane (the reference line when there is no lane)."""
    s = np.asarray(s, dtype=np.float64)
    if lane_id is None:
        return road.lane_offset(s)
    return road.lane_offset(s) + section.lane_borders(lane_id, s)[1]


def _frame(road, s: float):
    """Reference point, height, heading, unit tangent and unit left normal of a road at s."""
    x, y, z, heading = (float(v[0]) for v in road.reference_pose(np.array([s])))
    tangent = np.array([math.cos(heading), math.sin(heading)])
    normal = np.array([-math.sin(heading), math.cos(heading)])
    return np.array([x, y]), z, heading, tangent, normal


# -- planning ------------------------------------------------------------------------------------------------------

def _plan_traffic_lights(town) -> list:
    posts = []
    odr = town.opendrive
    for road_id in sorted(odr.roads):
        road = odr.roads[road_id]
        for signal in road.signals:
            if signal.type != TRAFFIC_LIGHT_TYPE:
                continue
            s = min(max(signal.s, 0.0), road.length)
            ref, z, heading, _, normal = _frame(road, s)
            xy = ref + normal * signal.t
            base = z + (SIDEWALK_HEIGHT if _on_sidewalk(road, s, signal.t) else 0.0)
            facing = heading + (math.pi if signal.orientation != "-" else 0.0) + signal.h_offset
            height = max(signal.z_offset + signal.height, 3.0)
            posts.append(TrafficLightPost(signal.id, road_id, _to_carla(xy[0], xy[1], base), _carla_yaw(facing),
                                          float(height)))
    return posts


def _on_sidewalk(road, s: float, t: float) -> bool:
    """Whether lateral offset t at road offset s falls on a sidewalk lane."""
    section = road.lane_section_at(s)
    offset = float(road.lane_offset(np.array([s]))[0])
    for lane_id, lane in section.lanes.items():
        if lane_id == 0 or LANE_KINDS.get(lane.type) != "sidewalk":
            continue
        inner, outer = (float(v[0]) + offset for v in section.lane_borders(lane_id, np.array([s])))
        if min(inner, outer) <= t <= max(inner, outer):
            return True
    return False


def _plan_roadside(town, rng, blocked: np.ndarray, raster: CoverageRaster, posts: list):
    odr = town.opendrive
    buildings, lamps = [], []
    post_xy = np.array([p.position[:2] for p in posts]).reshape(-1, 2)
    pad = 0.75 * raster.cell
    for road_id in sorted(odr.roads):
        road = odr.roads[road_id]
        if road.is_junction:
            continue
        for section in road.lane_sections:
            for side in (-1, 1):
                lane_id = _outer_lane(section, side)
                a, b = section.s + ROAD_END_MARGIN, section.end_s - ROAD_END_MARGIN
                s = a + rng.uniform(0.0, 4.0)
                while s < b:
                    length = rng.uniform(10.0, 24.0)
                    depth = rng.uniform(10.0, 22.0)
                    setback = rng.uniform(1.5, 4.0)
                    gap = rng.uniform(BUILDING_GAP, 6.0)
                    storeys = int(rng.choice([1, 2, 2, 2, 3, 3, 3, 4, 5, 6, 8]))
                    style = rng.uniform()
                    mid = s + 0.5 * length
                    if mid + 0.5 * length > b:
                        break
                    ref, _, heading, u, v = _frame(road, mid)
                    front = float(_edge_t(road, section, lane_id, mid)) + side * setback
                    centre = ref + v * (front + side * 0.5 * depth)
                    rows, cols, whole = _rect_cells(raster, centre, u, v, 0.5 * length + pad, 0.5 * depth + pad)
                    if not whole or blocked[rows, cols].any():
                        s += 2.0
                        continue
                    rows, cols, _ = _rect_cells(raster, centre, u, v, 0.5 * length + BUILDING_GAP,
                                                0.5 * depth + BUILDING_GAP)
                    blocked[rows, cols] = True
                    height = storeys * FLOOR_HEIGHT + rng.uniform(0.0, 1.5)
                    facade = FACADE_COLORS[int(rng.integers(len(FACADE_COLORS)))]
                    roof = ROOF_COLORS[int(rng.integers(len(ROOF_COLORS)))]
                    buildings.append(Building(_to_carla(*centre), _carla_yaw(heading), float(length), float(depth),
                                              float(height), _ground(town, *centre) - GROUND_DROP,
                                              tuple(float(c) for c in facade), tuple(float(c) for c in roof),
                                              bool(storeys <= 3 and style < 0.7)))
                    s += length + gap
                if lane_id is None or LANE_KINDS.get(section.lanes[lane_id].type) != "sidewalk":
                    continue
                first = section.s + LAMP_END_MARGIN + rng.uniform(0.0, LAMP_SPACING)
                for s_lamp in np.arange(first, section.end_s - LAMP_END_MARGIN, LAMP_SPACING):
                    ref, z, heading, u, v = _frame(road, float(s_lamp))
                    t = float(_edge_t(road, section, lane_id, s_lamp)) - side * 0.45
                    xy = ref + v * t
                    carla_xy = np.array(_to_carla(*xy))
                    if len(post_xy) and np.min(np.linalg.norm(post_xy - carla_xy, axis=1)) < LAMP_LIGHT_GAP:
                        continue
                    arm = heading + (math.pi / 2 if side < 0 else -math.pi / 2)   # towards the road
                    lamps.append(StreetLamp(_to_carla(xy[0], xy[1], z + SIDEWALK_HEIGHT), _carla_yaw(arm),
                                            float(rng.uniform(6.0, 7.0))))
    return buildings, lamps


def _plan_trees(town, rng, blocked: np.ndarray, raster: CoverageRaster, bounds: np.ndarray) -> list:
    lo, hi = bounds[0] - 25.0, bounds[1] + 25.0
    area = float(np.prod(hi - lo))
    wanted = int(area * TREE_DENSITY)
    candidates = rng.uniform(lo, hi, size=(40 * max(wanted, 1), 2))
    heights = rng.uniform(5.0, 11.0, size=len(candidates))
    radii = heights * rng.uniform(0.22, 0.35, size=len(candidates))
    conifer = rng.uniform(size=len(candidates)) < 0.3
    colors = rng.integers(len(CROWN_COLORS), size=len(candidates))
    rows, cols = raster.cells_of(candidates)
    inside = raster.inside(rows, cols)
    open_centre = np.zeros(len(candidates), dtype=bool)
    open_centre[inside] = ~blocked[rows[inside], cols[inside]]
    trees = []
    for i in np.flatnonzero(open_centre):
        if len(trees) >= wanted:
            break
        clear = max(radii[i] - CLEARANCE, 0.5)
        r, c, whole = _disc_cells(raster, candidates[i], clear)
        if not whole or blocked[r, c].any():
            continue
        r, c, _ = _disc_cells(raster, candidates[i], radii[i] + 0.5)
        blocked[r, c] = True
        x, y = candidates[i]
        trees.append(Tree(_to_carla(x, y, _ground(town, x, y) - GROUND_DROP), float(heights[i]), float(radii[i]),
                          bool(conifer[i]), tuple(float(v) for v in CROWN_COLORS[colors[i]])))
    return trees


def plan_props(town, seed: int = 0) -> PropPlan:
    """Where the buildings, trees, lamps and traffic-light posts of a town go (deterministic for a seed)."""
    surfaces = town_surfaces(town.opendrive)
    raster = surfaces.raster
    rng = np.random.default_rng(seed)
    blocked = _dilate(raster.touched, int(math.ceil(CLEARANCE / raster.cell)))
    posts = _plan_traffic_lights(town)
    buildings, lamps = _plan_roadside(town, rng, blocked, raster, posts)
    trees = _plan_trees(town, rng, blocked, raster, surfaces.bounds)
    return PropPlan(buildings, trees, lamps, posts)


@reuse_last
def town_props(town) -> PropPlan:
    """The props of a town for seed 0, planned once per town object (the renderer and the physics share it)."""
    return plan_props(town)


@dataclasses.dataclass(frozen=True)
class PropBoxes:
    """The solid parts of the props as upright boxes turned about z (what vehicles and walkers hit)."""
    center: np.ndarray       # (n, 3) CARLA, the box centre
    half: np.ndarray         # (n, 3) half extents along the box's own x, y and z
    yaw: np.ndarray          # (n,) degrees
    tag: np.ndarray          # (n,) uint8 semantic tag
    signal_id: tuple         # (n,) the OpenDRIVE signal of a traffic-light post, "" for every other prop

    def __len__(self) -> int:
        return len(self.yaw)


def prop_boxes(plan: PropPlan) -> PropBoxes:
    """Buildings whole, trees by their trunk, lamps and traffic-light posts by their pole."""
    rows = []   # (x, y, z centre, half x, half y, half z, yaw, tag)
    for b in plan.buildings:
        rows.append((b.center[0], b.center[1], b.base_z + 0.5 * b.height, 0.5 * b.length, 0.5 * b.width,
                     0.5 * b.height, b.yaw, TAG_BUILDINGS))
    for t in plan.trees:
        r, h = t.trunk_radius, t.trunk_height
        rows.append((t.position[0], t.position[1], t.position[2] + 0.5 * h, r, r, 0.5 * h, 0.0, TAG_VEGETATION))
    for lamp in plan.lamps:
        r, h = LAMP_POLE_RADIUS, lamp.height
        rows.append((lamp.position[0], lamp.position[1], lamp.position[2] + 0.5 * h, r, r, 0.5 * h, lamp.yaw,
                     TAG_POLES))
    for post in plan.traffic_lights:
        r, h = POST_POLE_RADIUS, post.height
        rows.append((post.position[0], post.position[1], post.position[2] + 0.5 * h, r, r, 0.5 * h, post.yaw,
                     TAG_POLES))
    table = np.array(rows, dtype=np.float64).reshape(-1, 8)
    signals = ("",) * (len(rows) - len(plan.traffic_lights)) + tuple(post.signal_id for post in plan.traffic_lights)
    return PropBoxes(table[:, 0:3].copy(), table[:, 3:6].copy(), table[:, 6].copy(), table[:, 7].astype(np.uint8),
                     signals)
