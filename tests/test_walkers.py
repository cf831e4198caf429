"""Walkers on sidewalks and crosswalks: the navigation mesh the server builds and serves, and the walker AI
(controller.ai.walker) that runs in each client.

The mesh is checked on its own (Detour layout read back, neighbour links, convex polygons, BV tree, one
connected network, sidewalks off the driving lanes); then CARLA's Town01 and our Town03 are walked by 20
AI walkers under each client: every sampled position lies on a navigation polygon, positions on driving
lanes lie on crosswalks, and every walker gets somewhere.
"""
import json
import math
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from serverproc import ServerProcess, official_available, run_client

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "PythonAPI"))
sys.path.insert(0, str(ROOT))

import carla  # noqa: E402 - our client
from carla_odr import parse_xodr  # noqa: E402
from carla_odr.detour import (AREA_CROSSWALK, AREA_SIDEWALK, EXT_LINK, FLAG_CROSSWALK, FLAG_SIDEWALK,  # noqa: E402
                              POLY_DTYPE, NavMeshFormatError, NavMeshParams, NavMeshSet, Tile, encode_ref,
                              navmesh_set_bytes, read_navmesh_set)
from carla._rpc import RpcClient  # noqa: E402
from engine.map.navmesh import build_navmesh  # noqa: E402

CARLA_TOWN01 = ROOT.parent / "shared" / "testdata" / "opendrive" / "Town01.xodr"
OUR_TOWN03 = ROOT / "assets" / "maps" / "Town03.xodr"
TOWNS = {"Town01": CARLA_TOWN01, "Town03": OUR_TOWN03}
ON_POLYGON = 0.02            # m: walker positions are printed to the millimetre


@lru_cache(maxsize=None)
def navmesh(town: str):
    xodr = TOWNS[town].read_text()
    return build_navmesh(town, xodr, parse_xodr(xodr))


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """The official client caches downloaded files; keep its copies out of the user's home."""
    monkeypatch.setenv("CARLA_CACHE_DIR", str(tmp_path / "carla-cache"))


def _script_args(town: str) -> list:
    return ["--xodr", str(CARLA_TOWN01)] if town == "Town01" else ["--town", town]


# -- the mesh ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("town", TOWNS)
def test_navmesh_bytes_read_back_and_write_again_identically(town):
    built = navmesh(town)
    mesh = read_navmesh_set(built.data)
    assert len(mesh.tiles) == 1
    tile = mesh.tiles[0]
    poly = built.polymesh
    assert len(tile.polys) == len(poly.polys) and len(tile.verts) == len(poly.verts)
    assert np.allclose(tile.verts, poly.verts[:, [0, 2, 1]], atol=1e-4)     # Recast is y-up
    for p, corners in enumerate(poly.polys):
        assert list(tile.polys[p]["verts"][:len(corners)]) == corners
    assert set(np.unique(tile.areas)) == {AREA_SIDEWALK, AREA_CROSSWALK}
    flags = np.where(tile.areas == AREA_SIDEWALK, FLAG_SIDEWALK, FLAG_CROSSWALK)
    assert np.array_equal(tile.polys["flags"], flags)
    assert tile.max_link_count == int(tile.polys["vert_count"].sum())
    assert navmesh_set_bytes(mesh) == built.data


def test_broken_navmesh_bytes_are_refused_with_the_reason():
    data = navmesh("Town03").data
    with pytest.raises(NavMeshFormatError, match="ends inside its blocks|announced"):
        read_navmesh_set(data[:len(data) // 2])
    with pytest.raises(NavMeshFormatError, match="not a navigation mesh set"):
        read_navmesh_set(b"DNAV" + data[4:])
    with pytest.raises(NavMeshFormatError, match="shorter than"):
        read_navmesh_set(b"MSET")


@pytest.mark.parametrize("town", TOWNS)
def test_neighbour_links_are_mutual_across_a_shared_edge(town):
    tile = read_navmesh_set(navmesh(town).data).tiles[0]
    links = 0
    for p, poly in enumerate(tile.polys):
        n = int(poly["vert_count"])
        for j in range(n):
            nei = int(poly["neis"][j])
            assert not nei & EXT_LINK
            if not nei:
                continue
            a, b = int(poly["verts"][j]), int(poly["verts"][(j + 1) % n])
            other = tile.polys[nei - 1]
            m = int(other["vert_count"])
            back = [k for k in range(m) if int(other["neis"][k]) == p + 1]
            assert len(back) == 1
            k = back[0]
            assert (int(other["verts"][k]), int(other["verts"][(k + 1) % m])) == (b, a)
            links += 1
    assert links > len(tile.polys)          # a network, not islands


@pytest.mark.parametrize("town", TOWNS)
def test_polygons_are_convex_with_detour_winding_and_six_corners_at_most(town):
    tile = read_navmesh_set(navmesh(town).data).tiles[0]
    v = tile.verts.astype(np.float64)
    for poly in tile.polys:
        n = int(poly["vert_count"])
        assert 3 <= n <= 6
        corners = v[poly["verts"][:n]]
        for i in range(n):
            a, b, c = corners[i], corners[(i + 1) % n], corners[(i + 2) % n]
            # dtTriArea2D(a, b, c) >= 0 at every corner: convex and wound as Detour's string pulling expects
            # (up to a milliradian: corners on a straight edge are float32 numbers)
            area = (c[0] - a[0]) * (b[2] - a[2]) - (b[0] - a[0]) * (c[2] - a[2])
            assert area >= -1e-3 * np.hypot(*(b - a)[[0, 2]]) * np.hypot(*(c - a)[[0, 2]])


@pytest.mark.parametrize("town", TOWNS)
def test_bv_tree_holds_every_polygon_once_within_its_nodes(town):
    tile = read_navmesh_set(navmesh(town).data).tiles[0]
    nodes = tile.bv_tree
    assert len(nodes) == 2 * len(tile.polys) - 1
    seen = []

    def walk(start, end, lo, hi):
        i = start
        while i < end:
            node = nodes[i]
            assert np.all(node["bmin"] >= lo) and np.all(node["bmax"] <= hi)
            if node["i"] >= 0:
                seen.append(int(node["i"]))
                i += 1
            else:
                walk(i + 1, i - int(node["i"]), node["bmin"], node["bmax"])
                i -= int(node["i"])

    walk(0, len(nodes), np.zeros(3), np.full(3, 0xFFFF))
    assert sorted(seen) == list(range(len(tile.polys)))
    quant = tile.bv_quant_factor
    for node in nodes[nodes["i"] >= 0]:
        poly = tile.polys[node["i"]]
        corners = tile.verts[poly["verts"][:poly["vert_count"]]]
        expected = ((corners.min(axis=0) - np.array(tile.bmin, np.float32)) * np.float32(quant)).astype(int)
        assert np.array_equal(node["bmin"], expected)


@pytest.mark.parametrize("town", TOWNS)
def test_sidewalks_corners_and_crosswalks_form_one_network(town):
    poly = navmesh(town).polymesh
    reached, stack = {0}, [0]
    while stack:
        for q in poly.neighbours[stack.pop()]:
            if q >= 0 and q not in reached:
                reached.add(q)
                stack.append(q)
    assert len(reached) == len(poly.polys)


@pytest.mark.parametrize("town", TOWNS)
def test_every_crosswalk_joins_sidewalks_on_both_sides_of_its_road(town):
    poly = navmesh(town).polymesh
    crosswalk = [p for p, area in enumerate(poly.areas) if area == AREA_CROSSWALK]
    groups, seen = [], set()
    for start in crosswalk:
        if start in seen:
            continue
        group, stack = {start}, [start]
        while stack:
            for q in poly.neighbours[stack.pop()]:
                if q >= 0 and poly.areas[q] == AREA_CROSSWALK and q not in group:
                    group.add(q)
                    stack.append(q)
        seen |= group
        groups.append(group)
    assert len(groups) >= 20
    for group in groups:
        ends = [poly.verts[poly.polys[q]].mean(axis=0) for p in group for q in poly.neighbours[p]
                if q >= 0 and poly.areas[q] == AREA_SIDEWALK]
        assert len(ends) == 2 and np.linalg.norm(ends[0][:2] - ends[1][:2]) > 5.0


@pytest.mark.parametrize("town", TOWNS)
def test_sidewalk_polygons_stay_off_driving_lanes(town):
    built = navmesh(town)
    town_map = carla.Map(town, TOWNS[town].read_text())
    poly = built.polymesh
    for corners, area in zip(poly.polys, poly.areas):
        if area != AREA_SIDEWALK:
            continue
        centre = poly.verts[corners].mean(axis=0)
        found = town_map.get_waypoint(carla.Location(float(centre[0]), float(centre[1]), 0.0),
                                      project_to_road=False, lane_type=carla.LaneType.Driving)
        assert found is None, f"sidewalk polygon centred at {centre} lies on a driving lane"


def test_server_serves_the_mesh_by_file_and_by_call():
    with ServerProcess("-nullrhi") as server:         # our Town01
        rpc = RpcClient("127.0.0.1", server.port)
        try:
            names = rpc.call("get_required_files", "Nav")
            assert len(names) == 1 and names[0].startswith("Carla/Maps/Nav/Town01.") and names[0].endswith(".bin")
            data = bytes(rpc.call("request_file", names[0]))
            assert data == bytes(rpc.call("get_navigation_mesh"))
            xodr = (ROOT / "assets" / "maps" / "Town01.xodr").read_text()
            assert data == build_navmesh("Town01", xodr, parse_xodr(xodr)).data
            assert rpc.call("get_required_files", "") == []
            with pytest.raises(RuntimeError, match="not served"):
                rpc.call("request_file", "Carla/Maps/Nav/Elsewhere.bin")
        finally:
            rpc.close()


# -- the client's side ---------------------------------------------------------------------------------------

def test_c_library_random_numbers_follow_srand():
    from carla._crand import CRandom
    unseeded = CRandom()
    assert [unseeded.rand() for _ in range(3)] == [1804289383, 846930886, 1681692777]   # glibc's rand()
    seeded = CRandom(42)
    assert [seeded.rand() for _ in range(3)] == [71876166, 708592740, 1483128881]       # after srand(42)


def _square_tile(x: int) -> Tile:
    """A 1 m square tile at grid column x; its edges on the borders with columns x - 1 and x + 1 are portals."""
    polys = np.zeros(1, POLY_DTYPE)
    polys[0]["verts"][:4] = [0, 1, 2, 3]
    polys[0]["neis"][:4] = [EXT_LINK | 4, 0, EXT_LINK | 0, 0]
    polys[0]["vert_count"] = 4
    polys[0]["flags"] = FLAG_SIDEWALK
    polys[0]["area_and_type"] = AREA_SIDEWALK
    verts = np.array([[x, 0, 0], [x, 0, 1], [x + 1, 0, 1], [x + 1, 0, 0]], np.float32)   # Recast (x, y up, z)
    return Tile(x=x, polys=polys, verts=verts, max_link_count=6, bmin=(x, 0.0, 0.0), bmax=(x + 1, 0.0, 1.0))


def test_paths_cross_tile_borders_through_portals():
    from carla._navmesh import NavMesh, QueryFilter
    params = NavMeshParams((0.0, 0.0, 0.0), 1.0, 1.0, 2, 1)
    tiles = [_square_tile(0), _square_tile(1)]
    for index, tile in enumerate(tiles):
        tile.tile_ref = encode_ref(params, 1, index, 0)
    mesh = NavMesh(read_navmesh_set(navmesh_set_bytes(NavMeshSet(params, tiles))))
    assert mesh.poly_count == 2 and [link[1] for link in mesh.links[0]] == [1]
    start, end = np.array([0.2, 0.0, 0.5]), np.array([1.8, 0.0, 0.5])
    everywhere = QueryFilter()
    path = mesh.find_path(0, 1, start, end, everywhere)
    assert path == [0, 1]
    points = [tuple(point) for point, _, _ in mesh.find_straight_path(start, end, path)]
    assert points == [tuple(start), tuple(end)]
    reached, visited = mesh.move_along_surface(0, start, end, everywhere)
    assert np.allclose(reached, end) and visited == [0, 1]


# -- walkers under each client -------------------------------------------------------------------------------

def _polygon_index(town: str):
    poly = navmesh(town).polymesh
    shapes = [poly.verts[corners, :2] for corners in poly.polys]
    lows = np.array([s.min(axis=0) for s in shapes])
    highs = np.array([s.max(axis=0) for s in shapes])
    return poly, shapes, lows, highs


def _polygons_under(index, x: float, y: float) -> list:
    """Areas of the polygons within ON_POLYGON of (x, y)."""
    poly, shapes, lows, highs = index
    near = np.flatnonzero(np.all(lows - ON_POLYGON <= (x, y), axis=1) & np.all(highs + ON_POLYGON >= (x, y), axis=1))
    return [int(poly.areas[p]) for p in near if _distance_to_polygon(shapes[p], x, y) <= ON_POLYGON]


def _distance_to_polygon(shape: np.ndarray, x: float, y: float) -> float:
    p = np.array([x, y])
    a, b = shape, np.roll(shape, -1, axis=0)
    edge = b - a
    cross = edge[:, 0] * (p[1] - a[:, 1]) - edge[:, 1] * (p[0] - a[:, 0])
    if np.all(cross <= 0) or np.all(cross >= 0):
        return 0.0
    t = np.clip(np.sum((p - a) * edge, axis=1) / np.maximum(np.sum(edge * edge, axis=1), 1e-12), 0.0, 1.0)
    return float(np.min(np.linalg.norm(a + edge * t[:, None] - p, axis=1)))


def _walk(client_kind: str, town: str, *extra: str) -> dict:
    with ServerProcess("-nullrhi") as server:
        result = json.loads(run_client(client_kind, "walkers_crowd.py", server.port, *_script_args(town), *extra))
        assert server.alive()
    return result


@pytest.mark.parametrize("town", TOWNS)
def test_ai_walkers_keep_to_sidewalks_and_cross_at_crosswalks(client_kind, town):
    result = _walk(client_kind, town)
    assert result["random_found"] == 50 and result["random_on_driving_lane"] == 0
    assert result["walkers"] == 20 and result["controllers"] == ["controller.ai.walker"]
    index = _polygon_index(town)
    on_crosswalk = 0
    for row in result["samples"]:
        for x, y, _, on_driving_lane in row:
            areas = _polygons_under(index, x, y)
            assert areas, f"walker at ({x}, {y}) is off the navigation mesh"
            if on_driving_lane:
                assert AREA_CROSSWALK in areas, f"walker at ({x}, {y}) is on a driving lane off the crosswalks"
                on_crosswalk += 1
    assert on_crosswalk > 0                  # some walkers crossed a road, at a crosswalk
    for k in range(result["walkers"]):
        path = [row[k] for row in result["samples"]]
        walked = sum(math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in zip(path, path[1:]))
        assert walked > 3.0, f"walker {k} walked only {walked:.2f} m"
        assert walked < 1.5 * 1.4 * 300 * 0.05   # never faster than the speed it was given


def test_a_seed_gives_the_same_walks_twice_with_our_client():
    first = _walk("ours", "Town03", "--walkers", "8", "--ticks", "120", "--seed", "11")
    second = _walk("ours", "Town03", "--walkers", "8", "--ticks", "120", "--seed", "11")
    assert first["random_points"] == second["random_points"]
    assert first["samples"] == second["samples"]


def test_a_seed_gives_the_official_clients_random_locations():
    if not official_available():
        pytest.skip("official carla client not installed")
    runs = {kind: _walk(kind, "Town01", "--walkers", "2", "--ticks", "10", "--seed", "3")
            for kind in ("official", "ours")}
    assert runs["ours"]["random_points"] == runs["official"]["random_points"]


def test_walker_state_and_controllers_behave_as_carla_under_each_client(client_kind):
    with ServerProcess("-nullrhi") as server:
        result = json.loads(run_client(client_kind, "walker_state.py", server.port))
    assert result == {"batch_errors": [], "control_speed": 1.25, "controller_gone_with_walker": True,
                      "controller_parent": True,
                      "controller_type": "controller.ai.walker", "feet_on_point": 0.0, "moved_to": [1.0, 0.0],
                      "start_without_walker": ["RuntimeError", "not attached to walker"], "yaw": 90.0}
