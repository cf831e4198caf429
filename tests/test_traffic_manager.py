"""The Traffic Manager our server hosts: its port, every call both clients send, autopilot registration.

The server runs in this process with a recording driver in place of the autopilot, so the tests can see
what reached the Traffic Manager; the client scripts run under our client and the official one.
"""
import json
import math
import socket
import threading

import msgpack
import numpy as np
import pytest

from serverproc import ServerProcess, free_port_pair, official_available, run_client

from engine.traffic import tm_calls
from engine.traffic.tm_parameters import TrafficParameters
from engine.traffic.tm_server import PlainDispatcher, TrafficManager

# Traffic Manager ports of this file: 18100-18199 (never CARLA's 8000, which parallel runs would share).
TM_PORT_SETTERS, TM_PORT_BUSY, TM_PORT_AUTOPILOT, TM_PORT_EPISODE, TM_PORT_RAW = 18121, 18122, 18123, 18124, 18125
TM_PORT_DRIVER = 18126


class RecordingDriver:
    """Stands in for engine.traffic.driver.AutopilotDriver: records registrations, drives straight on."""

    def __init__(self, town, seed):
        self.params = TrafficParameters()
        self.driven = {}
        self.seed = seed

    def register(self, slot, actor_id):
        self.driven[slot] = actor_id

    def unregister(self, slot):
        self.driven.pop(slot, None)

    def attach(self, world):
        if self.step not in world.before_physics:
            world.before_physics.append(self.step)

    def step(self, world, dt):
        for slot in self.driven:
            world.vehicles.set_control(slot, 0.5, 0.0, 0.0, False, False, False, 1)

    def actions(self, slot):
        return [("LaneFollow", (1.0, 2.0, 0.0))]


class InProcessServer:
    """Our server on a thread of this process, its Traffic Managers driven by RecordingDriver."""

    def __init__(self):
        from engine.server.server import Server
        from launcher.config import ServerConfig
        self.port = free_port_pair()
        self.server = Server(ServerConfig(rpc_port=self.port, streaming_port=self.port + 1, render_mode="none"))
        self.server.service.traffic.driver_factory = RecordingDriver
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        self.server.close()

    def stop(self):
        """Stop the loop (so its state can be read safely); wakes it with a connection."""
        if self.thread.is_alive():
            self.server.stop()
            with socket.create_connection(("127.0.0.1", self.port), timeout=5):
                pass
            self.thread.join(timeout=30)

    @property
    def traffic(self):
        return self.server.service.traffic

    def alive(self):
        return self.thread.is_alive()


@pytest.fixture
def tm_server():
    with InProcessServer() as server:
        yield server


# -- parameters -------------------------------------------------------------------------------------------------
def test_parameters_start_from_carla_defaults():
    p = TrafficParameters()
    assert p.global_speed_difference_pct == 30.0 and p.global_distance_to_leader == 2.0
    assert p.hybrid_radius == 70.0 and p.respawn_bounds == (100.0, 1000.0) and p.osm_mode
    assert not p.synchronous and not p.hybrid_physics and not p.respawn_dormant
    p.claim(3, 42)
    assert math.isnan(p.speed_difference_pct[3]) and p.auto_lane_change[3] and p.collision_detection[3]
    assert p.force_lane_change[3] == 0 and not p.registered[3]


def test_parameters_fall_back_to_global_values_where_unset():
    p = TrafficParameters()
    p.claim(0, 10)
    p.claim(1, 11)
    p.speed_difference_pct[1] = -10.0
    assert np.allclose(p.target_speed(np.array([10.0, 10.0]), np.array([0, 1])), [7.0, 11.0])
    p.desired_speed[0] = 5.0
    assert np.allclose(p.target_speed(np.array([10.0, 10.0]), np.array([0, 1])), [5.0, 11.0])
    p.global_distance_to_leader = 4.0
    p.distance_to_leader[1] = 1.0
    assert np.allclose(p.leader_distance(np.array([0, 1])), [4.0, 1.0])


def test_parameters_grow_with_slots_and_reset_when_a_slot_changes_hands():
    p = TrafficParameters(capacity=2)
    p.claim(9, 100)
    assert p.capacity >= 10
    p.ignore_lights_pct[9] = 50.0
    p.path[9] = [(1.0, 2.0, 3.0)]
    p.claim(9, 100)              # the same vehicle keeps its values
    assert p.ignore_lights_pct[9] == 50.0 and 9 in p.path
    p.claim(9, 101)              # a new vehicle in the slot starts afresh
    assert p.ignore_lights_pct[9] == 0.0 and 9 not in p.path


def test_pairwise_collision_detection_keeps_the_per_vehicle_flag_in_sync():
    p = TrafficParameters()
    p.claim(0, 10)
    p.set_collision_detection(0, 11, False)
    assert not p.collision_detection[0] and not p.detects_collision(0, 11) and p.detects_collision(0, 12)
    p.set_collision_detection(0, 11, True)
    assert p.collision_detection[0] and p.detects_collision(0, 11)


# -- the plain rpclib port -----------------------------------------------------------------------------------------
def _plain_call(dispatcher, method, *params):
    return dispatcher.handle_message([0, 7, method, list(params)])


def test_plain_dispatcher_answers_bare_values_and_rpclib_errors():
    d = PlainDispatcher()
    d.register("echo", lambda value: value, "plain")
    assert _plain_call(d, "echo", [1, 2]) == [1, 7, None, [1, 2]]
    unknown = _plain_call(d, "nope", 1)
    assert unknown[2] == "rpclib: server could not find function 'nope' with argument count 1." and unknown[3] is None
    assert "invalid number of arguments" in _plain_call(d, "echo")[2]
    assert "params is not an array" in d.handle_message([0, 7, "echo", 5])[2]
    assert d.handle_message([2, "echo", [1]]) is None      # a notification gets no answer


def _raw_tm(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    unpacker = msgpack.Unpacker(raw=False)

    def call(method, *params, msgid=1):
        sock.sendall(msgpack.packb([0, msgid, method, list(params)], use_bin_type=True))
        while True:
            for message in unpacker:
                return message
            unpacker.feed(sock.recv(65536))
    return sock, call


def test_unknown_and_malformed_tm_calls_get_errors_and_the_server_goes_on(tm_server):
    host, port = tm_server.traffic.address(TM_PORT_RAW)
    assert (host, port) == ("127.0.0.1", TM_PORT_RAW)
    sock, call = _raw_tm(TM_PORT_RAW)
    try:
        assert call("health_check_remote_TM") == [1, 1, None, True]
        assert "could not find function 'no_such_call'" in call("no_such_call", 1)[2]
        assert "invalid number of arguments" in call("set_global_lane_offset")[2]
        assert "expected a number" in call("set_global_lane_offset", "wide")[2]
        assert "expected an rpc::Actor" in call("set_lane_offset", 5, 1.0)[2]
        assert "actor 999 not found" in call("set_lane_offset", [999, 0, [], [], b"", b""], 1.0)[2]
        assert "unknown route option 12" in call("set_imported_route", [1], b"\x0c", True)[2]
        assert "expected a list of rpc::Actor" in call("register_vehicle", 3)[2]
        assert "not a vehicle" in call("register_vehicle", [[1, 0, [], [], b"", b""]])[2]   # the spectator
        assert call("get_port") == [1, 1, None, TM_PORT_RAW]
        sock.sendall(b"\xc1\xc1\xc1")           # not msgpack: an error, then the connection is closed
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
        assert "malformed msgpack data" in msgpack.unpackb(reply, raw=False)[2]
    finally:
        sock.close()
    sock, call = _raw_tm(TM_PORT_RAW)
    try:
        assert call("health_check_remote_TM") == [1, 1, None, True]
    finally:
        sock.close()
    assert tm_server.alive()


def test_a_port_that_cannot_be_bound_gives_an_error_not_a_listener(tm_server):
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", TM_PORT_BUSY))
        busy.listen(1)
        with pytest.raises(Exception, match="cannot start the Traffic Manager on port 18122"):
            tm_server.traffic.listen(TM_PORT_BUSY)
    assert tm_server.traffic.managers[TM_PORT_BUSY].listener is None


# -- both clients ------------------------------------------------------------------------------------------------
def _setters(client_kind):
    with InProcessServer() as server:
        result = json.loads(run_client(client_kind, "tm_setters.py", server.port, "--tm-port", str(TM_PORT_SETTERS),
                                       "--busy-port", str(TM_PORT_BUSY)))
        server.stop()
        return result, server.traffic.managers[TM_PORT_SETTERS], server.server.service.world


def test_every_setter_is_accepted_and_reaches_the_vehicle(client_kind):
    result, tm, world = _setters(client_kind)
    assert result["port"] == TM_PORT_SETTERS
    expected = {name: "ok" for name in result["setters"]}
    expected.update(get_next_action=["Void", None], get_all_actions=[])
    assert result["setters"] == expected
    slot = world.actors[result["car"]].slot
    p = tm.params
    assert tm.registered_ids() == [result["car"]]
    assert p.speed_difference_pct[slot] == 10.0 and p.global_speed_difference_pct == -20.0
    assert p.desired_speed[slot] == pytest.approx(10.0)          # 36 km/h
    assert p.lane_offset[slot] == 0.5 and p.global_lane_offset == -0.25
    assert p.update_vehicle_lights[slot] and not p.auto_lane_change[slot]
    assert not p.detects_collision(slot, result["other"]) and p.force_lane_change[slot] == -1   # left
    assert p.distance_to_leader[slot] == 4.0 and p.global_distance_to_leader == 3.0
    assert [p.ignore_walkers_pct[slot], p.ignore_vehicles_pct[slot], p.ignore_lights_pct[slot],
            p.ignore_signs_pct[slot], p.keep_right_pct[slot], p.random_left_pct[slot],
            p.random_right_pct[slot]] == [11.0, 12.0, 50.0, 14.0, 15.0, 16.0, 17.0]
    assert p.hybrid_physics and p.hybrid_radius == 40.0 and p.seed == 7 and not p.osm_mode
    assert p.respawn_dormant and p.respawn_bounds == (150.0, 500.0) and not p.synchronous
    assert p.path[slot] == [(1.0, 2.0, 3.0), (4.0, 5.0, 6.0)]
    assert p.route[slot] == ["Left", "Straight", "Right"]


def test_bad_arguments_give_errors_and_the_server_keeps_serving(client_kind):
    result, _, _ = _setters(client_kind)
    assert result["bad"] == {
        "text_percentage": "ArgumentError", "actor_id_for_actor": "ArgumentError",
        "path_of_numbers": "TypeError", "path_as_tuple": "ArgumentError", "unknown_route_option": "RuntimeError",
        "negative_seed": "OverflowError", "missing_argument": "ArgumentError",
        "destroyed_vehicle": "RuntimeError", "spectator_not_vehicle": "RuntimeError",
        "negative_desired_speed": "RuntimeError", "nan_percentage": "RuntimeError",
        "negative_hybrid_radius": "RuntimeError", "port_text": "ArgumentError", "port_too_big": "OverflowError",
        "port_taken": "RuntimeError"}
    assert result["still_serving"] == "ok" and result["world_still_serving"] == "0.9.16"


def test_autopilot_direct_and_batched_registers_and_destroy_unregisters(client_kind):
    with InProcessServer() as server:
        result = json.loads(run_client(client_kind, "tm_autopilot.py", server.port,
                                       "--tm-port", str(TM_PORT_AUTOPILOT)))
        server.stop()
        tm = server.traffic.managers[TM_PORT_AUTOPILOT]
        world = server.server.service.world
        assert tm.registered_ids() == [result["direct"]]
        assert list(tm.driver.driven.values()) == [result["direct"]]
        assert result["batched"][0] not in world.actors           # destroyed, so unregistered
    assert result["batch_errors"] == ["", "", ""]
    assert result["spectator_error"] == "actor 1 (spectator) is not a vehicle"
    assert result["off_error"] == ""
    assert result["moved"] == {str(i): True for i in [result["direct"], *result["batched"]]}


def test_a_new_episode_drops_the_vehicles_and_keeps_the_traffic_manager(client_kind):
    with InProcessServer() as server:
        result = json.loads(run_client(client_kind, "tm_episode.py", server.port, "--tm-port", str(TM_PORT_EPISODE)))
        server.stop()
        tm = server.traffic.managers[TM_PORT_EPISODE]
        assert tm.registered_ids() == [result["new_car"]]
        assert tm.driver_world is server.server.service.world
        assert tm.params.global_speed_difference_pct == -20.0
    assert result["port_after_reload"] == TM_PORT_EPISODE and result["vehicles"] == 1


@pytest.mark.parametrize("script", ["tm_setters.py", "tm_autopilot.py", "tm_episode.py"])
def test_both_clients_print_the_same_line(script):
    if not official_available():
        pytest.skip("official carla client not installed")
    lines = {}
    for kind in ("official", "ours"):
        with InProcessServer() as server:
            lines[kind] = run_client(kind, script, server.port, "--tm-port", str(TM_PORT_SETTERS),
                                     *(["--busy-port", str(TM_PORT_BUSY)] if script == "tm_setters.py" else []))
    assert lines["ours"] == lines["official"]


# -- the server's own driver ---------------------------------------------------------------------------------
def test_vehicles_on_autopilot_drive_in_the_real_server(client_kind):
    with ServerProcess("-nullrhi") as server:
        result = json.loads(run_client(client_kind, "tm_autopilot.py", server.port, "--tm-port", str(TM_PORT_DRIVER),
                                       "--ticks", "40"))
        assert server.alive()
    assert result["batch_errors"] == ["", "", ""] and result["off_error"] == ""
    assert result["moved"] == {str(i): True for i in [result["direct"], *result["batched"]]}


def test_both_clients_see_the_same_autopilot_run_in_the_real_server():
    if not official_available():
        pytest.skip("official carla client not installed")
    lines = {}
    for kind in ("official", "ours"):
        with ServerProcess("-nullrhi") as server:
            lines[kind] = run_client(kind, "tm_autopilot.py", server.port, "--tm-port", str(TM_PORT_DRIVER),
                                     "--ticks", "40")
    assert lines["ours"] == lines["official"]


# -- server-side autopilot ---------------------------------------------------------------------------------------
def test_server_side_autopilot_without_a_port_picks_a_tm_and_one_tm_drives_a_vehicle():
    class Loop:
        current_connection = None

        def add_listener(self, *args):
            raise AssertionError("no port is bound without a client asking")

    class Service:
        pass

    from engine.map.town import load_town
    from engine.world.world import World
    service = Service()
    service.loop, service.world = Loop(), World(load_town("Town01"), episode_id=1)
    host = tm_calls.TrafficHost(service, driver_factory=RecordingDriver)
    host.attach(service.world)
    point = service.world.town.spawn_points[0]
    car = service.world.spawn([0, "vehicle.tesla.model3", []], (tuple(point[:3]), tuple(point[3:6])))
    host.set_autopilot(car.id, True)
    assert host.managers[8000].registered_ids() == [car.id]
    host.set_autopilot(car.id, True, 18130)           # moving to another TM releases it from the first
    assert host.managers[8000].registered_ids() == [] and host.managers[18130].registered_ids() == [car.id]
    host.set_autopilot(car.id, True)                  # no port: stays with the TM that drives it
    assert host.managers[18130].registered_ids() == [car.id]
    host.set_autopilot(car.id, False)
    assert host.managers[18130].registered_ids() == []
    host.last_port = 18131                            # a client reached this TM last: it gets the vehicle
    host.set_autopilot(car.id, True)
    assert host.managers[18131].registered_ids() == [car.id]
    assert isinstance(host.managers[18131], TrafficManager)
