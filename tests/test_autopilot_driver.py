"""The server's autopilot (engine.traffic.driver) in-process, without a server.

A fleet on our Town03 with its traffic lights, driven for a long synchronous run: every vehicle stays on a
driving lane, no two overlap, none crosses a stop line on red, all keep moving, and the same seed gives the
same run. Then the Traffic Manager parameters one at a time, on small scenes.
"""
import math

import numpy as np
import pytest

from carla_odr.network import DRIVING, RoadNetwork, lane_pose
from carla_odr.spatial import LaneSegments, SegmentIndex, closest_waypoint
from carla_odr.waypoints import lane_of, waypoint_at
from engine.map.town import load_town
from engine.traffic import light_calls
from engine.traffic.driver import STOP_SIGN_SPEED, AutopilotDriver
from engine.traffic.lane_graph import lane_graph
from engine.traffic.lights import RED
from engine.world import blueprints
from engine.world.actors import boxes_overlap_2d
from engine.world.world import World

DT = 0.05
SEED = 7
FLEET = 100
LONG_RUN_TICKS = 3000
SNAPSHOT_EVERY = 10
REPLAY_TICKS = 400
CAR = "vehicle.tesla.model3"


# -- scene helpers ---------------------------------------------------------------------------------------------
def make_world(town_name="Town03", lights=True):
    world = World(load_town(town_name), episode_id=1)
    if lights:
        light_calls.attach(None, world)
    return world


def four_wheelers():
    return sorted(bp.id for bp in blueprints.blueprint_library()
                  if bp.kind == "vehicle" and bp.defaults().get("number_of_wheels") == "4")


def spawn(world, type_id, x, y, yaw_deg):
    return world.spawn([0, type_id, []], ((x, y, 0.0), (0.0, yaw_deg, 0.0)))


def spawn_fleet(world, count, seed):
    """``count`` vehicles of every four-wheeled kind on spawn points, all on one autopilot."""
    rng = np.random.default_rng(seed)
    kinds = four_wheelers()
    points = world.town.spawn_points
    driver = AutopilotDriver(world.town, seed)
    actors = []
    for index in rng.permutation(len(points))[:count]:
        p = points[index]
        actor = world.spawn([0, kinds[int(rng.integers(len(kinds)))], []], ((p[0], p[1], p[2]), (p[3], p[4], p[5])))
        driver.register(actor.slot, actor.id)
        actors.append(actor)
    driver.attach(world)
    return driver, actors


def drive(world, ticks, every=None):
    for tick in range(1, ticks + 1):
        world.step(DT)
        if every is not None:
            every(tick)


def sample_pose(graph, point):
    return float(graph.x[point]), float(graph.y[point]), math.degrees(graph.yaw[point])


def front_point(world, actor):
    loc, rot = world.vehicles.loc[actor.slot], world.vehicles.rot[actor.slot]
    yaw = math.radians(rot[1])
    return loc[0] + actor.extent[0] * math.cos(yaw), loc[1] + actor.extent[0] * math.sin(yaw)


class StopLines:
    """The lane stop lines of stop records (road, lane, s, key) in world coordinates, from carla_odr."""

    def __init__(self, network, stops):
        centre, heading, half_width, keys = [], [], [], []
        for road_id, lane_id, s, key in stops:
            waypoint = waypoint_at(network, road_id, lane_id, s)
            lane = lane_of(network, waypoint)
            x, y, _z, _pitch, yaw = lane_pose(lane, s)
            centre.append((x, y))
            heading.append(math.radians(yaw))
            half_width.append(lane.width(s) / 2.0)
            keys.append(key)
        self.centre = np.array(centre).reshape(-1, 2)
        self.direction = np.stack([np.cos(heading), np.sin(heading)], axis=1).reshape(-1, 2)
        self.half_width = np.array(half_width)
        self.keys = keys

    def along(self, points):
        """(points x lines) distance past each line along its lane, and across it."""
        d = points[:, None, :] - self.centre[None, :, :]
        lon = (d * self.direction[None]).sum(axis=2)
        lat = d[..., 1] * self.direction[None, :, 0] - d[..., 0] * self.direction[None, :, 1]
        return lon, lat


def lane_excess(network, index, x, y):
    """How far a point lies outside the nearest driving lane (<= 0 inside it)."""
    waypoint = closest_waypoint(network, index, x, y, 0.0, DRIVING)
    lane = lane_of(network, waypoint)
    cx, cy, *_ = lane_pose(lane, waypoint[3])
    return math.hypot(x - cx, y - cy) - lane.width(waypoint[3]) / 2.0


def corners(world, actor):
    loc, yaw = world.vehicles.loc[actor.slot], math.radians(world.vehicles.rot[actor.slot, 1])
    ex, ey = actor.extent[:2]
    c, s = math.cos(yaw), math.sin(yaw)
    return [(loc[0] + a * ex * c - b * ey * s, loc[1] + a * ex * s + b * ey * c) for a in (1, -1) for b in (1, -1)]


def overlapping_pairs(world, actors):
    V = world.vehicles
    centres = np.array([V.loc[a.slot] for a in actors])
    halves = np.array([a.extent[:2] for a in actors])
    yaws = np.array([V.rot[a.slot, 1] for a in actors])
    pairs = []
    for i, actor in enumerate(actors[:-1]):
        hit = boxes_overlap_2d(centres[i], halves[i], yaws[i], centres[i + 1:], halves[i + 1:], yaws[i + 1:])
        pairs.extend((actor.id, actors[i + 1 + j].id) for j in np.flatnonzero(hit))
    return pairs


# -- the long run ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def long_run():
    world = make_world()
    driver, actors = spawn_fleet(world, FLEET, SEED)
    network = RoadNetwork(world.town.opendrive)
    index = SegmentIndex(LaneSegments(network))
    lines = StopLines(network, world.traffic_lights.stops)
    light_of_line = np.array(lines.keys, dtype=np.int64)
    slots = np.array([a.slot for a in actors])
    result = {"overlaps": [], "centre_excess": 0.0, "corner_excess": 0.0, "red_crossings": [],
              "distance": np.zeros(len(actors)), "standstill": np.zeros(len(actors)), "lines": lines}
    still = np.zeros(len(actors))
    state = {"xy": world.vehicles.loc[slots, :2].copy(),
             "front": np.array([front_point(world, a) for a in actors])}

    def check(tick):
        V = world.vehicles
        xy = V.loc[slots, :2].copy()
        result["distance"] += np.hypot(*(xy - state["xy"]).T)
        state["xy"] = xy
        moving = V.speed[slots] > 0.1
        still[:] = np.where(moving, 0.0, still + DT)
        np.maximum(result["standstill"], still, out=result["standstill"])
        # A front bumper that passed a stop line during this tick while its light showed red.
        front = np.array([front_point(world, a) for a in actors])
        before, _ = lines.along(state["front"])
        after, across = lines.along(front)
        red = world.traffic_lights.state[light_of_line] == RED
        crossed = (before < 0.0) & (after >= 0.0) & (np.abs(across) < lines.half_width[None, :]) & red[None, :]
        for k, line in zip(*np.nonzero(crossed)):
            result["red_crossings"].append((tick, actors[k].id, lines.keys[line]))
        state["front"] = front
        if tick == REPLAY_TICKS:
            result["replay"] = snapshot(world, slots)
        if tick % SNAPSHOT_EVERY:
            return
        result["overlaps"].extend((tick,) + pair for pair in overlapping_pairs(world, actors))
        for actor in actors:
            x, y = V.loc[actor.slot, :2]
            result["centre_excess"] = max(result["centre_excess"], lane_excess(network, index, x, y))
            for cx, cy in corners(world, actor):
                result["corner_excess"] = max(result["corner_excess"], lane_excess(network, index, cx, cy))

    drive(world, LONG_RUN_TICKS, check)
    return result


def snapshot(world, slots):
    V = world.vehicles
    return {name: getattr(V, name)[slots].copy() for name in ("loc", "rot", "speed", "throttle", "steer", "brake")}


def test_the_long_run_has_traffic_lights_to_obey(long_run):
    assert len(long_run["lines"].keys) > 10


def test_no_two_vehicles_ever_overlap(long_run):
    assert long_run["overlaps"] == []


def test_every_vehicle_stays_on_a_driving_lane(long_run):
    assert long_run["centre_excess"] <= 0.05        # the centre inside a driving lane
    assert long_run["corner_excess"] <= 1.0         # long vehicles may overhang a little in tight turns


def test_no_vehicle_crosses_a_stop_line_on_red(long_run):
    assert long_run["red_crossings"] == []


def test_every_vehicle_keeps_moving(long_run):
    # Red phases of a four-way group last 45 s; nobody waits much longer than a light cycle or two.
    assert long_run["standstill"].max() < 120.0
    assert long_run["distance"].min() > 60.0
    assert np.median(long_run["distance"]) > 250.0


def test_the_same_seed_gives_the_same_run(long_run):
    world = make_world()
    _, actors = spawn_fleet(world, FLEET, SEED)
    drive(world, REPLAY_TICKS)
    again = snapshot(world, np.array([a.slot for a in actors]))
    for name, values in long_run["replay"].items():
        assert np.array_equal(values, again[name]), name


def test_another_seed_chooses_other_routes():
    runs = []
    for seed in (1, 2):
        world = make_world()
        driver, actors = spawn_fleet(world, 30, SEED)
        driver.params.seed = seed
        drive(world, 300)
        runs.append(world.vehicles.loc[[a.slot for a in actors], :2].copy())
    assert not np.array_equal(runs[0], runs[1])


# -- parameters, one at a time -------------------------------------------------------------------------------------
def lane_start(graph, predicate, ahead=40.0):
    """A sample 2 m into a lane outside junctions with ``ahead`` metres of that lane left, passing ``predicate``."""
    for lane in range(graph.n_lanes):
        if graph.lane_junction[lane] >= 0 or graph.lane_length[lane] < ahead + 4.0 or not predicate(lane):
            continue
        return int(graph.lane_first[lane] + 2)
    raise AssertionError("no lane fits")


def lone_vehicle(world, point, graph, type_id=CAR, seed=0):
    driver = AutopilotDriver(world.town, seed)
    actor = spawn(world, type_id, *sample_pose(graph, point))
    driver.register(actor.slot, actor.id)
    driver.attach(world)
    return driver, actor


def off_lane_centre(world, actor, graph, lane):
    """How far the vehicle's centre lies beside the centre line of ``lane``, positive to the right."""
    x, y = world.vehicles.loc[actor.slot, :2]
    samples = np.arange(graph.lane_first[lane], graph.lane_last[lane] + 1)
    nearest = samples[np.argmin(np.hypot(graph.x[samples] - x, graph.y[samples] - y))]
    return (y - graph.y[nearest]) * graph.cos[nearest] - (x - graph.x[nearest]) * graph.sin[nearest]


def test_vehicles_drive_the_speed_limit_less_thirty_percent_by_default():
    world = make_world(lights=False)
    graph = lane_graph(world.town)
    point = lane_start(graph, lambda l: graph.lane_speed[l] > 10.0, ahead=90.0)
    driver, actor = lone_vehicle(world, point, graph)
    speeds = []
    drive(world, 300, lambda t: speeds.append(world.vehicles.speed[actor.slot]))
    target = 0.7 * graph.lane_speed[graph.lane[point]]
    assert max(speeds) <= target + 0.2
    assert max(speeds) >= target - 0.5


def test_a_desired_speed_replaces_the_speed_limit_rule():
    world = make_world(lights=False)
    graph = lane_graph(world.town)
    point = lane_start(graph, lambda l: graph.lane_speed[l] > 10.0, ahead=90.0)
    driver, actor = lone_vehicle(world, point, graph)
    driver.params.desired_speed[actor.slot] = 4.0
    speeds = []
    drive(world, 300, lambda t: speeds.append(world.vehicles.speed[actor.slot]))
    assert 3.7 <= max(speeds) <= 4.2


def test_a_follower_keeps_its_distance_to_a_stopped_leader():
    world = make_world(lights=False)
    graph = lane_graph(world.town)
    point = lane_start(graph, lambda l: True, ahead=60.0)
    leader = spawn(world, CAR, *sample_pose(graph, point + 20))
    world.vehicles.set_control(leader.slot, brake=1.0, hand_brake=True)
    driver, follower = lone_vehicle(world, point, graph)
    driver.params.distance_to_leader[follower.slot] = 6.0
    driver.params.auto_lane_change[follower.slot] = False
    drive(world, 400)
    gap = (np.hypot(*(world.vehicles.loc[leader.slot, :2] - world.vehicles.loc[follower.slot, :2]))
           - leader.extent[0] - follower.extent[0])
    assert world.vehicles.speed[follower.slot] < 0.05
    assert 5.5 <= gap <= 8.0


def test_a_walker_in_the_lane_stops_the_vehicle_until_it_has_gone():
    world = make_world(lights=False)
    graph = lane_graph(world.town)
    point = lane_start(graph, lambda l: True, ahead=60.0)
    driver, car = lone_vehicle(world, point, graph)
    wx, wy, _ = sample_pose(graph, point + 20)
    walker = world.spawn([0, "walker.pedestrian.0001", []], ((wx, wy, 0.0), (0.0, 0.0, 0.0)))
    gaps = []

    def watch(tick):
        gaps.append(np.hypot(*(world.vehicles.loc[car.slot, :2] - world.walkers.loc[walker.slot, :2])))

    drive(world, 300, watch)
    assert world.vehicles.speed[car.slot] < 0.05
    assert min(gaps) > car.extent[0] + 0.5
    world.destroy(walker.id)
    start = world.vehicles.loc[car.slot, :2].copy()
    drive(world, 200)
    assert np.hypot(*(world.vehicles.loc[car.slot, :2] - start)) > 10.0


def test_force_lane_change_moves_the_vehicle_to_the_next_lane_and_is_cleared():
    world = make_world(lights=False)
    graph = lane_graph(world.town)
    point = lane_start(graph, lambda l: graph.lane_left[l] >= 0 and graph.can_left[graph.lane_first[l] + 2],
                       ahead=70.0)
    driver, actor = lone_vehicle(world, point, graph)
    target = graph.lane_left[graph.lane[point]]
    driver.params.force_lane_change[actor.slot] = -1
    drive(world, 120)
    assert driver.params.force_lane_change[actor.slot] == 0
    assert abs(off_lane_centre(world, actor, graph, target)) < 0.3


def test_keep_right_moves_the_vehicle_to_the_right_lane():
    world = make_world(lights=False)
    graph = lane_graph(world.town)
    point = lane_start(graph, lambda l: graph.lane_right[l] >= 0 and graph.can_right[graph.lane_first[l] + 2],
                       ahead=70.0)
    driver, actor = lone_vehicle(world, point, graph)
    driver.params.keep_right_pct[actor.slot] = 100.0
    target = graph.lane_right[graph.lane[point]]
    drive(world, 150)
    assert abs(off_lane_centre(world, actor, graph, target)) < 0.3


def test_a_route_option_picks_the_turn_at_the_next_junction():
    world = make_world(lights=False)
    graph = lane_graph(world.town)

    def turns_both_ways(lane):
        turns = {int(graph.lane_turn[n]) for n in graph.successors[lane]}
        return {-1, 1} <= turns and graph.lane_length[lane] < 60.0

    point = lane_start(graph, turns_both_ways, ahead=30.0)
    for option, turn in (("Left", -1), ("Right", 1)):
        world = make_world(lights=False)
        driver, actor = lone_vehicle(world, point, graph)
        driver.params.route[actor.slot] = [option]
        ends = {lane: (graph.x[graph.lane_last[lane]], graph.y[graph.lane_last[lane]])
                for lane in graph.successors[graph.lane[point]]}
        entered = []

        def watch(tick):
            x, y = world.vehicles.loc[actor.slot, :2]
            reached = [lane for lane, (ex, ey) in ends.items() if math.hypot(x - ex, y - ey) < 1.0]
            if reached and not entered:
                entered.append(reached[0])

        drive(world, 400, watch)
        assert entered and graph.lane_turn[entered[0]] == turn
        assert driver.params.route[actor.slot] == []


def test_a_custom_path_is_followed_through_the_junction():
    world = make_world(lights=False)
    graph = lane_graph(world.town)
    point = lane_start(graph, lambda l: len(graph.successors[l]) > 1, ahead=30.0)
    lane = graph.lane[point]
    # Aim for the far end of the last successor's exit lane.
    branch = graph.successors[lane][-1]
    goal_lane = graph.successors[branch][0]
    goal = (float(graph.x[graph.lane_last[goal_lane]]), float(graph.y[graph.lane_last[goal_lane]]), 0.0)
    driver, actor = lone_vehicle(world, point, graph)
    driver.params.path[actor.slot] = [goal]
    closest = []
    drive(world, 600, lambda t: closest.append(np.hypot(*(world.vehicles.loc[actor.slot, :2] - goal[:2]))))
    assert min(closest) < 4.0
    assert driver.params.path[actor.slot] == []


def make_world_all_red():
    """Town03 with every light red and frozen."""
    world = make_world()
    lights = world.traffic_lights
    for index in range(len(lights.state)):
        lights.set_state(index, RED)
    lights.freeze_all(True)
    return world


def test_vehicles_wait_at_red_lights():
    world = make_world_all_red()
    lights = world.traffic_lights
    graph = lane_graph(world.town)
    network = RoadNetwork(world.town.opendrive)
    lines = StopLines(network, lights.stops[:8])
    driver = AutopilotDriver(world.town, SEED)
    actors = []
    for road_id, lane_id, s, _light in lights.stops[:8]:
        stop_point = graph.point_of(road_id, lane_id, s)
        start = max(stop_point - 20, graph.lane_first[graph.lane[stop_point]])
        actor = spawn(world, CAR, *sample_pose(graph, start))
        driver.register(actor.slot, actor.id)
        actors.append(actor)
    driver.attach(world)
    drive(world, 400)
    front = np.array([front_point(world, a) for a in actors])
    past, _ = lines.along(front)
    own = past[np.arange(len(actors)), np.arange(len(actors))]
    assert (own < 0.0).all() and (own > -5.0).all()        # at the line, or set back from it
    assert (world.vehicles.speed[[a.slot for a in actors]] < 0.05).all()


def test_a_vehicle_told_to_ignore_lights_runs_the_red():
    world = make_world_all_red()
    lights = world.traffic_lights
    graph = lane_graph(world.town)
    stop = lights.stops[0]
    stop_point = graph.point_of(*stop[:3])
    driver, actor = lone_vehicle(world, max(stop_point - 20, graph.lane_first[graph.lane[stop_point]]), graph)
    driver.params.ignore_lights_pct[actor.slot] = 100.0
    lines = StopLines(RoadNetwork(world.town.opendrive), [stop])
    drive(world, 300)
    past, _ = lines.along(np.array([front_point(world, actor)]))
    assert past[0, 0] > 5.0


def test_a_stop_sign_means_a_full_stop_before_going_on():
    world = make_world("Town07")
    graph = lane_graph(world.town)
    signs = [stop for stop in world.traffic_signs.stops if stop[3] == "stop"]
    road_id, lane_id, s, _ = signs[0]
    stop_point = graph.point_of(road_id, lane_id, s)
    start = max(stop_point - 25, graph.lane_first[graph.lane[stop_point]])
    driver, actor = lone_vehicle(world, start, graph)
    lines = StopLines(RoadNetwork(world.town.opendrive), [signs[0]])
    record = []

    def watch(tick):
        past, _ = lines.along(np.array([front_point(world, actor)]))
        record.append((float(past[0, 0]), float(world.vehicles.speed[actor.slot])))

    drive(world, 600, watch)
    before = [speed for past, speed in record if -12.0 < past < 0.0]     # at the line, or set back from it
    assert min(before) < STOP_SIGN_SPEED
    assert record[-1][0] > 5.0                     # and then it went on through the junction


def test_an_unregistered_vehicle_keeps_its_last_control():
    world = make_world(lights=False)
    graph = lane_graph(world.town)
    driver, actor = lone_vehicle(world, lane_start(graph, lambda l: True), graph)
    drive(world, 20)
    driver.unregister(actor.slot)
    world.vehicles.set_control(actor.slot, throttle=0.25, steer=0.1)
    drive(world, 5)
    assert world.vehicles.throttle[actor.slot] == 0.25
    assert world.vehicles.steer[actor.slot] == pytest.approx(0.1)


def test_a_destroyed_vehicle_frees_its_junction_reservation():
    world = make_world(lights=False)
    driver, actors = spawn_fleet(world, 20, SEED)
    drive(world, 200)
    for actor in actors:
        world.destroy(actor.id)
    drive(world, 1)
    assert (driver._reservations.held < 0).all()
