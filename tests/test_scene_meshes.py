"""Scene meshes: the town's roads and ground, the props around them, and the vehicle and walker models."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import types

import numpy as np
import pytest

from carla_odr import parse_xodr
from engine.map import load_town
from engine.render import town_mesh
from engine.render.models import DEFAULT_PAINT, model_for_blueprint, model_key, paint_color
from engine.render.crosswalks import CROSSWALK_LIFT
from engine.render.props import TRAFFIC_LIGHT_TYPE, build_props, plan_props
from engine.render.scene_data import FLAG_PAINT, Mesh
from engine.render.semantic_tags import CITYSCAPES_PALETTE, VALID_TAGS, CityObjectLabel as Tag
from engine.render.town_mesh import MARKING_LIFT, SIDEWALK_HEIGHT, build_town_mesh, section_samples
from engine.world.actors import semantic_tags_for
from engine.world.blueprints import blueprint_library, find_blueprint
from serverproc import OFFICIAL_PYTHON, official_available


@pytest.fixture(scope="module")
def town():
    return load_town("Town01")


@pytest.fixture(scope="module")
def town_meshes(town):
    return build_town_mesh(town)


@pytest.fixture(scope="module")
def props_mesh(town):
    return build_props(town)


def fresh_town(town):
    """The same town with a newly parsed OpenDRIVE, so nothing computed for the first one is reused."""
    return dataclasses.replace(town, opendrive=parse_xodr(town.xodr))


def vehicles():
    return [bp for bp in blueprint_library() if bp.kind == "vehicle"]


def walkers():
    return [bp for bp in blueprint_library() if bp.kind == "walker"]


# -- helpers ---------------------------------------------------------------------------------------------------------

def assert_valid(mesh: Mesh):
    Mesh(mesh.positions, mesh.normals, mesh.colors, mesh.tags, mesh.indices, mesh.flags)   # the mesh's own checks
    assert mesh.positions.dtype == np.float32 and mesh.normals.dtype == np.float32
    assert mesh.colors.dtype == np.float32 and mesh.tags.dtype == np.uint8 and mesh.indices.dtype == np.uint32
    assert len(mesh.indices) > 0
    assert np.isfinite(mesh.positions).all() and np.isfinite(mesh.normals).all()
    assert np.allclose(np.linalg.norm(mesh.normals, axis=1), 1.0, atol=1e-4)
    assert mesh.colors.min() >= 0.0 and mesh.colors.max() <= 1.0
    assert set(np.unique(mesh.tags).tolist()) <= VALID_TAGS - {int(Tag.NONE), int(Tag.Sky)}
    assert set(np.unique(mesh.flags).tolist()) <= {0, 1, 2, 3}


def assert_identical(a: Mesh, b: Mesh):
    for name in ("positions", "normals", "colors", "tags", "indices", "flags"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def triangles(mesh: Mesh, tags=None) -> np.ndarray:
    tri = mesh.indices.reshape(-1, 3).astype(np.int64)
    if tags is not None:
        tri = tri[np.isin(mesh.tags[tri[:, 0]], [int(t) for t in tags])]
    return mesh.positions.astype(np.float64)[tri]


def points_in_triangles(points: np.ndarray, tris: np.ndarray, cell: float = 4.0) -> np.ndarray:
    """For each (x, y) point, whether some triangle (k, 3, >=2) contains it (edges included)."""
    xy = tris[:, :, :2]
    lo = np.floor(xy.min(axis=1) / cell).astype(np.int64)
    hi = np.floor(xy.max(axis=1) / cell).astype(np.int64)
    buckets: dict = {}
    for t, (l, h) in enumerate(zip(lo, hi)):
        for i in range(l[0], h[0] + 1):
            for j in range(l[1], h[1] + 1):
                buckets.setdefault((i, j), []).append(t)
    inside = np.zeros(len(points), dtype=bool)
    keys = np.floor(points / cell).astype(np.int64)
    for p, key in enumerate(map(tuple, keys)):
        candidates = buckets.get(key)
        if not candidates:
            continue
        a, b, c = (xy[candidates, k] for k in range(3))
        q = points[p]

        def side(u, v):
            return (v[:, 0] - u[:, 0]) * (q[1] - u[:, 1]) - (v[:, 1] - u[:, 1]) * (q[0] - u[:, 0])

        s1, s2, s3 = side(a, b), side(b, c), side(c, a)
        eps = 1e-6
        hit = ((s1 >= -eps) & (s2 >= -eps) & (s3 >= -eps)) | ((s1 <= eps) & (s2 <= eps) & (s3 <= eps))
        inside[p] = bool(hit.any())
    return inside


def rectangle_overlaps(rect: np.ndarray, tris: np.ndarray) -> np.ndarray:
    """Separating-axis test of one (4, 2) rectangle against (k, 3, 2) triangles: True where they overlap."""
    axes = [rect[1] - rect[0], rect[3] - rect[0]]
    overlap = np.ones(len(tris), dtype=bool)
    for axis in axes:
        normal = np.array([-axis[1], axis[0]])
        r = rect @ normal
        t = tris @ normal
        overlap &= (t.max(axis=1) > r.min() + 1e-6) & (t.min(axis=1) < r.max() - 1e-6)
    for k in range(3):
        edge = tris[:, (k + 1) % 3] - tris[:, k]
        normal = np.stack([-edge[:, 1], edge[:, 0]], axis=1)
        t = np.einsum("kvd,kd->kv", tris, normal)
        r = np.einsum("vd,kd->kv", rect, normal)
        overlap &= (t.max(axis=1) > r.min(axis=1) + 1e-6) & (t.min(axis=1) < r.max(axis=1) - 1e-6)
    return overlap


# -- semantic tags -----------------------------------------------------------------------------------------------------

def test_semantic_tags_have_carla_values_and_cityscapes_colours():
    assert (Tag.Roads, Tag.Sidewalks, Tag.Buildings, Tag.Poles, Tag.TrafficLight, Tag.Vegetation) == (1, 2, 3, 6, 7, 9)
    assert (Tag.Terrain, Tag.Sky, Tag.Pedestrians, Tag.Rider) == (10, 11, 12, 13)
    assert (Tag.Car, Tag.Truck, Tag.Bus) == (14, 15, 16)
    assert (Tag.Motorcycle, Tag.Bicycle, Tag.RoadLines, Tag.Ground, Tag.GuardRail) == (18, 19, 24, 25, 28)
    assert CITYSCAPES_PALETTE.shape == (29, 3)
    assert tuple(CITYSCAPES_PALETTE[Tag.Roads]) == (128, 64, 128)
    assert tuple(CITYSCAPES_PALETTE[Tag.Car]) == (0, 0, 142)
    assert tuple(CITYSCAPES_PALETTE[Tag.RoadLines]) == (157, 234, 50)


@pytest.mark.skipif(not official_available(), reason="official carla client not installed")
def test_semantic_tags_match_the_official_client_enum():
    script = "import carla, json; print(json.dumps({k: int(v) for k, v in carla.CityObjectLabel.names.items()}))"
    names = json.loads(subprocess.run([OFFICIAL_PYTHON, "-c", script], check=True, capture_output=True,
                                      text=True).stdout)
    names.pop("Any")
    assert names == {label.name: int(label) for label in Tag}


# -- town mesh ---------------------------------------------------------------------------------------------------------

def test_town_mesh_is_valid_with_road_sidewalk_marking_and_ground_tags(town_meshes):
    assert_valid(town_meshes)
    assert set(np.unique(town_meshes.tags).tolist()) == {Tag.Roads, Tag.Sidewalks, Tag.Terrain, Tag.RoadLines}


def test_town_mesh_is_deterministic(town, town_meshes):
    assert_identical(town_meshes, build_town_mesh(fresh_town(town)))


def test_faces_wind_counter_clockwise_seen_from_outside(town_meshes, props_mesh):
    # CARLA's frame is left-handed: there, cross(b - a, c - a) of a face seen counter-clockwise from
    # outside points into the surface, against the vertex normals.
    for mesh in (town_meshes, props_mesh, model_for_blueprint(find_blueprint("vehicle.tesla.model3")),
                 model_for_blueprint(find_blueprint("walker.pedestrian.0001"))):
        tri = mesh.indices.reshape(-1, 3).astype(np.int64)
        p = mesh.positions.astype(np.float64)
        cross = np.cross(p[tri[:, 1]] - p[tri[:, 0]], p[tri[:, 2]] - p[tri[:, 0]])
        facing = np.einsum("ij,ij->i", cross, mesh.normals[tri].mean(axis=1))
        big = np.linalg.norm(cross, axis=1) > 1e-8
        assert (facing[big] < 0.0).all()


def test_road_triangles_cover_every_driving_lane_centre(town, town_meshes):
    odr = town.opendrive
    points = []
    for road in odr.roads.values():
        for section in road.lane_sections:
            s = np.arange(section.s, section.end_s, 0.5)
            s = np.append(s, section.end_s - 1e-6)
            for lane_id, lane in section.lanes.items():
                if lane.type != "driving":
                    continue
                x, y, _, _ = road.lane_center(lane_id, s)
                points.append(np.column_stack([x, -y]))
    points = np.concatenate(points)
    covered = points_in_triangles(points, triangles(town_meshes, [Tag.Roads]))
    assert covered.all(), f"{(~covered).sum()} lane centre points are not on a road triangle: {points[~covered][:5]}"


def test_junctions_are_filled_between_their_arms(town, town_meshes):
    assert set(town_mesh.town_surfaces(town.opendrive).junction_fills) == set(town.opendrive.junctions)
    # The middle of every junction is road, not ground.
    centres = []
    for junction in town.opendrive.junctions.values():
        ends = []
        for connection in junction.connections:
            road = town.opendrive.roads[connection.connecting_road]
            for s in (0.0, road.length):
                x, y, _, _ = road.reference_pose(np.array([s]))
                ends.append((float(x[0]), -float(y[0])))
        centres.append(np.mean(ends, axis=0))
    assert points_in_triangles(np.array(centres), triangles(town_meshes, [Tag.Roads])).all()


def test_sidewalks_are_raised_with_curbs_and_markings_float_above_the_road(town_meshes):
    tags, z = town_meshes.tags, town_meshes.positions[:, 2]
    assert np.isclose(z[tags == Tag.Sidewalks].max(), SIDEWALK_HEIGHT, atol=1e-5)
    # Curb faces: sidewalk triangles that stand vertical.
    sidewalk = triangles(town_meshes, [Tag.Sidewalks])
    normal = np.cross(sidewalk[:, 1] - sidewalk[:, 0], sidewalk[:, 2] - sidewalk[:, 0])
    assert (np.abs(normal[:, 2]) < 1e-6 * np.linalg.norm(normal, axis=1)).sum() > 100
    assert np.allclose(z[tags == Tag.Roads], 0.0, atol=1e-5)
    marks = z[tags == Tag.RoadLines]
    lifts = (MARKING_LIFT, SIDEWALK_HEIGHT + MARKING_LIFT, CROSSWALK_LIFT)     # lines, curb lines, zebra bars
    assert np.all(np.any([np.isclose(marks, lift, atol=1e-5) for lift in lifts], axis=0))
    assert z[tags == Tag.Terrain].max() < 0.0


def test_broken_marks_are_dashed_and_colours_follow_the_road_marks(town_meshes):
    lines = triangles(town_meshes, [Tag.RoadLines])
    tri = town_meshes.indices.reshape(-1, 3)
    colors = town_meshes.colors[tri[np.isin(town_meshes.tags[tri[:, 0]], [Tag.RoadLines])][:, 0]]
    yellow = colors[:, 0] > 2.0 * colors[:, 2]
    assert yellow.any() and (~yellow).any()
    # Every quad of a mark is two triangles; a dash is at most 3 m long.
    lengths = np.linalg.norm(lines[:, :, :2].max(axis=1) - lines[:, :, :2].min(axis=1), axis=1)
    assert (lengths[yellow] <= 3.0 + 0.2).sum() > 50


def test_arcs_are_sampled_finely(town):
    for road in town.opendrive.roads.values():
        for section in road.lane_sections:
            s = section_samples(road, section)
            heading = np.unwrap(road.reference_pose(s)[3])
            curved = np.abs(np.diff(heading)) > 1e-9
            assert (np.diff(s)[curved] <= 1.0 + 1e-9).all()
            assert (np.abs(np.diff(heading)) <= np.radians(4.0) + 1e-9).all()


HILL_XODR = """<?xml version="1.0"?>
<OpenDRIVE><header revMajor="1" revMinor="4" name="hill"/>
<road id="0" junction="-1" length="60">
  <planView><geometry s="0" x="0" y="0" hdg="0" length="60"><line/></geometry></planView>
  <elevationProfile><elevation s="0" a="1.0" b="0.1" c="0.002" d="0"/></elevationProfile>
  <lanes><laneSection s="0">
    <left><lane id="1" type="driving"><width sOffset="0" a="3.5" b="0" c="0" d="0"/></lane>
          <lane id="2" type="sidewalk"><width sOffset="0" a="2" b="0" c="0" d="0"/></lane></left>
    <center><lane id="0" type="none"><roadMark sOffset="0" type="broken" color="white" width="0.12"/></lane></center>
    <right><lane id="-1" type="driving"><width sOffset="0" a="3.5" b="0" c="0" d="0"/></lane></right>
  </laneSection></lanes>
</road></OpenDRIVE>"""


def test_road_surface_follows_the_elevation_profile():
    odr = parse_xodr(HILL_XODR)
    hill = types.SimpleNamespace(opendrive=odr, flat=False,
                                 ground_z=lambda x, y: 1.0 + 0.1 * np.asarray(x) + 0.002 * np.asarray(x) ** 2)
    mesh = build_town_mesh(hill)
    assert_valid(mesh)
    p = mesh.positions.astype(np.float64)
    elevation = 1.0 + 0.1 * p[:, 0] + 0.002 * p[:, 0] ** 2
    road = mesh.tags == Tag.Roads
    assert np.allclose(p[road, 2], elevation[road], atol=1e-4)
    assert np.allclose(p[mesh.tags == Tag.RoadLines, 2], elevation[mesh.tags == Tag.RoadLines] + MARKING_LIFT,
                       atol=1e-4)
    # Road normals tilt back against the climb.
    assert (mesh.normals[road, 0] < 0.0).all()
    # Left lanes (positive ids) lie at negative CARLA y.
    assert p[mesh.tags == Tag.Sidewalks, 1].max() < -3.5 + 1e-4


# -- props -------------------------------------------------------------------------------------------------------------

def test_props_mesh_is_valid_and_deterministic_for_a_seed(town, props_mesh):
    assert_valid(props_mesh)
    assert {Tag.Buildings, Tag.Vegetation, Tag.Poles, Tag.TrafficLight} <= set(np.unique(props_mesh.tags).tolist())
    assert_identical(props_mesh, build_props(fresh_town(town), seed=0))
    other = build_props(town, seed=1)
    assert len(other.positions) != len(props_mesh.positions) or not np.array_equal(other.positions,
                                                                                   props_mesh.positions)


def test_no_building_overlaps_a_road_or_sidewalk(town, town_meshes):
    plan = plan_props(town)
    assert len(plan.buildings) > 50
    surface = triangles(town_meshes, [Tag.Roads, Tag.Sidewalks, Tag.RoadLines])[:, :, :2]
    for building in plan.buildings:
        rect = building.corners()
        near = ((surface.max(axis=1) >= rect.min(axis=0) - 1.0) & (surface.min(axis=1) <= rect.max(axis=0) + 1.0)).all(
            axis=1)
        assert not rectangle_overlaps(rect, surface[near]).any(), building


def test_buildings_do_not_overlap_each_other(town):
    plan = plan_props(town)
    rects = [b.corners() for b in plan.buildings]
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            tris = np.stack([b[[0, 1, 2]], b[[0, 2, 3]]])
            assert not rectangle_overlaps(a, tris).any()


def test_trees_stand_off_roads_and_sidewalks(town, town_meshes):
    plan = plan_props(town)
    assert len(plan.trees) > 20
    trunks = np.array([t.position[:2] for t in plan.trees])
    on_surface = points_in_triangles(trunks, triangles(town_meshes, [Tag.Roads, Tag.Sidewalks]))
    assert not on_surface.any()


def test_traffic_light_posts_stand_at_the_map_signals(town, props_mesh):
    plan = plan_props(town)
    signals = [(road, signal) for road in town.opendrive.roads.values() for signal in road.signals
               if signal.type == TRAFFIC_LIGHT_TYPE]
    assert len(plan.traffic_lights) == len(signals) > 0
    by_id = {post.signal_id: post for post in plan.traffic_lights}
    for road, signal in signals:
        x, y, _, heading = road.reference_pose(np.array([signal.s]))
        expected = (x[0] - np.sin(heading[0]) * signal.t, -(y[0] + np.cos(heading[0]) * signal.t))
        assert np.allclose(by_id[signal.id].position[:2], expected, atol=1e-6)
    lights = props_mesh.positions[props_mesh.tags == Tag.TrafficLight]
    assert lights[:, 2].max() > 3.0


def test_street_lamps_stand_on_sidewalks(town, town_meshes):
    plan = plan_props(town)
    assert len(plan.lamps) > 20
    feet = np.array([lamp.position[:2] for lamp in plan.lamps])
    assert points_in_triangles(feet, triangles(town_meshes, [Tag.Sidewalks])).all()


# -- models ------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("bp", vehicles(), ids=lambda bp: bp.id)
def test_vehicle_model_fills_its_extent_and_stands_on_the_ground(bp):
    mesh = model_for_blueprint(bp)
    assert_valid(mesh)
    ex, ey, ez = bp.extent
    body = mesh.positions[mesh.tags != Tag.Rider]
    tolerance = 0.01
    assert (np.abs(body[:, 0]) <= ex + tolerance).all() and (np.abs(body[:, 1]) <= ey + tolerance).all()
    assert body[:, 2].min() == pytest.approx(0.0, abs=1e-5)
    assert body[:, 2].max() <= 2.0 * ez + tolerance
    span = body.max(axis=0) - body.min(axis=0)
    assert (span >= 0.8 * 2.0 * np.array(bp.extent)).all()
    assert set(np.unique(mesh.tags).tolist()) <= {semantic_tags_for("vehicle", bp.defaults())[0], int(Tag.Rider)}
    painted = (mesh.flags & FLAG_PAINT).astype(bool)
    assert painted.any() == ("color" in bp.defaults())


@pytest.mark.parametrize("bp_id", ["vehicle.harley-davidson.low_rider", "vehicle.bh.crossbike"])
def test_two_wheelers_carry_a_rider_above_the_seat(bp_id):
    mesh = model_for_blueprint(find_blueprint(bp_id))
    rider = mesh.positions[mesh.tags == Tag.Rider]
    assert len(rider) > 0
    assert 1.2 < rider[:, 2].max() < 2.2 and rider[:, 2].min() > 0.1


def test_vehicle_kinds_have_distinct_shapes():
    ids = ["vehicle.tesla.model3", "vehicle.nissan.patrol_2021", "vehicle.mercedes.sprinter",
           "vehicle.carlamotors.european_hgv", "vehicle.mitsubishi.fusorosa", "vehicle.yamaha.yzf",
           "vehicle.bh.crossbike"]
    shapes = []
    for bp_id in ids:
        bp = find_blueprint(bp_id)
        mesh = model_for_blueprint(bp)
        shapes.append(np.round(mesh.positions / np.array(bp.extent), 3))
    for i in range(len(shapes)):
        for j in range(i + 1, len(shapes)):
            assert shapes[i].shape != shapes[j].shape or not np.array_equal(shapes[i], shapes[j]), (ids[i], ids[j])


def test_models_are_deterministic_and_keys_tell_shapes_apart():
    models = {}
    for bp in vehicles() + walkers():
        assert_identical(model_for_blueprint(bp), model_for_blueprint(bp))
        assert model_key(bp) == model_key(bp)
        models.setdefault(model_key(bp), model_for_blueprint(bp))
    assert len(models) == len(vehicles()) + len(walkers())
    with pytest.raises(ValueError):
        model_key(find_blueprint("sensor.camera.rgb"))
    with pytest.raises(ValueError):
        model_for_blueprint(find_blueprint("sensor.camera.rgb"))


@pytest.mark.parametrize("bp", walkers(), ids=lambda bp: bp.id)
def test_walker_spans_its_extent_centred_on_its_origin(bp):
    mesh = model_for_blueprint(bp)
    assert_valid(mesh)
    ex, ey, ez = bp.extent
    p = mesh.positions
    assert p[:, 2].min() == pytest.approx(-ez, abs=1e-5) and p[:, 2].max() == pytest.approx(ez, abs=1e-5)
    assert (np.abs(p[:, 0]) <= ex + 1e-5).all() and (np.abs(p[:, 1]) <= ey + 1e-5).all()
    assert (mesh.tags == Tag.Pedestrians).all()
    assert not mesh.flags.any()


def test_walkers_differ_in_their_colours():
    palettes = {tuple(np.unique(model_for_blueprint(bp).colors, axis=0).round(4).reshape(-1)) for bp in walkers()}
    assert len(palettes) >= 20


def test_paint_colour_converts_srgb_bytes_to_linear():
    assert paint_color({"color": "255,255,255"}) == pytest.approx((1.0, 1.0, 1.0))
    assert paint_color({"color": "0,0,0"}) == (0.0, 0.0, 0.0)
    assert paint_color({"color": "128,64,10"}) == pytest.approx((0.21586, 0.05127, 0.00304), abs=1e-4)
    assert paint_color({}) == DEFAULT_PAINT
    for bad in ("red", "1,2", "1,2,300"):
        with pytest.raises(ValueError):
            paint_color({"color": bad})


def test_town_and_props_merge_into_one_static_scene(town_meshes, props_mesh):
    scene = Mesh.merge([town_meshes, props_mesh])
    assert_valid(scene)
    assert len(scene.positions) == len(town_meshes.positions) + len(props_mesh.positions)
