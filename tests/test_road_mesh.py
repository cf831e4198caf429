"""Road mesh from OpenDRIVE: markings drawn as the road marks say, raised curbs, crosswalks, elevation.

Each test builds a small straight road (100 m along +x from the origin) whose lanes, road marks, elevation
and objects it chooses, and looks at the triangles of the town mesh. CARLA coordinates: y = -y_odr, so
lanes with negative ids (t < 0) lie at positive y.
"""
from __future__ import annotations

import numpy as np
import pytest

from carla_odr import parse_xodr
from engine.map.town import town_from_opendrive
from engine.render.crosswalks import BAR_GAP, BAR_WIDTH, CROSSWALK_LIFT
from engine.render.semantic_tags import CityObjectLabel as Tag
from engine.render.town_mesh import MARK_COLORS, SIDEWALK_HEIGHT, build_town_mesh

LANE_WIDTH = 3.5
SIDEWALK_WIDTH = 2.0


def lane(lane_id: int, kind: str, width: float, mark: str = "none", color: str = "white",
         mark_width: float = 0.15) -> str:
    return (f'<lane id="{lane_id}" type="{kind}" level="false">'
            f'<width sOffset="0" a="{width}" b="0" c="0" d="0"/>'
            f'<roadMark sOffset="0" type="{mark}" color="{color}" width="{mark_width}"/></lane>')


def straight_road(centre_mark="solid solid", centre_color="yellow", right_mark="broken", right_color="white",
                  left_mark="solid broken", elevation=(0.0, 0.0), objects="") -> str:
    """A two-way road with a sidewalk on each side, 100 m long."""
    a, b = elevation
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<OpenDRIVE><header revMajor="1" revMinor="4" name="test"/>
<road name="r" length="100" id="1" junction="-1">
  <planView><geometry s="0" x="0" y="0" hdg="0" length="100"><line/></geometry></planView>
  <elevationProfile><elevation s="0" a="{a}" b="{b}" c="0" d="0"/></elevationProfile>
  <lanes><laneSection s="0">
    <left>{lane(2, "sidewalk", SIDEWALK_WIDTH)}{lane(1, "driving", LANE_WIDTH, left_mark, "white")}</left>
    <center><lane id="0" type="none" level="false">
      <roadMark sOffset="0" type="{centre_mark}" color="{centre_color}" width="0.125"/></lane></center>
    <right>{lane(-1, "driving", LANE_WIDTH, right_mark, right_color)}{lane(-2, "sidewalk", SIDEWALK_WIDTH)}</right>
  </laneSection></lanes>
  {objects}
</road></OpenDRIVE>"""


CROSSWALK = """<objects><object id="7" type="crosswalk" name="Simple_Crosswalk" s="70" t="0" zOffset="0" hdg="0"
  orientation="none" length="3" width="11">
  <outline><cornerLocal u="-1.5" v="-5.5" z="0"/><cornerLocal u="1.5" v="-5.5" z="0"/>
    <cornerLocal u="1.5" v="5.5" z="0"/><cornerLocal u="-1.5" v="5.5" z="0"/></outline></object></objects>"""


def mesh_of(xodr: str):
    return build_town_mesh(town_from_opendrive(xodr))


def tagged_triangles(mesh, tag) -> tuple:
    """(k, 3, 3) positions and (k, 3) colours of the triangles with a tag."""
    tri = mesh.indices.reshape(-1, 3).astype(np.int64)
    tri = tri[mesh.tags[tri[:, 0]] == int(tag)]
    return mesh.positions.astype(np.float64)[tri], mesh.colors[tri[:, 0]]


def containing_triangle(points: np.ndarray, tris: np.ndarray) -> np.ndarray:
    """Index of a triangle containing each (x, y) point (edges included), -1 where none does."""
    p = points[:, None, :2]
    a, b, c = tris[None, :, 0, :2], tris[None, :, 1, :2], tris[None, :, 2, :2]

    def side(u, v, w):
        return (v[..., 0] - u[..., 0]) * (w[..., 1] - u[..., 1]) - (v[..., 1] - u[..., 1]) * (w[..., 0] - u[..., 0])

    d1, d2, d3 = side(a, b, p), side(b, c, p), side(c, a, p)
    negative = (d1 < -1e-9) | (d2 < -1e-9) | (d3 < -1e-9)
    positive = (d1 > 1e-9) | (d2 > 1e-9) | (d3 > 1e-9)
    inside = ~(negative & positive)
    return np.where(inside.any(axis=1), inside.argmax(axis=1), -1)


def height_at(points: np.ndarray, tris: np.ndarray) -> np.ndarray:
    """Height of the triangles at (x, y) points (every point must lie on one), by barycentric weights."""
    index = containing_triangle(points, tris)
    assert (index >= 0).all(), "every point lies on a triangle"
    a, b, c = (tris[index, k] for k in range(3))
    v0, v1, v2 = b[:, :2] - a[:, :2], c[:, :2] - a[:, :2], points[:, :2] - a[:, :2]
    det = v0[:, 0] * v1[:, 1] - v0[:, 1] * v1[:, 0]
    wb = (v2[:, 0] * v1[:, 1] - v2[:, 1] * v1[:, 0]) / det
    wc = (v0[:, 0] * v2[:, 1] - v0[:, 1] * v2[:, 0]) / det
    return a[:, 2] + wb * (b[:, 2] - a[:, 2]) + wc * (c[:, 2] - a[:, 2])


def runs(covered: np.ndarray) -> int:
    """Number of separate covered runs in a row of samples."""
    edges = np.diff(np.concatenate([[0], covered.astype(np.int8), [0]]))
    return int((edges == 1).sum())


def coverage_along(mesh, y: float, x=np.arange(5.0, 95.0, 0.1)) -> np.ndarray:
    lines, _ = tagged_triangles(mesh, Tag.RoadLines)
    return containing_triangle(np.column_stack([x, np.full_like(x, y)]), lines) >= 0


def coverage_across(mesh, x: float, y=np.arange(-1.0, 1.0, 0.005)) -> tuple:
    lines, colors = tagged_triangles(mesh, Tag.RoadLines)
    index = containing_triangle(np.column_stack([np.full_like(y, x), y]), lines)
    return index >= 0, colors[index[index >= 0]]


def test_broken_marks_leave_gaps_and_solid_marks_do_not():
    mesh = mesh_of(straight_road(right_mark="broken", left_mark="solid"))
    broken = coverage_along(mesh, LANE_WIDTH)          # outer border of lane -1 (t = -3.5)
    solid = coverage_along(mesh, -LANE_WIDTH)          # outer border of lane 1
    assert solid.all()
    assert runs(broken) >= 6 and 0.15 < broken.mean() < 0.4, "3 m dashes with 9 m gaps"


def test_double_marks_are_two_yellow_strips_of_the_mark_width():
    mesh = mesh_of(straight_road(centre_mark="solid solid", centre_color="yellow"))
    covered, colors = coverage_across(mesh, 50.0)
    assert runs(covered) == 2
    assert covered.sum() * 0.005 == pytest.approx(2 * 0.125, abs=0.02)
    assert np.allclose(colors, MARK_COLORS["yellow"])


def test_single_marks_are_one_strip_and_white_marks_are_white():
    mesh = mesh_of(straight_road(centre_mark="solid", centre_color="white"))
    covered, colors = coverage_across(mesh, 50.0)
    assert runs(covered) == 1
    assert covered.sum() * 0.005 == pytest.approx(0.125, abs=0.02)
    assert np.allclose(colors, MARK_COLORS["white"])


@pytest.mark.parametrize("mark,solid_side", [("solid broken", 1.0), ("broken solid", -1.0)])
def test_solid_broken_marks_have_one_continuous_and_one_dashed_strip(mark, solid_side):
    # On the centre line the first stripe lies on the left (t > 0, CARLA y < 0).
    mesh = mesh_of(straight_road(centre_mark=mark))
    first = coverage_along(mesh, -0.125)
    second = coverage_along(mesh, 0.125)
    solid, broken = (first, second) if solid_side > 0 else (second, first)
    assert solid.all()
    assert runs(broken) >= 6 and broken.mean() < 0.5


def test_broken_broken_marks_are_two_dashed_strips():
    mesh = mesh_of(straight_road(centre_mark="broken broken"))
    for y in (-0.125, 0.125):
        covered = coverage_along(mesh, y)
        assert runs(covered) >= 6 and covered.mean() < 0.5


def test_roads_without_marks_paint_nothing():
    mesh = mesh_of(straight_road(centre_mark="none", right_mark="none", left_mark="none"))
    assert len(tagged_triangles(mesh, Tag.RoadLines)[0]) == 0


@pytest.mark.parametrize("elevation", [(0.0, 0.0), (2.0, 0.05)])
def test_sidewalks_are_raised_above_the_road_with_a_vertical_curb_face(elevation):
    a, b = elevation
    mesh = mesh_of(straight_road(elevation=elevation))
    x = np.arange(5.0, 95.0, 5.0)
    road_z = a + b * x
    road, _ = tagged_triangles(mesh, Tag.Roads)
    sidewalk, _ = tagged_triangles(mesh, Tag.Sidewalks)
    for y in (LANE_WIDTH - 1.0, -LANE_WIDTH + 1.0):
        assert np.allclose(height_at(np.column_stack([x, np.full_like(x, y)]), road), road_z, atol=1e-3)
    for y in (LANE_WIDTH + 1.0, -LANE_WIDTH - 1.0):
        assert np.allclose(height_at(np.column_stack([x, np.full_like(x, y)]), sidewalk), road_z + SIDEWALK_HEIGHT,
                           atol=1e-3)
    # Curb faces: triangles whose normals point sideways, standing on the lane border and reaching the top.
    tri = mesh.indices.reshape(-1, 3).astype(np.int64)
    normals = mesh.normals[tri[:, 0]]
    sideways = (np.abs(normals[:, 2]) < 1e-6) & (np.abs(normals[:, 1]) > 0.99)
    faces = mesh.positions[tri[sideways]].astype(np.float64)
    at_border = np.abs(np.abs(faces[:, :, 1]).mean(axis=1) - LANE_WIDTH) < 1e-3
    assert at_border.sum() >= 4, "a curb face on each side of the road"
    heights = faces[at_border][:, :, 2].max(axis=1) - faces[at_border][:, :, 2].min(axis=1)
    assert (heights > SIDEWALK_HEIGHT - 1e-3).all()


def test_objects_are_parsed_with_their_outline_corners():
    road = parse_xodr(straight_road(objects=CROSSWALK)).roads[1]
    (crosswalk,) = road.objects
    assert (crosswalk.id, crosswalk.type, crosswalk.s, crosswalk.t) == ("7", "crosswalk", 70.0, 0.0)
    assert crosswalk.corners_local == ((-1.5, -5.5, 0.0), (1.5, -5.5, 0.0), (1.5, 5.5, 0.0), (-1.5, 5.5, 0.0))


def test_crosswalks_are_painted_as_bars_where_the_map_has_them():
    plain = mesh_of(straight_road(centre_mark="none", right_mark="none", left_mark="none"))
    with_crosswalk = mesh_of(straight_road(centre_mark="none", right_mark="none", left_mark="none",
                                           objects=CROSSWALK))
    assert len(tagged_triangles(plain, Tag.RoadLines)[0]) == 0
    lines, colors = tagged_triangles(with_crosswalk, Tag.RoadLines)
    assert np.allclose(colors, MARK_COLORS["white"])
    # Across the crossing (CARLA y from -5.5 to 5.5 at x = 70): bars and gaps alternate.
    y = np.arange(-5.45, 5.45, 0.01)
    covered = containing_triangle(np.column_stack([np.full_like(y, 70.0), y]), lines) >= 0
    assert runs(covered) == int((11.0 + BAR_GAP) // (BAR_WIDTH + BAR_GAP))
    assert covered.mean() == pytest.approx(BAR_WIDTH / (BAR_WIDTH + BAR_GAP), abs=0.1)
    # Along the road the bars span the crossing's 3 m and stop there.
    x = np.arange(60.0, 80.0, 0.05)
    centre_bar_y = y[covered][len(y[covered]) // 2]
    along = containing_triangle(np.column_stack([x, np.full_like(x, centre_bar_y)]), lines) >= 0
    assert along.sum() * 0.05 == pytest.approx(3.0, abs=0.1)
    assert lines[:, :, 2].min() > 0.0, "painted above the road surface"


def test_crosswalks_follow_the_road_elevation():
    mesh = mesh_of(straight_road(centre_mark="none", right_mark="none", left_mark="none", elevation=(2.0, 0.05),
                                 objects=CROSSWALK))
    lines, _ = tagged_triangles(mesh, Tag.RoadLines)
    road, _ = tagged_triangles(mesh, Tag.Roads)
    corners = lines.reshape(-1, 3)
    corners = corners[np.abs(corners[:, 1]) < LANE_WIDTH - 1e-6]     # the ends lie under the raised sidewalks
    assert np.all(corners[:, 2] > height_at(corners, road))
    assert np.allclose(corners[:, 2], 2.0 + 0.05 * corners[:, 0] + CROSSWALK_LIFT, atol=1e-4)


def test_same_map_gives_the_same_mesh_bytes():
    xodr = straight_road(objects=CROSSWALK, elevation=(1.0, 0.02))
    first, second = mesh_of(xodr), mesh_of(xodr)
    for name in ("positions", "normals", "colors", "tags", "indices", "flags"):
        assert getattr(first, name).tobytes() == getattr(second, name).tobytes(), name


def test_a_crosswalk_without_an_outline_is_a_clear_error():
    bare = CROSSWALK[:CROSSWALK.index("<outline>")] + "</object></objects>"
    with pytest.raises(ValueError, match="object 7: a crosswalk needs an outline"):
        mesh_of(straight_road(objects=bare))
