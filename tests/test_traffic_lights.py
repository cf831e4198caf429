"""Traffic lights and signs: actors from the OpenDRIVE signals, CARLA's group cycle, the calls that change them,
vehicles at stop lines, with our client and the official one printing the same.

tests/scripts/traffic_lights.py runs on our Town03 (one controller per approach: each group's lights take
turns) and on CARLA's Town01 (no signals in that file, so no lights).
"""
from __future__ import annotations

import json
import types

import numpy as np
import pytest

from engine.errors import RequestError
from engine.map.town import load_town
from engine.server.commands import BatchRunner
from engine.traffic import light_calls
from engine.traffic.lights import GREEN, RED, YELLOW
from engine.traffic.signals import road_context
from engine.world import episode_state
from engine.world.world import World
from serverproc import ROOT, ServerProcess, official_available, run_client

CARLA_TOWN01 = ROOT.parent / "shared" / "testdata" / "opendrive" / "Town01.xodr"
MAPS = {"Town03": ("Town03", "1220"), "carla_town01": (f"carla:{CARLA_TOWN01}", "330")}
_RESULTS: dict = {}


@pytest.fixture(scope="module")
def server():
    with ServerProcess("-nullrhi") as proc:
        yield proc


def _result(server, kind: str, key: str) -> dict:
    if key == "carla_town01" and not CARLA_TOWN01.is_file():
        pytest.skip("../shared/testdata/opendrive is not beside the project")
    if (kind, key) not in _RESULTS:
        map_argument, ticks = MAPS[key]
        _RESULTS[(kind, key)] = run_client(kind, "traffic_lights.py", server.port, "--map", map_argument,
                                           "--ticks", ticks)
    return json.loads(_RESULTS[(kind, key)])


# -- through the clients ---------------------------------------------------------------------------------------

def test_town03_lights_cycle_with_carlas_default_times(server, client_kind):
    result = _result(server, client_kind, "Town03")
    assert result["lights"] == 36 and result["groups"] == 11
    assert result["sign_types"] == ["traffic.yield"] and result["signs"] == 4
    first = result["light_facts"][0]
    assert first["times"] == [10.0, 3.0, 2.0] and first["semantic_tags"] == [7]
    assert first["affected"] and first["stop_waypoints"] and first["light_boxes"]
    assert first["group"] == result["junction_lights"]
    # One controller per approach: the group's lights take turns, float32-timed as Unreal:
    # 200 steps of 0.05 s exceed 10 s, 60 steps do not exceed 3 s, 40 do not exceed 2 s.
    assert len(first["group"]) == 3
    turns = [(199, 0, "Yellow"), (260, 0, "Red"), (301, 1, "Green"), (501, 1, "Yellow"), (562, 1, "Red"),
             (603, 2, "Green"), (803, 2, "Yellow"), (864, 2, "Red"), (905, 0, "Green"), (1105, 0, "Yellow"),
             (1166, 0, "Red"), (1207, 1, "Green")]
    assert result["cycle"] == [list(turn) for turn in turns]
    assert result["elapsed"]["199"] == [0.0] * 3 and result["elapsed"]["300"] == [2.0, 0.0, 0.0]
    assert result["elapsed"]["302"] == [0.0, 0.05, 0.0]     # only the running controller counts time
    assert result["landmark_lights"] == list(range(2, 38))
    assert result["from_opendrive_id"] == first["id"]


def test_vehicle_at_a_stop_line_reports_its_light(server, client_kind):
    stop = _result(server, client_kind, "Town03")["at_stop_line"]
    assert stop["at_light"] and stop["light_is_the_one"]
    assert stop["state"] == stop["light_state"]
    assert stop["speed_limit"] == 50.0          # the speed record of the light's road


def test_set_state_freeze_times_and_resets(server, client_kind):
    commands = _result(server, client_kind, "Town03")["commands"]
    assert commands["frozen"] == [True, "Red", True]          # frozen: Red holds, time stands still
    assert commands["thawed"] == [False] * 3
    assert commands["times_after_set"] == [[4.0, 1.5, 0.5], [10.0, 3.0, 2.0], [10.0, 3.0, 2.0]]
    assert commands["after_reset"] == [["Green", 0.05], ["Red", 0.0], ["Red", 0.0]]
    assert commands["short_cycle"] == [[1, "Green"], [80, "Yellow"], [111, "Red"]]
    assert commands["after_reset_all"] == ["Green", 4.0]      # a reset keeps the times that were set


def test_carla_town01_without_signals_has_no_lights(server, client_kind):
    result = _result(server, client_kind, "carla_town01")
    assert result["lights"] == 0 and result["signs"] == 0
    assert result["vehicle_without_lights"] == [False, None, "Green", 40.234]   # the file's 25 mph


@pytest.mark.parametrize("key", sorted(MAPS))
def test_both_clients_print_the_same_line(server, key):
    if not official_available():
        pytest.skip("official carla client not installed")
    ours = _result(server, "ours", key)
    official = _result(server, "official", key)
    assert ours == official


# -- in the server ---------------------------------------------------------------------------------------------

def _world(town: str) -> World:
    world = World(load_town(town), episode_id=1)
    light_calls.attach(None, world)
    return world


def _vehicle_records(world) -> np.ndarray:
    records = np.frombuffer(world.encode_state()[84:], dtype=episode_state.RECORD)
    return records[np.isin(records["id"], world.vehicle_ids[world.vehicle_ids > 0])]


def test_bad_ids_and_values_get_clear_errors():
    world = _world("Town03")
    calls = light_calls.TrafficLightCalls(types.SimpleNamespace(world=world))
    light = int(world.traffic_lights.actor_ids[0])
    with pytest.raises(RequestError, match="set_traffic_light_state: actor 9999 not found"):
        calls.set_traffic_light_state(9999, GREEN)
    sign = world.traffic_signs.actor_ids[0]
    with pytest.raises(RequestError, match=f"get_light_boxes: actor {sign} \\(traffic.yield\\) is not a traffic light"):
        calls.get_light_boxes(sign)
    with pytest.raises(RequestError, match="7 is not a traffic light state"):
        calls.set_traffic_light_state(light, 7)
    with pytest.raises(RequestError, match="time"):
        calls.set_traffic_light_green_time(light, float("nan"))
    world.destroy(light)
    with pytest.raises(RequestError, match=f"freeze_traffic_light: actor {light} not found"):
        calls.freeze_traffic_light(light, True)


def test_batch_command_sets_a_light_state():
    world = _world("Town03")
    calls = light_calls.TrafficLightCalls(types.SimpleNamespace(world=world))
    runner = BatchRunner(types.SimpleNamespace(world=world))
    runner.register(light_calls.SET_TRAFFIC_LIGHT_STATE_COMMAND, calls.set_traffic_light_state)
    light = int(world.traffic_lights.actor_ids[3])
    assert runner.run([[21, [light, YELLOW]], [21, [1, RED]]]) == [
        [[1, light]], [[0, ["set_traffic_light_state: actor 1 (spectator) is not a traffic light"]]]]
    assert world.traffic_lights.state[3] == YELLOW


def test_light_records_carry_the_union_fields():
    world = _world("Town03")
    lights = world.traffic_lights
    lights.set_state(1, RED)
    world.step(0.05)
    records = np.frombuffer(world.encode_state()[84:], dtype=episode_state.RECORD)
    raw = records.tobytes()
    row = int(np.flatnonzero(records["id"] == lights.actor_ids[1])[0])
    union = raw[row * 119 + 65:row * 119 + 119]
    sign_id, green, yellow, red, elapsed = union[:32].rstrip(b"\0"), *np.frombuffer(union[32:48], "<f4")
    assert sign_id.decode() == lights.sign_ids[1]
    assert (green, yellow, red) == (10.0, 3.0, 2.0) and elapsed == np.float32(0.05)
    assert union[52] == 0 and union[53] == RED                          # not frozen; set_state holds


def test_stop_lines_for_the_autopilot():
    world = _world("Town03")
    lights, signs = world.traffic_lights, world.traffic_signs
    assert len(lights.stops) == 60 and {index for *_, index in lights.stops} == set(range(36))
    assert all(kind == "yield" for *_, kind in signs.stops) and len(signs.stops) == 8
    assert lights.state.dtype == np.uint8 and len(lights.actor_ids) == 36


def test_speed_limit_follows_the_lane_speed_records():
    world = _world("Town04")
    town = world.town
    road_speeds = {}
    for point in town.spawn_points:
        try:
            world.spawn([0, "vehicle.tesla.model3", []], (tuple(point[:3]), tuple(point[3:6])))
        except RequestError:
            continue
    speeds = sorted(set(np.round(_vehicle_records(world)["speed_limit"], 3).tolist()))
    road_speeds = sorted({round(r.speed_max * 3.6, 3) for r in town.opendrive.roads.values() if r.speed_max})
    assert speeds == road_speeds == [30.0, 50.0, 90.0]


def test_speed_limit_off_the_road_stays_and_on_another_road_changes():
    world = _world("Town04")
    limits = {}
    for point in world.town.spawn_points:
        try:
            actor = world.spawn([0, "vehicle.tesla.model3", []], (tuple(point[:3]), tuple(point[3:6])))
        except RequestError:
            continue
        limits.setdefault(float(_vehicle_records(world)["speed_limit"][-1]), (actor, point))
        world.destroy(actor.id)
        if len(limits) == 3:
            break
    (slow, (actor, _)), (fast, (_, elsewhere)) = sorted(limits.items())[0], sorted(limits.items())[-1]
    actor = world.spawn([0, "vehicle.tesla.model3", []], (tuple(actor.location), tuple(actor.rotation)))
    assert _vehicle_records(world)["speed_limit"][0] == slow
    far = world.town.spawn_points[0]
    world.set_transform(actor.id, (far[0] + 5000.0, far[1] + 5000.0, far[2]), (0.0, 0.0, 0.0))
    assert _vehicle_records(world)["speed_limit"][0] == slow       # no lane within 8 m: the limit it had
    world.set_transform(actor.id, tuple(elsewhere[:3]), tuple(elsewhere[3:6]))
    assert _vehicle_records(world)["speed_limit"][0] == fast


def test_many_points_find_the_lane_chords_one_query_finds():
    from carla_odr.network import DRIVING
    world = _world("Town03")
    index = road_context(world.town).index
    rng = np.random.default_rng(7)
    segments = index.segments
    # points near the lanes (some within 8 m of one, some not) and far away
    near = segments.a[rng.integers(len(segments.a), size=300)] + rng.normal(0.0, 6.0, (300, 3)) * [1, 1, 0]
    points = np.concatenate([near, [[1e5, 1e5, 0.0], [-3e4, 2e4, 0.0]]])
    found = index.nearest_near(points, DRIVING)
    expected = []
    for x, y, z in points.tolist():
        one = index.nearest(x, y, z, DRIVING)
        inside = one is not None and _distance_to_chord(segments, one, (x, y, z)) <= 8.0
        expected.append(one if inside else -1)
    assert found.tolist() == expected and (found >= 0).sum() > 100 and (found < 0).sum() >= 2


def _distance_to_chord(segments, k: int, point) -> float:
    a, b, p = segments.a[k], segments.b[k], np.asarray(point)
    v = b - a
    t = 0.0 if not v.any() else float(np.clip((p - a) @ v / (v @ v), 0.0, 1.0))
    return float(np.linalg.norm(p - (a + t * v)))


def test_vehicle_leaving_the_trigger_box_is_no_longer_at_the_light():
    world = _world("Town03")
    box = world.traffic_lights.trigger_boxes[0][0]
    location, rotation = box.location, box.rotation
    actor = world.spawn([0, "vehicle.tesla.model3", []], (location, rotation))
    world.traffic_lights.set_state(0, RED)
    record = _vehicle_records(world)[0]
    assert (record["has_tl"], record["tl_id"], record["tl_state"]) == (1, world.traffic_lights.actor_ids[0], RED)
    world.set_transform(actor.id, (location[0] + 40.0, location[1], location[2]), rotation)
    record = _vehicle_records(world)[0]
    assert (record["has_tl"], record["tl_id"], record["tl_state"]) == (0, 0, GREEN)


def test_town07_stop_signs_and_their_records():
    world = _world("Town07")
    signs = world.traffic_signs
    assert len(world.traffic_lights.actor_ids) == 0
    assert len(signs.actor_ids) == 28 and set(signs.kinds) == {"stop"}
    actor = world.actors[signs.actor_ids[0]]
    assert actor.type_id == "traffic.stop" and actor.semantic_tags == bytes([8])
    assert all(e > 0.5 for e in actor.trigger_volume[1])
    records = np.frombuffer(world.encode_state()[84:], dtype=episode_state.RECORD)
    raw = records.tobytes()
    row = int(np.flatnonzero(records["id"] == actor.id)[0])
    assert raw[row * 119 + 65:row * 119 + 97].rstrip(b"\0").decode() == signs.sign_ids[0]
