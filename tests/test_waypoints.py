"""Map and Waypoint road queries of our client, on the project's Town01 (no server needed)."""

import math
import os
import random
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'PythonAPI'))

import carla  # noqa: E402
from carla_odr.unordered import unordered_map_order  # noqa: E402

TOWN01 = os.path.join(ROOT, 'assets', 'maps', 'Town01.xodr')


@pytest.fixture(scope='module')
def town():
    with open(TOWN01) as f:
        return carla.Map('Town01', f.read())


def test_get_waypoint_lands_on_a_driving_lane_centre_near_the_query(town):
    for w in town.generate_waypoints(10.0)[::7]:
        loc = w.transform.location
        probe = carla.Location(loc.x + 0.3, loc.y - 0.2, loc.z)
        found = town.get_waypoint(probe)
        assert found.lane_type == carla.LaneType.Driving
        assert found.transform.location.distance(probe) < 0.5


def test_get_waypoint_without_projection_is_none_off_the_road(town):
    assert town.get_waypoint(carla.Location(-5000.0, -5000.0, 0.0), project_to_road=False) is None
    assert town.get_waypoint(carla.Location(-5000.0, -5000.0, 0.0)) is not None


def test_get_waypoint_xodr_round_trips_road_lane_and_s(town):
    w = town.generate_waypoints(5.0)[3]
    again = town.get_waypoint_xodr(w.road_id, w.lane_id, w.s)
    assert (again.road_id, again.section_id, again.lane_id) == (w.road_id, w.section_id, w.lane_id)
    assert again.transform.location.distance(w.transform.location) < 1e-3
    assert town.get_waypoint_xodr(w.road_id, w.lane_id, 1e6) is None
    assert town.get_waypoint_xodr(999999, -1, 0.0) is None


def test_next_moves_the_given_distance_along_the_lane(town):
    w = town.get_waypoint_xodr(*_long_lane(town))
    ahead = w.next(2.0)
    assert len(ahead) == 1
    # The chord of 2 m of lane: at most 2 m, shorter on curves.
    assert 1.5 < ahead[0].transform.location.distance(w.transform.location) <= 2.0 + 1e-3
    back = ahead[0].previous(2.0)[0]
    assert back.transform.location.distance(w.transform.location) < 1e-3


def test_next_follows_successor_lanes_past_the_road_end(town):
    w = town.generate_waypoints(2.0)[0]
    chain = [w]
    for _ in range(60):
        chain = chain + [chain[-1].next(5.0)[0]]
    assert len({c.road_id for c in chain}) > 1
    for a, b in zip(chain, chain[1:]):
        assert a.transform.location.distance(b.transform.location) < 5.5


def test_distance_must_be_positive(town):
    w = town.generate_waypoints(5.0)[0]
    with pytest.raises(RuntimeError):
        w.next(0.0)
    with pytest.raises(RuntimeError):
        town.generate_waypoints(-1.0)


def test_topology_pairs_are_linked_lanes(town):
    topology = town.get_topology()
    assert topology
    for start, end in topology:
        assert start.lane_type == carla.LaneType.Driving
        before = {(w.road_id, w.section_id, w.lane_id) for w in end.previous(0.01)}
        assert (start.road_id, start.section_id, start.lane_id) in before


def test_left_and_right_lanes_are_neighbours(town):
    w = town.get_waypoint_xodr(*_long_lane(town))
    left = w.get_left_lane()
    assert left is not None and left.lane_id == -w.lane_id
    assert abs(left.transform.location.distance(w.transform.location) - w.lane_width) < 0.2
    right = w.get_right_lane()
    assert right is None or abs(right.lane_id) == abs(w.lane_id) + 1


def test_lane_markings_and_lane_change_come_from_the_road_marks(town):
    w = town.get_waypoint_xodr(*_long_lane(town))
    assert isinstance(w.right_lane_marking.type, carla.LaneMarkingType)
    assert isinstance(w.left_lane_marking.color, carla.LaneMarkingColor)
    assert isinstance(w.lane_change, carla.LaneChange)


def test_junction_waypoints_pair_lane_entries_and_exits(town):
    inside = [w for w in town.generate_waypoints(2.0) if w.is_junction]
    assert inside
    junction = inside[0].get_junction()
    assert junction.id == inside[0].junction_id
    pairs = junction.get_waypoints(carla.LaneType.Driving)
    assert pairs and all(a.road_id == b.road_id for a, b in pairs)
    box = junction.bounding_box
    for a, _ in pairs:
        loc = a.transform.location
        assert abs(loc.x - box.location.x) <= box.extent.x + 1e-3
        assert abs(loc.y - box.location.y) <= box.extent.y + 1e-3


def test_waypoint_id_is_stable_for_the_same_place(town):
    w = town.generate_waypoints(5.0)[10]
    again = town.get_waypoint_xodr(w.road_id, w.lane_id, w.s)
    assert again.id == town.get_waypoint_xodr(w.road_id, w.lane_id, w.s).id
    assert str(w).startswith('Waypoint(Transform(Location(')


def test_geolocation_moves_north_with_positive_y(town):
    # CARLA 0.9.16's inverse transverse Mercator (what its client answers): +y is north.
    origin = town.transform_to_geolocation(carla.Location(0.0, 0.0, 0.0))
    north = town.transform_to_geolocation(carla.Location(0.0, 100.0, 2.0))
    assert north.latitude > origin.latitude
    assert north.altitude == pytest.approx(origin.altitude + 2.0)


def test_unordered_map_order_matches_libstdcxx_for_small_maps():
    # 13 buckets after the first insertion: keys fall in bucket order of first use, newest first.
    assert unordered_map_order([1, 2, 3]) == [3, 2, 1]
    assert unordered_map_order([1, 14]) == [14, 1]


def test_many_get_waypoint_calls_agree_with_brute_force(town):
    rng = random.Random(3)
    engine = town._engine()
    segments = engine.index.segments
    for _ in range(200):
        x, y = rng.uniform(-50, 450), rng.uniform(-50, 350)
        w = town.get_waypoint(carla.Location(x, y, 0.0), lane_type=carla.LaneType.Any)
        best = min(_segment_distance((x, y, 0.0), a, b) for a, b in zip(segments.a, segments.b))
        loc = w.transform.location
        assert math.hypot(loc.x - x, loc.y - y) <= best + 0.5


def _segment_distance(p, a, b):
    v = [b[i] - a[i] for i in range(3)]
    w = [p[i] - a[i] for i in range(3)]
    vv = sum(c * c for c in v)
    t = 0.0 if vv == 0 else min(max(sum(w[i] * v[i] for i in range(3)) / vv, 0.0), 1.0)
    return math.sqrt(sum((w[i] - t * v[i]) ** 2 for i in range(3)))


def _long_lane(town):
    for w in town.generate_waypoints(2.0):
        if not w.is_junction and w.lane_id == -1 and w.get_left_lane() is not None and w.s > 5.0:
            return w.road_id, w.lane_id, w.s
    raise AssertionError('no two-way road in the map')



def _small_road_map(marks_left, marks_centre, marks_right):
    """One straight two-way road of 50 m, two lanes a side, with the given roadMark attributes."""
    def lane(lane_id, mark):
        return ('<lane id="%d" type="driving" level="false"><width sOffset="0" a="3.5" b="0" c="0" d="0"/>'
                '<roadMark sOffset="0" %s/></lane>' % (lane_id, mark))
    xodr = (
        '<?xml version="1.0"?><OpenDRIVE><header revMajor="1" revMinor="4"/>'
        '<road name="r" length="50" id="1" junction="-1">'
        '<planView><geometry s="0" x="0" y="0" hdg="0" length="50"><line/></geometry></planView>'
        '<lanes><laneSection s="0"><left>%s%s</left><center>%s</center><right>%s%s</right></laneSection>'
        '</lanes></road></OpenDRIVE>'
        % (lane(2, marks_left[1]), lane(1, marks_left[0]),
           '<lane id="0" type="none" level="false"><roadMark sOffset="0" %s/></lane>' % marks_centre,
           lane(-1, marks_right[0]), lane(-2, marks_right[1])))
    return carla.Map('Small', xodr)


def test_lane_change_keeps_the_inner_marks_direction_on_left_lanes():
    # The official client: own mark "both", inner (lane 1) mark "increase" gives Right only.
    m = _small_road_map(('type="solid broken" laneChange="increase"', 'type="broken" laneChange="both"'),
                        'type="broken solid" laneChange="decrease"',
                        ('type="broken" laneChange="both"', 'type="solid" laneChange="none"'))
    assert m.get_waypoint_xodr(1, 2, 25.0).lane_change == carla.LaneChange.Right
    assert m.get_waypoint_xodr(1, 1, 25.0).lane_change == carla.LaneChange.Left
    assert m.get_waypoint_xodr(1, -1, 25.0).lane_change == carla.LaneChange.Both
    assert m.get_waypoint_xodr(1, -2, 25.0).lane_change == carla.LaneChange.Left


def test_a_mark_without_colour_reports_other():
    m = _small_road_map(('type="curb"', 'type="curb"'), 'type="solid" color="yellow"',
                        ('type="curb"', 'type="curb" color="white"'))
    assert m.get_waypoint_xodr(1, -1, 10.0).right_lane_marking.color == carla.LaneMarkingColor.Other
    assert m.get_waypoint_xodr(1, -2, 10.0).right_lane_marking.color == carla.LaneMarkingColor.White


def test_topology_pairs_a_dead_end_lane_with_its_own_end():
    m = _small_road_map(('type="none"', 'type="none"'), 'type="none"', ('type="none"', 'type="none"'))
    pairs = sorted(((a.road_id, a.lane_id, a.s), (b.road_id, b.lane_id, b.s)) for a, b in m.get_topology())
    # Left lanes end near s=0; the right lanes' end, rounded to float32, is the road length itself,
    # where CARLA's GetWaypoint finds nothing, so those lanes have no pair at all.
    assert [(a[:2], b[:2]) for a, b in pairs] == [((1, 1), (1, 1)), ((1, 2), (1, 2))]
    for start, end in pairs:
        assert start[2] == pytest.approx(50.0) and end[2] == pytest.approx(0.0, abs=1e-9)
