"""Valid calls with one part changed at random (seeded) on the world port and the Traffic Manager port: every
one gets an answer, none is an internal error, and the server keeps serving and ticking."""
import copy
import random
import re
import socket

import msgpack

from serverproc import ServerProcess
from test_rpc_robustness import call

FAILED_CALL = re.compile(r"call \S+ failed")

# Wrong types and shapes, non-finite numbers, negative and fractional ids. Not astronomically large numbers:
# a velocity or impulse of 1e19 still makes the next tick fail (the collision grid overflows; the tick is
# answered as an internal error and the server goes on).
ODD_VALUES = [0, 1, -1, 7, 1.5, -0.0, float("nan"), float("inf"), float("-inf"), True, False, None, "", "x",
              "vehicle.tesla.model3", b"\x00\x01", [], {}, [1.0, 2.0, 3.0], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
              "a" * 5000]


def _places(value, path=()):
    yield path
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from _places(item, path + (i,))


def mutate(rng, params: list) -> list:
    """``params`` with one element (at any depth) replaced, removed, doubled up or scaled; one odd argument for
    a call without any."""
    changed = copy.deepcopy(params)
    places = [p for p in _places(changed) if p]
    if not places:
        return [rng.choice(ODD_VALUES)]
    path = rng.choice(places)
    parent = changed
    for i in path[:-1]:
        parent = parent[i]
    roll, where = rng.random(), path[-1]
    if roll < 0.6:
        parent[where] = rng.choice(ODD_VALUES)
    elif roll < 0.75:
        del parent[where]
    elif roll < 0.9:
        parent.insert(where, rng.choice(ODD_VALUES))
    elif isinstance(parent[where], (int, float)) and not isinstance(parent[where], bool):
        parent[where] = parent[where] * rng.choice([-1, 2, 0.5])
    else:
        parent[where] = rng.choice(ODD_VALUES)
    return changed


class Session:
    """One connection; the world port's calls carry CARLA's metadata argument, the TM port's do not."""

    def __init__(self, port, metadata=True):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.unpacker = msgpack.Unpacker(raw=False)
        self.metadata = metadata
        self.msgid = 0

    def raw(self, method, *args):
        self.msgid += 1
        return call(self.sock, self.unpacker, self.msgid, method, *args,
                    metadata=(False,) if self.metadata else None)

    def value(self, method, *args):
        """The result of a world-port call that must succeed (CARLA's Response unwrapped)."""
        reply = self.raw(method, *args)
        assert reply[2] is None and reply[3][0][0] == 1, reply
        return reply[3][0][1]


def _world_templates(s: Session) -> dict:
    transform = [[100.0, 200.0, 0.5], [0.0, 90.0, 0.0]]
    points = s.value("get_map_info")[1]
    vehicle = s.value("spawn_actor", [0, "vehicle.tesla.model3", [["role_name", 4, "hero"]]], points[0])[0]
    walker = s.value("spawn_actor", [0, "walker.pedestrian.0001", []], points[1])[0]
    lights = [a[0] for a in s.value("get_actors_by_id", list(range(1, 200)))
              if a[2][1].startswith("traffic.traffic_light")]
    light = lights[0]
    control = [0.5, 0.1, 0.0, False, False, False, 0]
    return {
        "get_actors_by_id": [[vehicle, walker, light]],
        "get_actor_bounding_box": [vehicle],
        "spawn_actor": [[0, "vehicle.audi.a2", [["role_name", 4, "other"]]], points[2]],
        "spawn_actor_with_parent": [[0, "sensor.other.collision", []], [[0.0, 0.0, 2.0], [0.0, 0.0, 0.0]], vehicle, 0],
        "set_actor_transform": [vehicle, transform],
        "set_actor_location": [walker, [110.0, 200.0, 0.5]],
        "set_actor_target_velocity": [vehicle, [1.0, 0.0, 0.0]],
        "set_actor_target_angular_velocity": [vehicle, [0.0, 0.0, 10.0]],
        "add_actor_impulse": [vehicle, [100.0, 0.0, 0.0]],
        "add_actor_force": [vehicle, [100.0, 0.0, 0.0]],
        "add_actor_angular_impulse": [vehicle, [0.0, 0.0, 100.0]],
        "add_actor_torque": [vehicle, [0.0, 0.0, 100.0]],
        "enable_actor_constant_velocity": [vehicle, [2.0, 0.0, 0.0]],
        "disable_actor_constant_velocity": [vehicle],
        "set_actor_simulate_physics": [vehicle, True],
        "set_actor_enable_gravity": [vehicle, True],
        "set_actor_collisions": [vehicle, True],
        "apply_control_to_vehicle": [vehicle, control],
        "apply_control_to_walker": [walker, [[1.0, 0.0, 0.0], 1.2, False]],
        "apply_physics_control": [vehicle, s.value("get_physics_control", vehicle)],
        "set_vehicle_light_state": [vehicle, 3],
        "get_vehicle_light_state": [vehicle],
        "set_weather_parameters": [s.value("get_weather_parameters")],
        "set_episode_settings": [s.value("get_episode_settings")],
        "tick_cue": [],
        "set_traffic_light_state": [light, 0],
        "set_traffic_light_green_time": [light, 4.0],
        "get_group_traffic_lights": [light],
        "get_light_boxes": [light],
        "reset_traffic_light_group": [light],
        "freeze_traffic_light": [light, True],
        "freeze_all_traffic_lights": [False],
        "apply_batch": [[[2, [vehicle, control]], [6, [walker, transform]],
                         [0, [[0, "vehicle.audi.a2", []], points[3], [False, 0]]]], False],
    }


def test_mutated_world_calls_are_answered_without_internal_errors():
    server = ServerProcess("-nullrhi")
    server.start()
    try:
        s = Session(server.port)
        templates = _world_templates(s)
        rng = random.Random(16)
        names = sorted(templates)
        for _ in range(800):
            name = rng.choice(names)
            params = templates[name] if rng.random() < 0.2 else mutate(rng, templates[name])
            reply = s.raw(name, *params)
            assert reply[1] == s.msgid
            assert "internal error" not in repr(reply), (name, params, reply)
        assert s.raw("version")[3] == [[1, "0.9.16"]]
    finally:
        log = server.stop()
    assert not FAILED_CALL.search(log), log[-3000:]


def test_mutated_traffic_manager_calls_are_answered_and_ticks_go_on():
    server = ServerProcess("-nullrhi")
    server.start()
    try:
        s = Session(server.port)
        s.value("set_episode_settings", [True, True, [True, 0.05], True, 0.01, 10, 0.0, True, 3000.0, 2000.0, True])
        tm_port = server.port + 3
        assert s.value("is_traffic_manager_running", tm_port) is True
        points = s.value("get_map_info")[1]
        vehicles = [s.value("spawn_actor", [0, "vehicle.tesla.model3", []], p)[0] for p in points[:8]]
        tm = Session(tm_port, metadata=False)
        rng = random.Random(5)
        actor = lambda: [rng.choice(vehicles), 0, [0, "vehicle.tesla.model3", []]]  # noqa: E731
        assert tm.raw("register_vehicle", [actor() for _ in vehicles])[2] is None
        templates = {
            "register_vehicle": lambda: [[actor()]],
            "set_percentage_speed_difference": lambda: [actor(), 10.0],
            "set_global_percentage_speed_difference": lambda: [-30.0],
            "set_desired_speed": lambda: [actor(), 30.0],
            "set_lane_offset": lambda: [actor(), 0.5],
            "set_collision_detection": lambda: [actor(), actor(), False],
            "set_force_lane_change": lambda: [actor(), True],
            "set_auto_lane_change": lambda: [actor(), True],
            "set_distance_to_leading_vehicle": lambda: [actor(), 3.0],
            "set_path": lambda: [actor(), [[rng.uniform(-100, 300), rng.uniform(-100, 300), 0.0]] * 2, True],
            "update_custom_path": lambda: [rng.choice(vehicles), [[10.0, 20.0, 0.0]]],
            "set_imported_route": lambda: [actor(), bytes([rng.randrange(6) for _ in range(4)]), True],
            "set_hybrid_physics_mode": lambda: [rng.random() < 0.5],
            "set_random_device_seed": lambda: [rng.randrange(100)],
            "set_percentage_running_light": lambda: [actor(), 50.0],
            "set_percentage_ignore_vehicles": lambda: [actor(), 50.0],
            "keep_right_rule_percentage": lambda: [actor(), 50.0],
            "random_left_lanechange_percentage": lambda: [actor(), 50.0],
            "get_next_action": lambda: [rng.choice(vehicles)],
        }
        names = sorted(templates)
        frame = s.value("tick_cue")
        for i in range(600):
            name = rng.choice(names)
            params = templates[name]()
            reply = tm.raw(name, *(mutate(rng, params) if rng.random() < 0.7 else params))
            assert reply[0] == 1 and reply[1] == tm.msgid
            if i % 3 == 0:
                frame, previous = s.value("tick_cue"), frame
                assert frame == previous + 1
    finally:
        log = server.stop()
    assert not FAILED_CALL.search(log), log[-3000:]
