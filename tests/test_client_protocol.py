"""Wire-level tests of the pure-Python client, with no simulator: episode-state decoding, RPC
Response unwrapping, stream tokens, and the exact bytes the client sends to a fake server."""

import os
import queue
import socket
import struct
import sys
import threading

import msgpack
import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                'PythonAPI'))

import carla  # noqa: E402
from carla import _episode, _rpc, _stream  # noqa: E402

SENSOR_HEADER = struct.Struct('<QQd6f')
EPISODE_HEADER = struct.Struct('<Qdf3iI')


def actor_record(actor_id, state=1, pose=(0, 0, 0, 0, 0, 0), velocity=(0, 0, 0),
                 angular_velocity=(0, 0, 0), acceleration=(0, 0, 0), union=b''):
    record = struct.pack('<IB6f3f3f3f', actor_id, state, *pose, *velocity, *angular_velocity,
                         *acceleration)
    return record + union.ljust(54, b'\0')


def vehicle_union(throttle=0.0, steer=0.0, brake=0.0, hand_brake=False, reverse=False,
                  manual=False, gear=0, speed_limit=0.0, light_state=0, at_light=False, light_id=0):
    return struct.pack('<3f3?ifB?I', throttle, steer, brake, hand_brake, reverse, manual, gear,
                       speed_limit, light_state, at_light, light_id)


def episode_message(episode_id, frame, elapsed, delta, records, platform=123.5, flags=0):
    return (SENSOR_HEADER.pack(17, frame, elapsed, 0, 0, 0, 0, 0, 0)
            + EPISODE_HEADER.pack(episode_id, platform, delta, 0, 0, 0, flags) + b''.join(records))


# -- episode state ---------------------------------------------------------------------------

def test_episode_state_header_and_records_decode_at_their_offsets():
    car = actor_record(100, pose=(1.5, -2.0, 0.5, 0.0, 90.0, 0.0), velocity=(3.0, 0.0, 0.0),
                       angular_velocity=(0.0, 0.0, 10.0), acceleration=(0.5, 0.0, -9.0),
                       union=vehicle_union(0.75, -0.25, 0.0, True, False, True, 3, 30.0, 2,
                                           True, 77))
    light = actor_record(200, state=2, union=b'tl_1'.ljust(32, b'\0') + struct.pack(
        '<4fI?B', 10.0, 3.0, 20.0, 4.5, 2, True, 0))
    payload = bytearray(episode_message(9, 42, 2.1, 0.05, [car, light], flags=1))
    state = _episode.EpisodeState.decode(payload)

    assert (state.episode_id, state.frame, state.count) == (9, 42, 2)
    assert state.elapsed_seconds == 2.1
    assert state.delta_seconds == pytest.approx(0.05)
    assert state.platform_timestamp == 123.5
    assert state.simulation_state == 1
    assert state.actor_ids() == [200, 100]     # CARLA's hash-map order, see below

    k = state.kinematics(100)
    assert k[0] == 1 and k[1:7] == (1.5, -2.0, 0.5, 0.0, 90.0, 0.0)
    assert k[7:10] == (3.0, 0.0, 0.0) and k[13:16] == (0.5, 0.0, -9.0)
    assert state.vehicle_data(100) == (0.75, -0.25, 0.0, True, False, True, 3, 30.0, 2, True, 77)
    assert state.actor_state(200) == 2 and state.actor_state(999) == 0
    assert state.traffic_light_data(200)[1:] == (10.0, 3.0, 20.0, 4.5, 2, True, 0)

    records = state.records
    assert records.dtype.itemsize == 119
    assert records['id'].tolist() == [100, 200]
    assert records['location'][0].tolist() == [1.5, -2.0, 0.5]
    assert records['gear'][0] == 3 and records['traffic_light_id'][0] == 77
    assert records['sign_id'][1] == b'tl_1'


def test_actor_ids_follow_the_official_clients_hash_map_order():
    # Orders observed with the 0.9.16 wheel for states listing the actors in this order.
    assert _episode.unordered_map_order([1, 100]) == [100, 1]
    assert _episode.unordered_map_order([1, 101, 102]) == [102, 101, 1]
    assert _episode.unordered_map_order([1, 2, 3, 4, 5, 6]) == [6, 5, 4, 3, 2, 1]
    assert sorted(_episode.unordered_map_order(list(range(1, 60)))) == list(range(1, 60))


def test_new_episode_on_the_stream_keeps_tick_callbacks_and_drops_cached_actors():
    # Observed with the 0.9.16 wheel: when another client loads a map, this client's on_tick
    # callbacks keep running and the snapshot takes the new episode id.
    class NoRpc:
        def call(self, method, *args):
            assert method == 'get_episode_info'
            return [1, [_stream.make_token(1, 2001)]]

    episode = _episode.Episode(NoRpc(), '127.0.0.1')
    seen = []
    assert episode.on_tick_callbacks.push(lambda state: seen.append(state.episode_id)) == 2
    episode.register_actor(carla._simulator.ActorDescription([100, 0, [0, 'vehicle.x', []]]))
    episode._on_payload(bytearray(episode_message(1, 5, 0.25, 0.05, [actor_record(100)])))
    assert episode.cached_actor(100) is not None
    episode.take_map_changed()
    assert not episode.take_map_changed()
    episode._on_payload(bytearray(episode_message(2, 1, 0.05, 0.05, [actor_record(1)])))
    assert seen == [1, 2] and episode.id == 2 and episode.state.frame == 1
    assert episode.cached_actor(100) is None and episode.take_map_changed()


def test_older_frames_are_not_stored_but_still_reach_the_callbacks():
    class NoRpc:
        def call(self, method, *args):
            return [1, [_stream.make_token(1, 2001)]]

    episode = _episode.Episode(NoRpc(), '127.0.0.1')
    frames = []
    episode.on_tick_callbacks.push(lambda state: frames.append(state.frame))
    episode._on_payload(bytearray(episode_message(1, 7, 0.35, 0.05, [])))
    episode._on_payload(bytearray(episode_message(1, 6, 0.30, 0.05, [])))
    assert frames == [7, 6] and episode.state.frame == 7


def test_episode_state_rejects_another_sensor_type():
    payload = SENSOR_HEADER.pack(13, 1, 0.0, 0, 0, 0, 0, 0, 0) + bytes(36)
    with pytest.raises(ValueError):
        _episode.EpisodeState.decode(payload)


def test_world_snapshot_reads_actor_snapshots_from_the_state():
    car = actor_record(7, pose=(1.0, 2.0, 3.0, 4.0, 5.0, 6.0), velocity=(7.0, 8.0, 9.0))
    state = _episode.EpisodeState.decode(episode_message(3, 11, 0.55, 0.05, [car]))
    snapshot = carla.WorldSnapshot(state)
    assert (snapshot.id, snapshot.frame, len(snapshot)) == (3, 11, 1)
    assert str(snapshot) == 'WorldSnapshot(frame=11)'
    assert str(snapshot.timestamp) == ('Timestamp(frame=11,elapsed_seconds=0.550000,'
                                       'delta_seconds=0.050000,platform_timestamp=123.500000)')
    assert snapshot.has_actor(7) and not snapshot.has_actor(8)
    assert snapshot.find(8) is None
    actor = snapshot.find(7)
    assert str(actor) == 'ActorSnapshot(id=7)'
    t = actor.get_transform()
    assert (t.location.x, t.location.y, t.location.z) == (1.0, 2.0, 3.0)
    assert (t.rotation.pitch, t.rotation.yaw, t.rotation.roll) == (4.0, 5.0, 6.0)
    assert actor.get_velocity().y == 8.0
    assert [a.id for a in snapshot] == [7]


# -- RPC responses ---------------------------------------------------------------------------

def test_response_unwrapping_follows_carla_response_variant():
    assert _rpc.unwrap_response([[1, 'value']]) == 'value'
    assert _rpc.unwrap_response([[1, [1, 2]]]) == [1, 2]
    with pytest.raises(RuntimeError, match='^Spawn failed$'):
        _rpc.unwrap_response([[0, ['Spawn failed']]])
    with pytest.raises(RuntimeError, match='std::bad_cast'):
        _rpc.unwrap_response('0.9.16')


def test_void_response_is_an_optional_error():
    assert _rpc.unwrap_void_response([[False]]) is None
    with pytest.raises(RuntimeError, match="^Map 'X' not found$"):
        _rpc.unwrap_void_response([[True, ["Map 'X' not found"]]])


def test_timeout_message_matches_carla():
    assert _rpc.timeout_message('127.0.0.1:2000', 5.0) == (
        'time-out of 5000ms while waiting for the simulator, make sure the simulator is ready '
        'and connected to 127.0.0.1:2000')


# -- stream tokens ---------------------------------------------------------------------------

def test_token_layout_and_address_fallback():
    raw = struct.pack('<IHBB', 5, 2001, 1, 1) + bytes([127, 0, 0, 2]) + bytes(12)
    token = _stream.parse_token(raw)
    assert (token.stream_id, token.port, token.protocol, token.address_type) == (5, 2001, 1, 1)
    assert _stream.token_host(token, 'simhost') == '127.0.0.2'
    assert _stream.parse_token([raw]) == token
    unspecified = _stream.parse_token(_stream.make_token(1, 2001, '0.0.0.0'))
    assert _stream.token_host(unspecified, 'simhost') == 'simhost'
    with pytest.raises(RuntimeError):
        _stream.parse_token(b'short')


# -- fake server -----------------------------------------------------------------------------

class FakeSimulator:
    """A minimal CARLA server on 127.0.0.1: records every request (raw bytes and decoded)."""

    def __init__(self, synchronous=True):
        self.requests = []
        self.raw = bytearray()
        self.stream_ids = queue.Queue()
        self.frame = 0
        self.episode_id = 1
        self.synchronous = synchronous
        self.episode_connections = []
        self.sensor_connections = {}
        self.lock = threading.Lock()
        self.send_states = True
        self.rpc_socket = self._listen()
        self.stream_socket = self._listen()
        self.tm_socket = self._listen()
        self.tm_requests = []
        self.port = self.rpc_socket.getsockname()[1]
        self.stream_port = self.stream_socket.getsockname()[1]
        self.tm_port = self.tm_socket.getsockname()[1]
        threading.Thread(target=self._accept, args=(self.tm_socket, self._serve_tm),
                         daemon=True).start()
        threading.Thread(target=self._accept, args=(self.rpc_socket, self._serve_rpc),
                         daemon=True).start()
        threading.Thread(target=self._accept, args=(self.stream_socket, self._serve_stream),
                         daemon=True).start()

    @staticmethod
    def _listen():
        s = socket.socket()
        s.bind(('127.0.0.1', 0))
        s.listen(8)
        return s

    def close(self):
        for s in (self.rpc_socket, self.stream_socket, self.tm_socket):
            s.close()

    def token(self, stream_id):
        return _stream.make_token(stream_id, self.stream_port, '0.0.0.0')

    def state_message(self):
        return episode_message(self.episode_id, self.frame, self.frame * 0.05, 0.05,
                               [actor_record(1), actor_record(100, pose=(1, 2, 3, 0, 0, 0))])

    def broadcast_state(self):
        if not self.send_states:
            return
        message = self.state_message()
        for conn in list(self.episode_connections):
            try:
                conn.sendall(struct.pack('<I', len(message)) + message)
            except OSError:   # a client closed that stream
                self.episode_connections.remove(conn)

    def handle(self, method, args):
        if method == 'version':
            return [[1, '0.9.16']]
        if method == 'get_episode_info':
            return [[1, [self.episode_id, [self.token(1)]]]]
        if method == 'get_sensor_token':
            return [[1, [self.token(args[0])]]]
        if method == 'get_episode_settings':
            return [[1, [self.synchronous, False, [True, 0.05], False, 0.01, 10, 0.0, True,
                         3000.0, 2000.0, True]]]
        if method in ('get_required_files', 'query_lights_state'):
            return [[1, []]]
        if method == 'tick_cue':
            with self.lock:
                self.frame += 1
                image = (SENSOR_HEADER.pack(13, self.frame, 0.05 * self.frame, 1, 2, 3, 0, 0, 0)
                         + struct.pack('<IIf', 2, 1, 90.0) + bytes([10, 20, 30, 0, 40, 50, 60, 0]))
                for conn in self.sensor_connections.values():
                    conn.sendall(struct.pack('<I', len(image)) + image)
                self.broadcast_state()
                return [[1, self.frame]]
        if method == 'get_actors_by_id':
            return [[1, [[i, 0, [0, 'vehicle.test' if i == 100 else 'spectator', []],
                          [[0, 0, 0], [1, 1, 1], [0, 0, 0], i], b'', b''] for i in args[0]]]]
        if method == 'spawn_actor':
            return [[1, [101, 0, args[0], [[0, 0, 0], [1, 1, 1], [0, 0, 0], 101], b'',
                         self.token(5)]]]
        if method == 'destroy_actor':
            return [[0, ['actor %d is gone' % args[0]]]]
        if method == 'load_new_episode':
            if args[0] not in ('', 'Town02'):
                return [[True, ["Map '%s' not found" % args[0]]]]
            self.episode_id += 1
            return [[False]]
        if method == 'is_traffic_manager_running':
            return [[1, True]]
        if method == 'get_traffic_manager_running':
            return [[1, ['127.0.0.1', self.tm_port]]]
        if method == 'apply_batch':   # not wrapped: one Response<ActorId> per command
            return [[[1, 100]] if command[0][0] == 16 else [[0, ['unsupported']]]
                    for command in args[0]]
        return None

    def _accept(self, listener, serve):
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    def _serve_rpc(self, conn):
        unpacker = msgpack.Unpacker(raw=False)
        while True:
            data = conn.recv(65536)
            if not data:
                return
            self.raw += data
            unpacker.feed(data)
            for _, msgid, method, params in unpacker:
                self.requests.append((method, params))
                if params[0] == [True]:
                    continue  # as our server: fire-and-forget calls get no answer
                result = self.handle(method, params[1:])
                if result is None:
                    conn.sendall(msgpack.packb([1, msgid, 'unknown function', None]))
                else:
                    conn.sendall(msgpack.packb([1, msgid, None, result]))

    def _serve_tm(self, conn):
        unpacker = msgpack.Unpacker(raw=False)
        while True:
            data = conn.recv(65536)
            if not data:
                return
            unpacker.feed(data)
            for message in unpacker:
                self.tm_requests.append(message)
                result = True if message[2] == 'health_check_remote_TM' else None
                conn.sendall(msgpack.packb([1, message[1], None, result]))

    def _serve_stream(self, conn):
        stream_id = struct.unpack('<I', conn.recv(4))[0]
        self.stream_ids.put(stream_id)
        with self.lock:
            if stream_id == 1:
                self.episode_connections.append(conn)
                message = self.state_message()
                conn.sendall(struct.pack('<I', len(message)) + message)
            else:
                self.sensor_connections[stream_id] = conn


@pytest.fixture
def fake():
    server = FakeSimulator()
    yield server
    server.close()


def request(msgid, method, *args, blocking=True):
    return msgpack.packb([0, msgid, method, [[not blocking], *args]])


def test_get_server_version_sends_one_blocking_request(fake):
    client = carla.Client('127.0.0.1', fake.port)
    assert client.get_server_version() == '0.9.16'
    assert bytes(fake.raw) == request(1, 'version')


def test_get_world_runs_carla_connection_sequence(fake):
    client = carla.Client('127.0.0.1', fake.port)
    world = client.get_world()
    assert world.id == 1
    assert [method for method, _ in fake.requests] == [
        'version', 'get_episode_info', 'get_sensor_token', 'get_episode_settings',
        'get_required_files', 'query_lights_state']
    expected = b''.join([
        request(1, 'version'), request(2, 'get_episode_info'), request(3, 'get_sensor_token', 1),
        request(4, 'get_episode_settings'), request(5, 'get_required_files', 'Nav'),
        request(6, 'query_lights_state', '127.0.0.1:%d' % fake.port)])
    assert bytes(fake.raw) == expected
    assert fake.stream_ids.get(timeout=10) == 1


def test_tick_sends_tick_cue_and_returns_after_that_frame_arrives(fake):
    client = carla.Client('127.0.0.1', fake.port)
    world = client.get_world()
    sent_before = len(fake.raw)
    frame = world.tick()
    assert frame == 1
    assert world.get_snapshot().frame == 1
    assert bytes(fake.raw[sent_before:]) == request(7, 'tick_cue')
    t = world.get_actor(100).get_transform()
    assert (t.location.x, t.location.y, t.location.z) == (1.0, 2.0, 3.0)


def test_tick_raises_carla_timeout_when_the_frame_never_arrives(fake):
    client = carla.Client('127.0.0.1', fake.port)
    world = client.get_world()
    world.tick()   # the state sent on subscription has arrived before this one
    fake.send_states = False
    with pytest.raises(RuntimeError, match=r'^time-out of 200ms while waiting for the simulator, '
                                           r'make sure the simulator is ready and connected to '
                                           r'127\.0\.0\.1:%d$' % fake.port):
        world.tick(0.2)
    with pytest.raises(RuntimeError, match=r'^time-out of 7ms while waiting'):
        world.wait_for_tick(0.007)


def test_fire_and_forget_calls_carry_true_metadata_and_are_not_awaited(fake):
    client = carla.Client('127.0.0.1', fake.port)
    client.set_timeout(1.0)
    client.stop_recorder()
    client.set_replayer_time_factor(2.0)
    assert client.get_server_version() == '0.9.16'
    assert bytes(fake.raw) == (request(1, 'stop_recorder', blocking=False)
                               + request(2, 'set_replayer_time_factor', 2.0, blocking=False)
                               + request(3, 'version'))


def test_server_errors_become_runtime_errors(fake):
    client = carla.Client('127.0.0.1', fake.port)
    with pytest.raises(RuntimeError, match='^rpc::rpc_error during call in function '
                                           'get_available_maps$'):
        client.get_available_maps()


def test_destroy_failure_is_logged_and_returns_false(fake, capfd):
    client = carla.Client('127.0.0.1', fake.port)
    world = client.get_world()
    world.tick()
    actor = world.get_actor(100)
    assert actor.destroy() is False
    assert capfd.readouterr().err == 'ERROR: failed to destroy actor 100 : actor 100 is gone \n'


def test_unreachable_simulator_times_out_with_carla_text():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    client = carla.Client('localhost', port)
    client.set_timeout(0.3)
    with pytest.raises(RuntimeError, match=r'^time-out of 300ms while waiting for the simulator, '
                                           r'make sure the simulator is ready and connected to '
                                           r'localhost:%d$' % port):
        client.get_server_version()


def test_sensor_listen_subscribes_with_the_returned_token_and_decodes_images(fake):
    client = carla.Client('127.0.0.1', fake.port)
    world = client.get_world()
    assert fake.stream_ids.get(timeout=10) == 1
    blueprint = carla.ActorBlueprint._from_wire([1, 'sensor.camera.rgb', 'sensor,camera', []])
    camera = world.spawn_actor(blueprint, carla.Transform())
    assert isinstance(camera, carla.ServerSideSensor)
    images = queue.Queue()
    camera.listen(images.put)
    assert fake.stream_ids.get(timeout=10) == 5
    assert ('get_sensor_token', [[False], 5]) in fake.requests
    frame = world.tick()
    image = images.get(timeout=10)
    assert (image.frame, image.width, image.height, image.fov) == (frame, 2, 1, 90.0)
    assert bytes(image.raw_data) == bytes([10, 20, 30, 255, 40, 50, 60, 255])
    assert str(image) == 'Image(frame=%d, timestamp=%f, size=2x1)' % (frame, image.timestamp)
    camera.stop()
    assert not camera.is_listening()


def test_image_conversions_match_carla():
    pixels = np.array([[0, 98, 0, 7], [216, 98, 7, 9], [1, 0, 0, 0], [0, 0, 200, 5]], np.uint8)
    payload = bytearray(SENSOR_HEADER.pack(13, 1, 0.0, 0, 0, 0, 0, 0, 0)
                        + struct.pack('<IIf', 4, 1, 90.0) + pixels.tobytes())
    image = carla.sensor_data.deserialize(payload)
    assert image[3].r == 200 and image[3].a == 255
    image.convert(carla.ColorConverter.Depth)
    raw = np.frombuffer(image.raw_data, np.uint8).reshape(-1, 4)
    depth = (pixels[:, 2] + pixels[:, 1] * 256.0 + pixels[:, 0] * 65536.0) / 16777215.0
    assert raw[:, 0].tolist() == np.floor(depth * 255 + 0.5).astype(int).tolist()
    assert (raw[:, 0] == raw[:, 1]).all() and (raw[:, 3] == 255).all()


def test_autopilot_talks_plain_rpc_to_the_traffic_manager_the_server_reports(fake):
    client = carla.Client('127.0.0.1', fake.port)
    world = client.get_world()
    world.tick()
    vehicle = world.get_actor(100)
    vehicle.set_autopilot(True)
    vehicle.set_autopilot(False, 8000)
    rpc_methods = [method for method, _ in fake.requests]
    assert rpc_methods[-2:] == ['is_traffic_manager_running', 'get_traffic_manager_running']
    assert fake.requests[-1][1] == [[False], 8000]
    wire = [100, 0, [0, 'vehicle.test', []], [[0, 0, 0], [1, 1, 1], [0, 0, 0], 100], b'', b'']
    assert fake.tm_requests == [[0, 1, 'health_check_remote_TM', []],
                                [0, 2, 'register_vehicle', [[wire]]],
                                [0, 3, 'unregister_vehicle', [[wire]]]]


def test_apply_batch_sync_reads_the_unwrapped_list_and_registers_autopilots(fake):
    client = carla.Client('127.0.0.1', fake.port)
    world = client.get_world()
    world.tick()
    responses = client.apply_batch_sync(
        [carla.command.SetAutopilot(100, True), carla.command.DestroyActor(5)], True)
    assert [(r.actor_id, r.error, r.has_error()) for r in responses] == [
        (100, '', False), (0, 'unsupported', True)]
    method, params = [r for r in fake.requests if r[0] == 'apply_batch'][0]
    assert params == [[False], [[[16, [100, True]]], [[1, [5]]]], True]
    assert [m[2] for m in fake.tm_requests] == ['health_check_remote_TM', 'register_vehicle',
                                                 'unregister_vehicle']
    assert fake.tm_requests[1][3][0][0][0] == 100 and fake.tm_requests[2][3] == [[]]


def test_load_world_starts_a_new_episode_and_the_old_callbacks_stop(fake):
    client = carla.Client('127.0.0.1', fake.port)
    world = client.get_world()
    calls = []
    assert world.on_tick(lambda snapshot: calls.append(snapshot.frame)) == 2
    world.tick()
    with pytest.raises(RuntimeError, match="^Map 'Nowhere' not found$"):
        client.load_world('Nowhere')
    before = len(fake.requests)
    new_world = client.load_world('Town02', False)
    assert (world.id, new_world.id) == (1, 2)
    assert [m for m, _ in fake.requests[before:before + 8]] == [
        'load_new_episode', 'version', 'get_episode_info', 'get_sensor_token',
        'get_episode_settings', 'get_required_files', 'query_lights_state',
        'get_episode_settings']
    assert fake.requests[before][1] == [[False], 'Town02', False, 65535]
    calls.clear()
    new_world.tick()
    assert calls == [] and new_world.get_snapshot().id == 2
    assert new_world.on_tick(lambda snapshot: None) == 2
