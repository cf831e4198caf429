"""The generated towns: valid OpenDRIVE, deterministic, each with its namesake's character, and
loadable by our server and readable by the official client."""

from __future__ import annotations

import json
import math
import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from carla_odr import parse_xodr
from engine.map import available_maps, load_town
from engine.map.towngen import TOWNS
from engine.map.towngen.junction import CROSSWALK_CLEARANCE, CROSSWALK_WIDTH
from serverproc import ServerProcess, run_client

REPO = Path(__file__).resolve().parents[1]
MAPS = REPO / "assets" / "maps"
ALL_TOWNS = sorted(TOWNS)
NEW_TOWNS = [name for name in ALL_TOWNS if name != "Town01"]
CHECKER_ENV = "ASAM_QC_OPENDRIVE"
# Checks that run on every OpenDRIVE version (the semantic ones start at 1.7): they must complete.
BASIC_CHECKS = (
    "check_asam_xodr_xml_valid_xml_document",
    "check_asam_xodr_xml_root_tag_is_opendrive",
    "check_asam_xodr_xml_fileheader_is_present",
    "check_asam_xodr_xml_version_is_defined",
    "check_asam_xodr_xml_valid_schema",
)


@pytest.fixture(scope="module", params=ALL_TOWNS)
def town(request):
    return load_town(request.param)


def _driving_sides(road) -> list[int]:
    """Driving lanes per side of a road's first lane section: [left, right]."""
    section = road.lane_sections[0]
    return [sum(1 for i in ids if section.lanes[i].type == "driving") for ids in (section.left_ids, section.right_ids)]


# -- generator, files, checker -------------------------------------------------------------------------------------


def test_every_generated_town_has_its_map_file():
    assert set(TOWNS) <= set(available_maps())
    assert {"Town01", "Town02", "Town03", "Town04", "Town05", "Town06", "Town07"} <= set(TOWNS)


@pytest.mark.parametrize("name", ALL_TOWNS)
def test_map_file_equals_what_the_generator_writes_now(name):
    text = TOWNS[name]()
    assert text == TOWNS[name]()
    assert (MAPS / f"{name}.xodr").read_text(encoding="utf-8") == text


@pytest.mark.parametrize("name", ALL_TOWNS)
def test_town_parses_with_roads_junctions_and_driving_lanes(name):
    odr = parse_xodr((MAPS / f"{name}.xodr").read_text(encoding="utf-8"))
    assert odr.header.name == name
    assert len(odr.junctions) >= 4
    assert 20 <= len(odr.roads) <= 400
    for road in odr.roads.values():
        assert sum(_driving_sides(road)) >= 1, f"road {road.id} has no driving lane"


@pytest.mark.parametrize("name", ALL_TOWNS)
def test_opendrive_checker_reports_no_errors(name, tmp_path):
    checker = os.environ.get(CHECKER_ENV)
    if not checker:
        pytest.skip(f"set {CHECKER_ENV} to the qc_opendrive program (run_tests.sh does)")
    result = tmp_path / "result.xqar"
    config = tmp_path / "config.xml"
    config.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Config>\n'
        f'  <Param name="InputFile" value="{MAPS / f"{name}.xodr"}" />\n'
        '  <CheckerBundle application="xodrBundle">\n'
        f'    <Param name="resultFile" value="{result}" />\n'
        "  </CheckerBundle>\n</Config>\n",
        encoding="utf-8",
    )
    done = subprocess.run([checker, "-c", str(config)], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    root = ET.parse(result).getroot()
    status = {checker.get("checkerId"): checker.get("status") for checker in root.iter("Checker")}
    for check in BASIC_CHECKS:
        assert status.get(check) == "completed", f"{check}: {status.get(check)}"
    errors = [
        f"{checker.get('checkerId')}: {issue.get('description')}"
        for checker in root.iter("Checker")
        for issue in checker.iter("Issue")
        if issue.get("level") == "1"
    ]
    assert errors == []


# -- spawn points, signals, links ----------------------------------------------------------------------------------


def test_spawn_points_lie_on_driving_lanes_facing_their_traffic(town):
    odr = town.opendrive
    xy, heading = [], []
    for road in odr.roads.values():
        if road.is_junction:
            continue
        s = np.linspace(0.0, road.length, max(2, int(road.length / 0.5) + 1))
        section = road.lane_sections[0]
        for lane_id in section.left_ids + section.right_ids:
            if section.lanes[lane_id].type != "driving":
                continue
            x, y, _, h = road.lane_center(lane_id, s)
            xy.append(np.stack([x, -y], axis=1))  # CARLA coordinates
            heading.append(-np.degrees(h + (math.pi if lane_id > 0 else 0.0)))
    xy, heading = np.concatenate(xy), np.concatenate(heading)
    assert len(town.spawn_points) >= 30
    for x, y, _, _, yaw, _ in town.spawn_points:
        distance = np.hypot(xy[:, 0] - x, xy[:, 1] - y)
        nearest = int(np.argmin(distance))
        assert distance[nearest] < 0.3, f"spawn point ({x:.1f}, {y:.1f}) is off the driving lanes"
        assert abs((yaw - heading[nearest] + 180.0) % 360.0 - 180.0) < 2.0


STOP_LINE_SETBACK = CROSSWALK_WIDTH + CROSSWALK_CLEARANCE


def test_junctions_where_traffic_merges_carry_signals(town):
    """Where traffic from two roads can reach the same road there are lights or signs, at the road's end
    or at the stop line before its crosswalk."""
    odr = town.opendrive
    for junction in odr.junctions.values():
        sources: dict[int, set[int]] = {}
        for connection in junction.connections:
            connecting = odr.roads[connection.connecting_road]
            sources.setdefault(connecting.successor.element_id, set()).add(connection.incoming_road)
        if max(len(roads) for roads in sources.values()) < 2:
            continue  # a highway exit: traffic only splits
        incoming = {connection.incoming_road for connection in junction.connections}
        signals = [
            signal
            for road_id in incoming
            for signal in odr.roads[road_id].signals
            if min(signal.s, odr.roads[road_id].length - signal.s) <= STOP_LINE_SETBACK + 1e-9
        ]
        assert signals, f"junction {junction.id} has neither lights nor signs"


def test_junction_ends_with_sidewalks_on_both_sides_carry_a_crosswalk_before_the_stop_line(town):
    """A crosswalk spans the road from sidewalk to sidewalk at the junction end; lights stop traffic before it."""
    odr = town.opendrive
    crosswalks = 0
    for road in odr.roads.values():
        for item in road.objects:
            if item.type != "crosswalk":
                continue
            crosswalks += 1
            at_end = min(item.s, road.length - item.s) == CROSSWALK_WIDTH / 2
            assert at_end, f"road {road.id}: crosswalk at s={item.s} is not at a junction end"
            section = road.lane_sections[0]
            sidewalks = [i for i, lane in section.lanes.items() if lane.type == "sidewalk"]
            assert min(sidewalks) < 0 < max(sidewalks), f"road {road.id}: a crosswalk needs sidewalks on both sides"
            inner_right, _ = section.lane_borders(max(i for i in sidewalks if i < 0), item.s)
            inner_left, _ = section.lane_borders(min(i for i in sidewalks if i > 0), item.s)
            v = [corner[1] for corner in item.corners_local]
            assert (min(v), max(v)) == pytest.approx((float(inner_right), float(inner_left))), \
                f"road {road.id}: the crosswalk does not reach both sidewalks"
            for signal in road.signals:
                if abs(signal.s - item.s) < CROSSWALK_WIDTH + CROSSWALK_CLEARANCE:
                    assert abs(signal.s - item.s) == pytest.approx(CROSSWALK_WIDTH / 2 + CROSSWALK_CLEARANCE)
    if town.map_name.rsplit("/", 1)[-1] in ("Town01", "Town02", "Town03", "Town04", "Town05"):
        assert crosswalks >= 20
    else:
        assert crosswalks == 0      # highways and rural roads have no sidewalks to join


def test_connecting_roads_link_lanes_both_ways(town):
    """Every driving lane in a junction has a predecessor and a successor lane that exist."""
    odr = town.opendrive
    for road in odr.roads.values():
        if not road.is_junction:
            continue
        for lane_id, lane in road.lane_sections[0].lanes.items():
            if lane_id == 0 or lane.type != "driving":
                continue
            for link, lane_links in ((road.predecessor, lane.predecessors), (road.successor, lane.successors)):
                assert len(lane_links) == 1, f"road {road.id} lane {lane_id} is not linked"
                target = odr.roads[link.element_id]
                section = target.lane_sections[0 if link.contact_point == "start" else -1]
                assert section.lanes[lane_links[0]].type == "driving"


def test_linked_roads_meet_at_the_same_height(town):
    odr = town.opendrive
    for road in odr.roads.values():
        for link, s in ((road.predecessor, 0.0), (road.successor, road.length)):
            if link is None or link.element_type != "road":
                continue
            other = odr.roads[link.element_id]
            other_s = 0.0 if link.contact_point == "start" else other.length
            z = float(road.elevation(np.array([s]))[0])
            other_z = float(other.elevation(np.array([other_s]))[0])
            assert z == pytest.approx(other_z, abs=0.01), f"road {road.id} and road {other.id} meet at a step"


# -- each town's character -----------------------------------------------------------------------------------------


def _arms(odr, junction) -> int:
    return len({connection.incoming_road for connection in junction.connections})


def test_town02_is_small_with_two_lane_roads_and_t_junctions():
    odr, town01 = load_town("Town02").opendrive, load_town("Town01").opendrive
    area = lambda o: (o.header.north - o.header.south) * (o.header.east - o.header.west)  # noqa: E731
    assert area(odr) < area(town01) / 2.0
    assert all(_driving_sides(road) == [1, 1] for road in odr.roads.values() if not road.is_junction)
    arms = [_arms(odr, junction) for junction in odr.junctions.values()]
    assert arms.count(3) == len(arms)


def _roundabout_ring(odr) -> list[int]:
    """Non-junction one-way arc roads that chain through junctions back to the first: a closed ring."""
    arcs = {
        road.id: road
        for road in odr.roads.values()
        if not road.is_junction
        and _driving_sides(road)[0] == 0
        and all(g.kind == "arc" for g in road.plan_view.geometries)
    }
    for first in arcs:
        ring, current, turned = [first], arcs[first], 0.0
        while True:
            turned += sum(g.curvature * g.length for g in current.plan_view.geometries)
            junction = odr.junctions[current.successor.element_id]
            following = None
            for connection in junction.connections:
                connecting = odr.roads[connection.connecting_road]
                if connection.incoming_road == current.id and connecting.successor.element_id in arcs:
                    following = connecting
            if following is None:
                break
            turned += sum(g.curvature * g.length for g in following.plan_view.geometries)
            current = arcs[following.successor.element_id]
            if current.id == first:
                return ring if math.isclose(turned, 2.0 * math.pi, abs_tol=1e-3) else []
            ring.append(current.id)
    return []


def test_town03_has_avenues_spirals_and_a_roundabout():
    odr = load_town("Town03").opendrive
    assert max(min(_driving_sides(road)) for road in odr.roads.values()) >= 2
    spirals = [g for road in odr.roads.values() for g in road.plan_view.geometries if g.kind == "spiral"]
    assert len(spirals) >= 8
    # Spirals ease curves in and out: one end straight, the other as curved as the arc it meets.
    for g in spirals:
        assert min(abs(g.curv_start), abs(g.curv_end)) == 0.0 < max(abs(g.curv_start), abs(g.curv_end))
    assert len(_roundabout_ring(odr)) >= 3


def test_town04_is_a_highway_loop_with_ramps_around_a_town():
    odr = load_town("Town04").opendrive
    motorways = [road for road in odr.roads.values() if not road.is_junction and road.speed_max >= 80.0 / 3.6]
    assert min(min(_driving_sides(road)) for road in motorways) >= 2
    motorway_ids = {road.id for road in motorways}
    ramps = {road.id for road in odr.roads.values() if not road.is_junction and _driving_sides(road) == [0, 1]}
    exits = entries = 0
    for junction in odr.junctions.values():
        for connection in junction.connections:
            to = odr.roads[connection.connecting_road].successor.element_id
            exits += connection.incoming_road in motorway_ids and to in ramps
            entries += connection.incoming_road in ramps and to in motorway_ids
    assert exits >= 2 and entries >= 2
    lights = [s for road in odr.roads.values() for s in road.signals if s.type == "1000001"]
    assert len(lights) >= 8


def test_town05_is_a_grid_of_multi_lane_streets():
    odr = load_town("Town05").opendrive
    assert all(_driving_sides(road) == [2, 2] for road in odr.roads.values() if not road.is_junction)
    arms = [_arms(odr, junction) for junction in odr.junctions.values()]
    assert arms.count(4) >= 6


def test_town06_has_long_straight_multi_lane_highways():
    odr = load_town("Town06").opendrive
    long_straights = [
        road
        for road in odr.roads.values()
        if road.length >= 400.0 and all(g.kind == "line" for g in road.plan_view.geometries)
    ]
    assert len(long_straights) >= 4
    assert all(_driving_sides(road) == [3, 3] for road in long_straights)


def test_town07_is_hilly_and_narrow_with_stop_signs():
    town = load_town("Town07")
    odr = town.opendrive
    assert not town.flat
    heights = [float(road.elevation(np.array([s]))[0]) for road in odr.roads.values() for s in (0.0, road.length)]
    assert max(heights) - min(heights) > 5.0
    for road in odr.roads.values():
        s = np.linspace(0.0, road.length, 50)
        assert np.max(np.abs(road.elevation.derivative(s))) < 0.12, f"road {road.id} is too steep"
        if not road.is_junction:
            section = road.lane_sections[0]
            assert section.lanes[-1].width(0.0) <= 3.0
            assert "sidewalk" not in {lane.type for lane in section.lanes.values()}
    stops = [s for road in odr.roads.values() for s in road.signals if s.type == "206"]
    assert len(stops) >= 10
    x, y = town.spawn_points[0][:2]
    assert abs(float(town.ground_z(np.array([x]), np.array([y]))[0])) > 0.0


# -- server and official client ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_server():
    with ServerProcess("-nullrhi") as proc:
        yield proc


@pytest.mark.parametrize("name", ALL_TOWNS)
def test_server_loads_town_and_each_client_reads_its_map(name, client_kind, shared_server):
    """The official client is the reference: its waypoints, topology and next() must work on every town."""
    result = json.loads(run_client(client_kind, "town_map.py", shared_server.port, "--town", name))
    assert shared_server.alive()
    assert result["map_name"] == f"Carla/Maps/{name}"
    assert result["waypoints"] > 500 and result["topology"] > 20
    assert result["spawn_points"] == len(load_town(name).spawn_points)
    assert result["max_spawn_offset"] < 0.5
    assert result["dead_ends"] == 0 and result["junction_roads_driven"] >= 5
    assert result["lane_types"] == ["Driving"]
    if name == "Town07":
        assert result["max_waypoint_z"] > 5.0
