"""Static props around the roads: buildings, trees, street lamps and the map's traffic-light posts.

:func:`plan_props` decides where everything goes (CARLA coordinates, deterministic for a seed);
:func:`build_props` turns the plan into one mesh. Buildings and trees are kept off every road,
sidewalk and junction surface by the coverage raster of :mod:`engine.render.town_mesh`.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from engine.render.primitives import (MeshBuilder, Part, box, centered_box, cone, cylinder, ellipsoid, extrude_xz,
                                      merge_parts, rotation_z, srgb8)
from engine.render.scene_data import FLAG_EMISSIVE, Mesh
from engine.render.semantic_tags import CityObjectLabel as Tag
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
WINDOW_COLOR = srgb8(40, 52, 64)
TRUNK_COLOR = srgb8(92, 70, 50)
CROWN_COLORS = tuple(srgb8(*c) for c in ((62, 110, 40), (78, 124, 46), (52, 92, 44), (90, 130, 60)))
POLE_COLOR = srgb8(110, 112, 116)
LAMP_GLASS = srgb8(255, 240, 200)
LIGHT_HOUSING = srgb8(30, 32, 30)
LENS_COLORS = (srgb8(120, 20, 16), srgb8(130, 90, 10), srgb8(16, 100, 40))   # red, amber, green, unlit


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


# -- meshes (built in OpenDRIVE's frame; the builder mirrors into CARLA's) -------------------------------------------

def _placed(part: Part, position, yaw_carla: float) -> Part:
    x, y, z = position
    return part.moved(rotation_z(-math.radians(yaw_carla)), (x, -y, z))


def _add_building(builder: MeshBuilder, b: Building) -> None:
    half_l, half_w = 0.5 * b.length, 0.5 * b.width
    top = b.height
    place = (b.center[0], b.center[1], b.base_z)
    body = box([-half_l, -half_w, 0.0], [half_l, half_w, top], faces=("+x", "-x", "+y", "-y", "+z"))
    builder.add(_placed(body, place, b.yaw), b.facade, Tag.Buildings)
    windows = []
    floors = int((top - 1.0) // FLOOR_HEIGHT)
    for floor in range(floors):
        z0 = floor * FLOOR_HEIGHT + 1.0
        z1 = z0 + 1.3
        if z1 > top - 0.4:
            break
        windows += [box([half_l, -half_w + 0.8, z0], [half_l + 0.02, half_w - 0.8, z1], faces=("+x",)),
                    box([-half_l - 0.02, -half_w + 0.8, z0], [-half_l, half_w - 0.8, z1], faces=("-x",)),
                    box([-half_l + 0.8, half_w, z0], [half_l - 0.8, half_w + 0.02, z1], faces=("+y",)),
                    box([-half_l + 0.8, -half_w - 0.02, z0], [half_l - 0.8, -half_w, z1], faces=("-y",))]
    if windows:
        builder.add(_placed(merge_parts(windows), place, b.yaw), WINDOW_COLOR, Tag.Buildings)
    if b.gable:
        ridge = min(half_w, 4.0) * 0.9
        caps, edges = extrude_xz([(-half_w - 0.3, 0.0), (half_w + 0.3, 0.0), (0.0, ridge)], -half_l - 0.3,
                                 half_l + 0.3)
        # The profile lies across the building's width: turn it so the ridge runs along the length.
        roof = merge_parts([caps] + edges).moved(rotation_z(math.pi / 2), (0.0, 0.0, top))
        builder.add(_placed(roof, place, b.yaw), b.roof_color, Tag.Buildings)
    else:
        parapet = merge_parts([
            box([-half_l, -half_w, top], [half_l, -half_w + 0.3, top + 0.6]),
            box([-half_l, half_w - 0.3, top], [half_l, half_w, top + 0.6]),
            box([-half_l, -half_w + 0.3, top], [-half_l + 0.3, half_w - 0.3, top + 0.6]),
            box([half_l - 0.3, -half_w + 0.3, top], [half_l, half_w - 0.3, top + 0.6]),
        ])
        builder.add(_placed(parapet, place, b.yaw), b.roof_color, Tag.Buildings)


def _add_tree(builder: MeshBuilder, tree: Tree) -> None:
    x, y, z = tree.position
    h, r = tree.height, tree.crown_radius
    trunk = cylinder(0.07 * r + 0.08, 0.0, 0.55 * h if not tree.conifer else 0.3 * h, segments=7, caps=(False, True))
    if tree.conifer:
        crown = cone(r, 0.22 * h, h, segments=9)
    else:
        crown = ellipsoid((r, r, 0.3 * h), rings=5, segments=9).moved(offset=(0.0, 0.0, 0.68 * h))
    builder.add(trunk.moved(offset=(x, -y, z)), TRUNK_COLOR, Tag.Vegetation)
    builder.add(crown.moved(offset=(x, -y, z)), tree.crown_color, Tag.Vegetation)


def _add_lamp(builder: MeshBuilder, lamp: StreetLamp) -> None:
    h = lamp.height
    pole = merge_parts([cylinder(0.09, -0.1, h, segments=8, radius_top=0.06),
                        box([0.0, -0.04, h - 0.08], [1.6, 0.04, h]),
                        box([1.2, -0.18, h - 0.2], [1.9, 0.18, h - 0.02], faces=("+x", "-x", "+y", "-y", "+z"))])
    glass = box([1.25, -0.15, h - 0.22], [1.85, 0.15, h - 0.2], faces=("-z",))
    builder.add(_placed(pole, lamp.position, lamp.yaw), POLE_COLOR, Tag.Poles)
    builder.add(_placed(glass, lamp.position, lamp.yaw), LAMP_GLASS, Tag.Poles, FLAG_EMISSIVE)


def _add_traffic_light(builder: MeshBuilder, post: TrafficLightPost) -> None:
    h = post.height
    pole = cylinder(0.1, -0.1, h, segments=8)
    head = centered_box([0.2, 0.0, h - 0.55], [0.15, 0.2, 0.5])
    builder.add(_placed(pole, post.position, post.yaw), POLE_COLOR, Tag.Poles)
    builder.add(_placed(head, post.position, post.yaw), LIGHT_HOUSING, Tag.TrafficLight)
    for k, color in enumerate(LENS_COLORS):
        lens = box([0.35, -0.11, h - 0.33 - 0.3 * k - 0.11], [0.38, 0.11, h - 0.33 - 0.3 * k + 0.11],
                   faces=("+x", "+y", "-y", "+z", "-z"))
        builder.add(_placed(lens, post.position, post.yaw), color, Tag.TrafficLight)


def props_mesh(plan: PropPlan) -> Mesh:
    builder = MeshBuilder()
    for building in plan.buildings:
        _add_building(builder, building)
    for tree in plan.trees:
        _add_tree(builder, tree)
    for lamp in plan.lamps:
        _add_lamp(builder, lamp)
    for post in plan.traffic_lights:
        _add_traffic_light(builder, post)
    return builder.build()


def build_props(town, seed: int = 0) -> Mesh:
    """Buildings, trees, street lamps and traffic-light posts of a town, in CARLA world coordinates."""
    return props_mesh(plan_props(town, seed))
