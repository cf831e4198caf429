"""Town01: the generated OpenDRIVE map, the shared OpenDRIVE parser, spawn points and ground height."""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

import numpy as np
import pytest

from carla_odr import Arc, Line, ParamPoly3, Spiral, parse_xodr
from engine.map import UnknownMapError, available_maps, load_town
from engine.map.towngen import TOWNS

OFFICIAL_PYTHON = Path("/tmp/carla-official-venv/bin/python")
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def town():
    return load_town("Town01")


# -- generator and parser ---------------------------------------------------------------------


def test_generator_is_deterministic_and_matches_the_asset():
    first = TOWNS["Town01"]()
    assert first == TOWNS["Town01"]()
    assert (REPO / "assets" / "maps" / "Town01.xodr").read_text(encoding="utf-8") == first


def test_town01_xodr_parses_with_junctions_links_and_lanes(town):
    odr = parse_xodr(town.xodr)
    assert odr.header.geo_reference.latitude == 49.0
    assert odr.header.geo_reference.longitude == 8.0
    four_way = [j for j in odr.junctions.values() if len(j.connections) == 12]
    t_junctions = [j for j in odr.junctions.values() if len(j.connections) == 6]
    assert len(four_way) == 4 and len(t_junctions) == 8
    kinds = {g.kind for road in odr.roads.values() for g in road.plan_view.geometries}
    assert kinds == {"line", "arc"}
    for road in odr.roads.values():
        section = road.lane_sections[0]
        if road.is_junction:
            assert road.predecessor.element_type == "road" and road.successor.element_type == "road"
            assert section.lanes[-1].type == "driving"
        else:
            assert section.lanes[-1].type == section.lanes[1].type == "driving"
            assert section.lanes[-1].width(0.0) == pytest.approx(3.5)
            assert section.lanes[-3].type == section.lanes[3].type == "sidewalk"
            assert road.predecessor is not None and road.successor is not None
    lights = [s for road in odr.roads.values() for s in road.signals if s.type == "1000001"]
    assert len(lights) == 4 * 4 + 8 * 3


def test_roads_meet_their_links_without_gaps(town):
    odr = town.opendrive

    def end_point(road, contact):
        x, y, _, _ = road.reference_pose(0.0 if contact == "start" else road.length)
        return float(x), float(y)

    for road in odr.roads.values():
        for contact, link in (("start", road.predecessor), ("end", road.successor)):
            if link is not None and link.element_type == "road":
                other = odr.roads[link.element_id]
                a, b = end_point(road, contact), end_point(other, link.contact_point)
                assert math.dist(a, b) < 1e-6, (road.id, link)


def test_malformed_xml_raises_value_error_saying_what_is_wrong():
    with pytest.raises(ValueError, match="not well-formed"):
        parse_xodr("<OpenDRIVE><road></OpenDRIVE>")
    with pytest.raises(ValueError, match="root element"):
        parse_xodr("<Other/>")
    with pytest.raises(ValueError, match="missing attribute 'hdg'"):
        parse_xodr(
            '<OpenDRIVE><road id="1" length="10" junction="-1"><planView>'
            '<geometry s="0" x="0" y="0" length="10"><line/></geometry></planView>'
            '<lanes><laneSection s="0"/></lanes></road></OpenDRIVE>'
        )
    with pytest.raises(ValueError, match="unsupported geometry <clothoid>"):
        parse_xodr(
            '<OpenDRIVE><road id="1" length="10" junction="-1"><planView>'
            '<geometry s="0" x="0" y="0" hdg="0" length="10"><clothoid/></geometry></planView>'
            '<lanes><laneSection s="0"/></lanes></road></OpenDRIVE>'
        )


def test_spiral_with_constant_curvature_is_an_arc_and_param_poly3_can_be_a_line():
    ds = np.linspace(0.0, 30.0, 7)
    arc = np.array(Arc(0.0, 1.0, 2.0, 0.3, 30.0, curvature=0.05).evaluate(ds))
    spiral = np.array(Spiral(0.0, 1.0, 2.0, 0.3, 30.0, curv_start=0.05, curv_end=0.05).evaluate(ds))
    assert np.allclose(arc, spiral, atol=1e-9)
    line = np.array(Line(0.0, 1.0, 2.0, 0.3, 30.0).evaluate(ds))
    poly = np.array(ParamPoly3(0.0, 1.0, 2.0, 0.3, 30.0, bu=30.0, p_range="normalized").evaluate(ds))
    assert np.allclose(line, poly, atol=1e-9)


# -- spawn points, ground, names --------------------------------------------------------------


def test_spawn_points_lie_on_driving_lanes_facing_the_traffic_direction(town):
    assert len(town.spawn_points) >= 80
    odr = town.opendrive
    for x, y, z, pitch, yaw, roll in town.spawn_points:
        assert z == pytest.approx(0.3) and pitch == 0.0 and roll == 0.0
        best = None
        for road in odr.roads.values():
            if road.is_junction:
                continue
            s = np.linspace(0.0, road.length, int(road.length * 4) + 2)
            for lane_id in (-1, 1):
                cx, cy, _, heading = road.lane_center(lane_id, s)
                distance = np.hypot(cx - x, -cy - y)
                i = int(np.argmin(distance))
                if best is None or distance[i] < best[0]:
                    travel = heading[i] + (math.pi if lane_id > 0 else 0.0)
                    best = (distance[i], -math.degrees(travel))
        distance, lane_yaw = best
        assert distance < 0.15
        assert abs((yaw - lane_yaw + 180.0) % 360.0 - 180.0) < 1.0


def test_no_two_spawn_points_are_closer_than_5_m(town):
    xy = np.array([p[:2] for p in town.spawn_points])
    distance = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(distance, np.inf)
    assert distance.min() >= 5.0


def test_ground_z_is_zero_on_a_flat_town(town):
    x, y = np.meshgrid(np.linspace(-10, 410, 7), np.linspace(-10, 310, 5))
    z = town.ground_z(x, y)
    assert z.shape == x.shape and np.all(z == 0.0)


def test_town_names_and_geo_reference(town):
    assert "Town01" in available_maps()
    assert town.name == "Town01" and town.map_name == "Carla/Maps/Town01"
    assert town.geo_reference == (49.0, 8.0, 0.0)
    assert load_town("/Game/Carla/Maps/Town01") is town


def test_unknown_map_name_error_lists_the_available_maps():
    with pytest.raises(UnknownMapError) as error:
        load_town("Town99")
    assert isinstance(error.value, KeyError) and isinstance(error.value, ValueError)
    assert "Town99" in str(error.value) and "Town01" in str(error.value)


# -- the official client ----------------------------------------------------------------------

_OFFICIAL_SCRIPT = r"""
import json, math, sys
import carla

data = json.load(sys.stdin)
m = carla.Map("Town01", data["xodr"])
out = {}
topology = m.get_topology()
out["topology"] = len(topology)
waypoints = m.generate_waypoints(2.0)
out["lane_ids"] = sorted({w.lane_id for w in waypoints})
out["lane_types"] = sorted({str(w.lane_type) for w in waypoints})
out["samples"] = [
    [w.road_id, w.lane_id, w.s, w.transform.location.x, w.transform.location.y, w.transform.rotation.yaw]
    for w in waypoints[::7]
]
dead_ends, junctions = 0, set()
for start in waypoints[::5]:
    w = start
    for _ in range(120):
        following = w.next(5.0)
        if not following:
            dead_ends += 1
            break
        w = following[len(following) // 2]
        if w.is_junction:
            junctions.add(w.junction_id)
out["dead_ends"] = dead_ends
out["junctions_reached"] = len(junctions)
out["junctions"] = len({w.junction_id for w in waypoints if w.is_junction})
projected = 0
for x in range(-5, 406, 15):
    for y in range(-5, 306, 15):
        w = m.get_waypoint(carla.Location(x, y, 0.0))
        projected += w is not None and w.lane_type == carla.LaneType.Driving
out["projected"] = projected
sidewalk = m.get_waypoint(
    carla.Location(data["sidewalk"][0], data["sidewalk"][1], 0.0),
    project_to_road=False, lane_type=carla.LaneType.Sidewalk)
out["sidewalk"] = None if sidewalk is None else [str(sidewalk.lane_type), sidewalk.lane_id]
spawn = []
for x, y, z, pitch, yaw, roll in data["spawn_points"]:
    w = m.get_waypoint(carla.Location(x, y, z))
    loc = w.transform.location
    spawn.append([str(w.lane_type), w.is_junction, math.hypot(loc.x - x, loc.y - y),
                  abs((w.transform.rotation.yaw - yaw + 180.0) % 360.0 - 180.0)])
out["spawn"] = spawn
out["lights"] = len(m.get_all_landmarks_of_type("1000001"))
geo = m.transform_to_geolocation(carla.Location(0, 0, 0))
out["geo"] = [geo.latitude, geo.longitude]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def official(town):
    if not OFFICIAL_PYTHON.exists():
        pytest.skip("the official CARLA client is not installed")
    road = next(r for r in town.opendrive.roads.values() if not r.is_junction)
    x, y, _, _ = road.lane_center(-3, road.length / 2.0)
    payload = {"xodr": town.xodr, "spawn_points": list(town.spawn_points), "sidewalk": [float(x), -float(y)]}
    result = subprocess.run(
        [str(OFFICIAL_PYTHON), "-c", _OFFICIAL_SCRIPT],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_official_client_builds_topology_and_waypoints(official):
    assert official["topology"] > 100
    assert official["lane_ids"] == [-1, 1]
    assert official["lane_types"] == ["Driving"]
    assert official["geo"] == pytest.approx([49.0, 8.0])
    assert official["lights"] == 40


def test_official_client_waypoints_continue_through_every_junction(official):
    assert official["junctions"] == 12
    assert official["dead_ends"] == 0
    assert official["junctions_reached"] == 12


def test_official_client_projects_points_and_finds_sidewalks(official):
    assert official["projected"] == 28 * 21
    assert official["sidewalk"] == ["Sidewalk", -3]


def test_official_client_puts_spawn_points_on_driving_lanes_with_their_heading(official):
    for lane_type, in_junction, distance, yaw_error in official["spawn"]:
        assert lane_type == "Driving" and not in_junction
        assert distance < 0.1 and yaw_error < 1.0


def test_lane_centres_match_the_official_client(town, official):
    odr = town.opendrive
    for road_id, lane_id, s, x, y, yaw in official["samples"]:
        cx, cy, _, heading = odr.roads[road_id].lane_center(lane_id, s)
        assert math.hypot(float(cx) - x, -float(cy) - y) < 0.02
        travel = float(heading) + (math.pi if lane_id > 0 else 0.0)
        assert abs((-math.degrees(travel) - yaw + 180.0) % 360.0 - 180.0) < 0.5
