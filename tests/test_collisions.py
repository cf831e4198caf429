"""Collisions: the oriented-box kernels, contacts resolved in the world, and the collision and obstacle
sensors as each client reports them."""
import json
import math

import numpy as np
import pytest

from engine.map import load_town
from engine.map.props import prop_boxes, town_props
from engine.world import collisions, obb
from engine.world.blueprints import find_blueprint
from engine.world.world import World
from serverproc import ServerProcess, official_available, run_client

CAR = "vehicle.tesla.model3"
RNG_SEED = 7


# -- helpers -----------------------------------------------------------------------------------------------

def corners(center, half, yaw_deg) -> np.ndarray:
    """(4, 2) corners of an oriented box, counter-clockwise."""
    c, s = math.cos(math.radians(yaw_deg)), math.sin(math.radians(yaw_deg))
    u, v = np.array([c, s]) * half[0], np.array([-s, c]) * half[1]
    centre = np.asarray(center[:2], dtype=float)
    return np.array([centre - u - v, centre + u - v, centre + u + v, centre - u + v])


def clip_area(subject: np.ndarray, clip: np.ndarray) -> float:
    """Area of the intersection of two convex counter-clockwise polygons (Sutherland-Hodgman)."""
    out = list(subject)
    for k in range(len(clip)):
        a, b = clip[k], clip[(k + 1) % len(clip)]
        edge = b - a
        inside = [edge[0] * (p[1] - a[1]) - edge[1] * (p[0] - a[0]) >= 0 for p in out]
        kept = []
        for i, p in enumerate(out):
            q = out[(i + 1) % len(out)]
            if inside[i]:
                kept.append(p)
            if inside[i] != inside[(i + 1) % len(out)]:
                dp, dq = (edge[0] * (p[1] - a[1]) - edge[1] * (p[0] - a[0]),
                          edge[0] * (q[1] - a[1]) - edge[1] * (q[0] - a[0]))
                kept.append(p + (q - p) * (dp / (dp - dq)))
        out = kept
        if not out:
            return 0.0
    pts = np.array(out)
    return 0.5 * abs(float(np.dot(pts[:, 0], np.roll(pts[:, 1], -1)) - np.dot(pts[:, 1], np.roll(pts[:, 0], -1))))


def stationary_contacts(ca, ha, ya, cb, hb, yb, slop=0.0):
    cos_a, sin_a = obb.cos_sin(ya)
    cos_b, sin_b = obb.cos_sin(yb)
    zero = np.zeros_like(ca)
    return obb.swept_contacts(ca, ha, cos_a, sin_a, zero, cb, hb, cos_b, sin_b, zero, slop=slop)


def new_world(name="Town01") -> World:
    world = World(load_town(name), episode_id=1)
    collisions.attach(object(), world)
    return world


def spawn_car(world, x, y, yaw, role=""):
    attrs = [["role_name", 4, role]] if role else []
    return world.spawn([0, CAR, attrs], ((x, y, 0.0), (0.0, yaw, 0.0)))


def full_throttle(world, actor):
    world.apply_vehicle_control(actor.id, [1.0, 0.0, 0.0, False, False, False, 0])


def penetration(world, a, b) -> float:
    """How deep two vehicles' boxes overlap in the ground plane (0 when apart)."""
    state = world.vehicles
    result = stationary_contacts(state.loc[[a.slot], :2], np.array([a.extent[:2]]), state.rot[[a.slot], 1],
                                 state.loc[[b.slot], :2], np.array([b.extent[:2]]), state.rot[[b.slot], 1])
    return float(max(result.depth[0], 0.0)) if result.hit[0] else 0.0


def clear_approach(town, target: int, yaw: float, distance: float):
    """A spot `distance` metres from prop `target`'s centre, facing it along `yaw`, with no other prop
    within 3 m of the straight path between them (None if there is one)."""
    boxes = prop_boxes(town_props(town))
    c, s = math.cos(math.radians(yaw)), math.sin(math.radians(yaw))
    x, y = boxes.center[target, 0] - c * distance, boxes.center[target, 1] - s * distance
    d = boxes.center[:, :2] - np.array([x, y])
    along, across = d[:, 0] * c + d[:, 1] * s, np.abs(-d[:, 0] * s + d[:, 1] * c)
    reach = np.hypot(boxes.half[:, 0], boxes.half[:, 1])
    blocking = (along > -4.0 - reach) & (along < distance + reach) & (across < 3.0 + reach)
    blocking[target] = False
    return None if blocking.any() else (float(x), float(y))


def collisions_tag(name):
    """The semantic tag of CARLA's 'static.<name>'."""
    return {v: k for k, v in collisions._STATIC_NAMES.items()}[name]


def facing_prop(town, tag: int, distance: float, signal: bool = False):
    """(prop index, x, y, yaw) of a start `distance` metres from the centre of a prop with `tag` (a
    traffic-light post if `signal`), facing it across the prop's own y axis, with a clear path."""
    boxes = prop_boxes(town_props(town))
    posts = np.array([bool(s) for s in boxes.signal_id])
    for k in np.flatnonzero((boxes.tag == tag) & (posts == signal)):
        yaw = float(boxes.yaw[k]) + 90.0
        spot = clear_approach(town, int(k), yaw, distance + float(boxes.half[k, 1]))
        if spot is not None:
            return int(k), spot[0], spot[1], yaw
    raise AssertionError(f"no prop with tag {tag} has a clear approach")


# -- narrow phase ------------------------------------------------------------------------------------------

def test_separating_axis_test_agrees_with_polygon_clipping_on_random_boxes():
    rng = np.random.default_rng(RNG_SEED)
    n = 400
    ca, cb = rng.uniform(-3, 3, (n, 2)), rng.uniform(-3, 3, (n, 2))
    ha, hb = rng.uniform(0.1, 2.5, (n, 2)), rng.uniform(0.1, 2.5, (n, 2))
    ya, yb = rng.uniform(-180, 180, n), rng.uniform(-180, 180, n)
    result = stationary_contacts(ca, ha, ya, cb, hb, yb)
    overlapping = 0
    for k in range(n):
        a, b = corners(ca[k], ha[k], ya[k]), corners(cb[k], hb[k], yb[k])
        area = clip_area(a, b)
        assert result.hit[k] == (area > 1e-9), k
        if area > 1e-6 and result.depth[k] > 0.01:
            overlapping += 1
            # The normal and depth are the smallest push that separates them.
            moved = b + result.normal[k] * (result.depth[k] + 1e-6)
            assert clip_area(a, moved) < 1e-9
            assert clip_area(a, b + result.normal[k] * (result.depth[k] - 0.01)) > 0.0
            assert np.isclose(np.linalg.norm(result.normal[k]), 1.0)
    assert overlapping > 50


def test_swept_test_sends_a_box_that_passed_through_a_thin_pole_back_to_its_near_side():
    # A car (half length 2.4 m) moves 7 m in one step, from x = 0 to x = 7, past a 0.2 m pole at x = 3.9.
    result = obb.swept_contacts(
        np.array([[7.0, 0.0]]), np.array([[2.4, 1.0]]), np.ones(1), np.zeros(1), np.array([[7.0, 0.0]]),
        np.array([[3.9, 0.3]]), np.array([[0.1, 0.1]]), np.ones(1), np.zeros(1), np.zeros((1, 2)))
    assert result.hit[0]
    assert np.allclose(result.normal[0], [1.0, 0.0])
    assert math.isclose(7.0 - result.depth[0] + 2.4, 3.8)     # pushed back, its front on the pole's face


def test_swept_test_ignores_boxes_that_never_meet_during_the_step():
    result = obb.swept_contacts(
        np.array([[7.0, 0.0]]), np.array([[2.4, 1.0]]), np.ones(1), np.zeros(1), np.array([[7.0, 0.0]]),
        np.array([[3.9, 1.5]]), np.array([[0.1, 0.1]]), np.ones(1), np.zeros(1), np.zeros((1, 2)))
    assert not result.hit[0]


def test_sphere_sweep_reaches_a_box_ahead_at_its_near_face_less_the_radius():
    distance = obb.sphere_sweep(np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0]), 20.0, 0.5,
                                np.array([[12.4, 0.0], [5.0, 5.0]]), np.array([[2.4, 1.0], [1.0, 1.0]]),
                                np.array([0.0, 0.0]), np.array([0.0, 0.0]), np.array([1.5, 1.5]))
    assert math.isclose(distance[0], 12.4 - 2.4 - 0.5)
    assert distance[1] == np.inf


# -- broad phase -------------------------------------------------------------------------------------------

def _random_boxes(rng, n, spread):
    center = rng.uniform(-spread, spread, (n, 2))
    half = rng.uniform(0.2, 3.0, (n, 2))
    cos, sin = obb.cos_sin(rng.uniform(-180, 180, n))
    return obb.aabb(center, half, cos, sin)


def _overlapping_bounds(lo_a, hi_a, lo_b, hi_b):
    return ((lo_a[:, None, 0] <= hi_b[None, :, 0]) & (lo_b[None, :, 0] <= hi_a[:, None, 0])
            & (lo_a[:, None, 1] <= hi_b[None, :, 1]) & (lo_b[None, :, 1] <= hi_a[:, None, 1]))


def test_broad_phase_finds_every_pair_of_overlapping_moving_boxes_once():
    rng = np.random.default_rng(RNG_SEED)
    lo, hi = _random_boxes(rng, 600, 60.0)
    i, j = obb.moving_pairs(lo, hi)
    assert (i < j).all()
    pairs = set(zip(i.tolist(), j.tolist()))
    assert len(pairs) == len(i)
    overlap = np.triu(_overlapping_bounds(lo, hi, lo, hi), k=1)
    expected = set(zip(*(v.tolist() for v in np.nonzero(overlap))))
    assert expected and expected <= pairs
    assert len(pairs) < 20 * len(expected)          # a grid, not every pair


def test_broad_phase_of_a_few_boxes_finds_exactly_the_overlapping_pairs():
    rng = np.random.default_rng(RNG_SEED + 2)
    for n in (2, 5, obb.DENSE_PAIRS_MAX, obb.DENSE_PAIRS_MAX + 1):
        lo, hi = _random_boxes(rng, n, 12.0)
        i, j = obb.moving_pairs(lo, hi)
        overlap = np.triu(_overlapping_bounds(lo, hi, lo, hi), k=1)
        assert set(zip(i.tolist(), j.tolist())) == set(zip(*(v.tolist() for v in np.nonzero(overlap))))
        assert len(i) == int(overlap.sum())


def test_broad_phase_finds_every_static_box_a_moving_box_overlaps():
    rng = np.random.default_rng(RNG_SEED + 1)
    s_lo, s_hi = _random_boxes(rng, 300, 80.0)
    s_hi = s_hi + rng.uniform(0, 15, s_hi.shape)      # buildings of every size
    lo, hi = _random_boxes(rng, 500, 90.0)
    grid = obb.StaticGrid.build(s_lo, s_hi, 8.0, float(0.5 * (hi - lo).max()))
    p, q = obb.static_pairs(lo, hi, grid)
    pairs = set(zip(p.tolist(), q.tolist()))
    assert len(pairs) == len(p)
    expected = set(zip(*(v.tolist() for v in np.nonzero(_overlapping_bounds(lo, hi, s_lo, s_hi)))))
    assert expected and expected <= pairs


# -- the world ---------------------------------------------------------------------------------------------

# Far outside the town, where no prop stands.
AWAY_X, AWAY_Y = -1000.0, -1000.0


def _drive_into_parked_car(ticks=70):
    world = new_world()
    hero = spawn_car(world, AWAY_X, AWAY_Y, 0.0, role="hero")
    parked = spawn_car(world, AWAY_X + 10.0 + 2 * hero.extent[0], AWAY_Y, 0.0)
    full_throttle(world, hero)
    events, deepest = [], 0.0
    for _ in range(ticks):
        world.step(0.05)
        events.append(list(world.collision_events))
        deepest = max(deepest, penetration(world, hero, parked))
    return world, hero, parked, events, deepest


def test_car_driven_into_a_parked_car_stops_at_contact_and_each_side_hears_of_it_once():
    world, hero, parked, events, deepest = _drive_into_parked_car()
    assert deepest < 0.03
    reported = [(k, e) for k, tick in enumerate(events) for e in tick]
    assert len(reported) == 2                       # one contact, once from each side
    (k1, (a1, b1, i1)), (k2, (a2, b2, i2)) = reported
    assert k1 == k2 and {(a1, b1), (a2, b2)} == {(hero.id, parked.id), (parked.id, hero.id)}
    on_hero = i1 if a1 == hero.id else i2
    assert on_hero[0] < -1000.0 and on_hero[1:] == (0.0, 0.0)      # pushes the hero back along -x
    assert np.allclose(i1, [-v for v in i2])
    # Inelastic: the two cars go on together, the parked one pushed along.
    assert math.isclose(world.vehicles.speed[hero.slot], world.vehicles.speed[parked.slot], rel_tol=0.05)
    assert world.vehicles.loc[parked.slot, 0] > AWAY_X + 10.0 + 2 * hero.extent[0] + 1.0


def test_collision_step_gives_identical_results_on_a_second_run():
    first, second = _drive_into_parked_car(60), _drive_into_parked_car(60)
    assert first[3] == second[3]
    assert np.array_equal(first[0].vehicles.loc, second[0].vehicles.loc)
    assert np.array_equal(first[0].vehicles.vel, second[0].vehicles.vel)


def test_fast_car_stops_at_a_thin_lamp_pole_instead_of_passing_it():
    world = new_world()
    props = world.collisions.props
    pole, x, y, yaw = facing_prop(world.town, collisions_tag("pole"), 12.0)
    car = spawn_car(world, x, y, yaw)
    heading = np.array([math.cos(math.radians(yaw)), math.sin(math.radians(yaw))])
    world.vehicles.set_target_velocity(car.slot, (30.0 * heading[0], 30.0 * heading[1], 0.0))
    pole_along = float((props.center[pole, :2] - [x, y]) @ heading)
    hit = []
    for _ in range(10):
        world.step(0.1)                               # 3 m a step against a pole 0.18 m thick
        hit += world.collision_events
        front = float((world.vehicles.loc[car.slot, :2] - [x, y]) @ heading) + car.extent[0]
        assert front <= pole_along - props.half[pole, 1] + 0.03
    assert [(a, b) for a, b, _ in hit] == [(car.id, 0)]
    assert abs(world.vehicles.speed[car.slot]) < 0.5


def test_car_driven_into_a_building_reports_a_static_building_with_id_zero():
    world = new_world()
    building, x, y, yaw = facing_prop(world.town, collisions_tag("building"), 10.0)
    car = spawn_car(world, x, y, yaw, role="hero")
    full_throttle(world, car)
    reported = []
    for _ in range(60):
        world.step(0.05)
        reported += [(e, world.collisions.other_wire(k)) for e, k in zip(world.collision_events,
                                                                          world.collisions.event_others)]
    assert len(reported) == 1
    (actor, other, impulse), wire = reported[0]
    assert (actor, other) == (car.id, 0)
    assert wire[0] == 0 and wire[2][1] == "static.building" and wire[4] == bytes([3])
    assert abs(world.vehicles.speed[car.slot]) < 0.5


def test_car_driven_into_a_traffic_light_post_reports_the_traffic_light():
    from engine.traffic import light_calls
    world = new_world()
    light_calls.attach(object(), world)
    post, x, y, yaw = facing_prop(world.town, collisions_tag("pole"), 8.0, signal=True)
    car = spawn_car(world, x, y, yaw)
    full_throttle(world, car)
    reported = []
    for _ in range(50):
        world.step(0.05)
        reported += world.collision_events
    lights = world.traffic_lights
    light = lights.actor_ids[lights.sign_ids.index(world.collisions.props.signal_id[post])]
    assert [(a, b) for a, b, _ in reported] == [(car.id, light)]
    assert world.actors[int(light)].type_id == "traffic.traffic_light"


def test_walker_in_the_way_is_pushed_rather_than_driven_through():
    world = new_world()
    car = spawn_car(world, AWAY_X, AWAY_Y, 0.0)
    walker = world.spawn([0, "walker.pedestrian.0001", []], ((AWAY_X + 8.0, AWAY_Y, 0.0), (0.0, 0.0, 0.0)))
    world.vehicles.set_target_velocity(car.slot, (5.0, 0.0, 0.0))
    for _ in range(30):
        world.step(0.05)
        gap = world.walkers.loc[walker.slot, 0] - world.vehicles.loc[car.slot, 0] - car.extent[0] - walker.extent[0]
        assert gap > -0.03
    assert world.walkers.loc[walker.slot, 0] > AWAY_X + 8.5     # pushed along ahead of the car


def test_events_list_only_the_contacts_that_began_in_the_last_tick():
    world, hero, parked, events, _ = _drive_into_parked_car()
    began = [k for k, tick in enumerate(events) if tick]
    assert len(began) == 1 and began[0] < len(events) - 5
    assert world.collision_events == []


def _obstacle_sensor(world, parent, **attributes):
    from engine.sensors.obstacle import ObstacleSensor
    attrs = [[name, 4, str(value)] for name, value in attributes.items()]
    actor = world.spawn([0, "sensor.other.obstacle", attrs], ((parent.extent[0], 0.0, 1.0), (0.0, 0.0, 0.0)),
                        parent_id=parent.id)
    return ObstacleSensor(actor, actor.stream_id, world)


def test_obstacle_sensor_sees_a_building_ahead_unless_only_dynamics():
    world = World(load_town("Town01"), episode_id=1, sensor_factory=lambda actor, bp: 1)
    collisions.attach(object(), world)
    _, x, y, yaw = facing_prop(world.town, collisions_tag("building"), 10.0)
    car = spawn_car(world, x, y, yaw)
    everything = _obstacle_sensor(world, car, distance=20)
    wire, distance = everything.first_hit(world, world.world_pose(everything.actor))
    assert wire[0] == 0 and wire[2][1] == "static.building"
    assert math.isclose(distance, 10.0 - car.extent[0] - 0.5, abs_tol=1e-6)
    dynamic_only = _obstacle_sensor(world, car, distance=20, only_dynamics="true")
    assert dynamic_only.first_hit(world, world.world_pose(dynamic_only.actor)) is None
    short = _obstacle_sensor(world, car, distance=5)
    assert short.first_hit(world, world.world_pose(short.actor)) is None


# -- the sensors, with each client ---------------------------------------------------------------------------

def _run(kind, *args):
    with ServerProcess("-nullrhi") as server:
        return run_client(kind, "collision_sensors.py", server.port, *args)


def _wall_args():
    _, x, y, yaw = facing_prop(load_town("Town01"), collisions_tag("building"), 10.0)
    return ("--scenario", "wall", "--x", f"{x:.3f}", "--y", f"{y:.3f}", "--yaw", f"{yaw:.3f}")


def test_collision_sensor_reports_the_parked_car_and_obstacle_sensor_sees_it_10_m_ahead(client_kind):
    result = json.loads(_run(client_kind, "--scenario", "vehicle"))
    assert result["min_gap_cm"] >= -3
    (hero_event,) = result["hero_events"]
    assert hero_event["actor"] == "hero" and hero_event["other"] == "parked"
    assert hero_event["other_type"] == "vehicle.tesla.model3" and hero_event["other_tags"] == [14]
    assert hero_event["impulse"][0] < -1000
    (parked_event,) = result["parked_events"]
    assert parked_event["frame"] == hero_event["frame"] and parked_event["other"] == "hero"
    assert parked_event["impulse"] == [-v for v in hero_event["impulse"]]
    seen = result["obstacle_first"]
    assert seen["other"] == "parked" and seen["actor_type"] == "sensor.other.obstacle"
    assert seen["distance"] == 9.5                # 10 m to its bumper, less the 0.5 m hit radius


def test_collision_sensor_reports_a_building_as_static_actor_zero(client_kind):
    result = json.loads(_run(client_kind, *_wall_args()))
    (event,) = result["hero_events"]
    assert event["other"] == 0 and event["other_type"] == "static.building"
    assert event["other_text"] == "Actor(id=0, type=static.building)" and event["other_tags"] == [3]
    assert result["final_speed"] == 0.0
    # It stops with its front bumper on the wall, which was 10 m ahead of its centre.
    assert abs(result["travelled_cm"] - round((10.0 - find_blueprint(CAR).extent[0]) * 100)) <= 3


@pytest.mark.parametrize("scenario", ["vehicle", "wall"])
def test_both_clients_print_the_same_collision_events(scenario):
    if not official_available():
        pytest.skip("official carla client not installed")
    args = ("--scenario", "vehicle") if scenario == "vehicle" else _wall_args()
    assert _run("ours", *args) == _run("official", *args)
