"""Episode state: decoding of the episode stream and the client's view of one episode.

An episode-state message is the 48-byte sensor header, a 36-byte episode header and one packed
119-byte ActorDynamicState record per actor. Records stay in the received buffer and are read as a
numpy structured array (bulk queries) or with ``struct`` (one actor).
"""

import struct
import threading
import time

import numpy as np

from . import _stream

EPISODE_STATE_SENSOR_TYPE = 17
SENSOR_HEADER = struct.Struct('<QQd6f')     # type, frame, timestamp, location, rotation
EPISODE_HEADER = struct.Struct('<Qdf3iI')   # episode id, platform time, delta, origin, flags
RECORDS_OFFSET = SENSOR_HEADER.size + EPISODE_HEADER.size   # 84
RECORD_SIZE = 119
SIMULATION_MAP_CHANGE = 1
SIMULATION_PENDING_LIGHT_UPDATE = 2

ACTOR_STATE_INVALID = 0
ACTOR_STATE_ACTIVE = 1
ACTOR_STATE_DORMANT = 2
ACTOR_STATE_PENDING_KILL = 3

# One record; the type-dependent union (offset 65, 54 bytes) is described by overlapping fields.
ACTOR_DTYPE = np.dtype({
    'names': ['id', 'actor_state', 'location', 'rotation', 'velocity', 'angular_velocity',
              'acceleration',
              'throttle', 'steer', 'brake', 'hand_brake', 'reverse', 'manual_gear_shift', 'gear',
              'speed_limit', 'traffic_light_state', 'has_traffic_light', 'traffic_light_id',
              'sign_id', 'green_time', 'yellow_time', 'red_time', 'elapsed_time', 'pole_index',
              'time_is_frozen', 'light_state',
              'walker_direction', 'walker_speed', 'walker_jump'],
    'formats': ['<u4', 'u1', ('<f4', 3), ('<f4', 3), ('<f4', 3), ('<f4', 3), ('<f4', 3),
                '<f4', '<f4', '<f4', '?', '?', '?', '<i4', '<f4', 'u1', '?', '<u4',
                'S32', '<f4', '<f4', '<f4', '<f4', '<u4', '?', 'u1',
                ('<f4', 3), '<f4', '?'],
    'offsets': [0, 4, 5, 17, 29, 41, 53,
                65, 69, 73, 77, 78, 79, 80, 84, 88, 89, 90,
                65, 97, 101, 105, 109, 113, 117, 118,
                65, 77, 81],
    'itemsize': RECORD_SIZE,
})

_RECORD_KINEMATICS = struct.Struct('<B15f')   # state, transform, velocity, angular velocity, accel.
_VEHICLE_DATA = struct.Struct('<3f3?ifB?I')
_WALKER_DATA = struct.Struct('<4f?')
_TRAFFIC_LIGHT_DATA = struct.Struct('<32s4fI?B')


class EpisodeState:
    """One decoded episode-state message (immutable)."""

    __slots__ = ('episode_id', 'frame', 'elapsed_seconds', 'delta_seconds', 'platform_timestamp',
                 'map_origin', 'simulation_state', 'count', '_buffer', '_index', '_records',
                 '_ordered_ids')

    def __init__(self, episode_id, frame=0, elapsed_seconds=0.0, delta_seconds=0.0,
                 platform_timestamp=0.0, map_origin=(0, 0, 0), simulation_state=0,
                 buffer=b'', count=0):
        self.episode_id = episode_id
        self.frame = frame
        self.elapsed_seconds = elapsed_seconds
        self.delta_seconds = delta_seconds
        self.platform_timestamp = platform_timestamp
        self.map_origin = map_origin
        self.simulation_state = simulation_state
        self.count = count
        self._buffer = buffer
        self._index = None
        self._records = None
        self._ordered_ids = None

    @classmethod
    def decode(cls, payload):
        """Decode a full stream payload (sensor header included)."""
        if len(payload) < RECORDS_OFFSET:
            raise ValueError('episode state of %d bytes is too short' % len(payload))
        sensor_type, frame, elapsed = SENSOR_HEADER.unpack_from(payload, 0)[:3]
        if sensor_type != EPISODE_STATE_SENSOR_TYPE:
            raise ValueError('episode stream carried sensor type %d' % sensor_type)
        (episode_id, platform_timestamp, delta, ox, oy, oz,
         simulation_state) = EPISODE_HEADER.unpack_from(payload, SENSOR_HEADER.size)
        count = (len(payload) - RECORDS_OFFSET) // RECORD_SIZE
        return cls(episode_id, frame, elapsed, delta, platform_timestamp, (ox, oy, oz),
                   simulation_state, payload, count)

    # -- bulk access -------------------------------------------------------------------------

    @property
    def records(self):
        """All ActorDynamicState records as a read-only numpy structured array."""
        records = self._records
        if records is None:
            if self.count:
                records = np.frombuffer(self._buffer, dtype=ACTOR_DTYPE, count=self.count,
                                        offset=RECORDS_OFFSET)
            else:
                records = np.zeros(0, dtype=ACTOR_DTYPE)
            records.flags.writeable = False
            self._records = records
        return records

    def actor_ids(self):
        """Actor ids in the order CARLA's client lists them (its hash map's iteration order)."""
        ids = self._ordered_ids
        if ids is None:
            ids = self._ordered_ids = unordered_map_order(self.records['id'].tolist())
        return list(ids)

    # -- one actor ---------------------------------------------------------------------------

    def index_of(self, actor_id):
        index = self._index
        if index is None:
            index = self._index = {aid: i for i, aid in enumerate(self.records['id'].tolist())}
        return index.get(actor_id)

    def has_actor(self, actor_id):
        return self.index_of(actor_id) is not None

    def _offset(self, actor_id):
        i = self.index_of(actor_id)
        return None if i is None else RECORDS_OFFSET + i * RECORD_SIZE

    def actor_state(self, actor_id):
        offset = self._offset(actor_id)
        return ACTOR_STATE_INVALID if offset is None else self._buffer[offset + 4]

    def kinematics(self, actor_id):
        """(state, x, y, z, pitch, yaw, roll, vx, vy, vz, wx, wy, wz, ax, ay, az) or None."""
        offset = self._offset(actor_id)
        if offset is None:
            return None
        return _RECORD_KINEMATICS.unpack_from(self._buffer, offset + 4)

    def vehicle_data(self, actor_id):
        """(throttle, steer, brake, hand_brake, reverse, manual_gear_shift, gear, speed_limit,
        traffic_light_state, has_traffic_light, traffic_light_id) or None."""
        offset = self._offset(actor_id)
        if offset is None:
            return None
        return _VEHICLE_DATA.unpack_from(self._buffer, offset + 65)

    def walker_data(self, actor_id):
        """(dx, dy, dz, speed, jump) or None."""
        offset = self._offset(actor_id)
        if offset is None:
            return None
        return _WALKER_DATA.unpack_from(self._buffer, offset + 65)

    def traffic_light_data(self, actor_id):
        """(sign_id, green, yellow, red, elapsed, pole_index, time_is_frozen, state) or None."""
        offset = self._offset(actor_id)
        if offset is None:
            return None
        return _TRAFFIC_LIGHT_DATA.unpack_from(self._buffer, offset + 65)


# libstdc++'s bucket counts: a fast table below 14 elements, then primes (max load factor 1).
_SMALL_BUCKET_COUNTS = (1, 2, 2, 3, 5, 5, 7, 7, 11, 11, 11, 11, 13, 13)
_BUCKET_PRIMES = (
    17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 103, 109, 113,
    127, 137, 139, 149, 157, 167, 179, 193, 199, 211, 227, 241, 257, 277, 293, 313, 337, 359,
    383, 409, 439, 467, 503, 541, 577, 619, 661, 709, 761, 823, 887, 953, 1031, 1109, 1193,
    1289, 1381, 1493, 1613, 1741, 1879, 2029, 2179, 2357, 2549, 2753, 2971, 3209, 3469, 3739,
    4027, 4349, 4703, 5087, 5503, 5953, 6427, 6949, 7517, 8123, 8783, 9497, 10273, 11113,
    12011, 12983, 14033, 15173, 16411, 17749, 19183, 20753, 22447, 24281, 26267, 28411, 30727,
    33223, 35933, 38873, 42043, 45481, 49201, 53201, 57557, 62233, 67307, 72817, 78779, 85229,
    92203, 99733, 107897, 116731, 126271, 136607, 147793, 159871, 172933, 187091, 202409,
    218971, 236897, 256279, 277261, 299951, 324503, 351061, 379787, 410857, 444487, 480881,
    520241, 562841, 608903, 658753, 712697, 771049, 834181, 902483, 976369, 1056323)


def _bucket_count(elements):
    if elements < len(_SMALL_BUCKET_COUNTS):
        return _SMALL_BUCKET_COUNTS[elements]
    for prime in _BUCKET_PRIMES:
        if prime >= elements:
            return prime
    return elements | 1


def unordered_map_order(keys):
    """Iteration order of a libstdc++ ``unordered_map<uint32, T>`` reserved for ``len(keys)``
    and filled in the order given (CARLA's EpisodeState keeps its actors in one)."""
    buckets = _bucket_count(len(keys))
    following = {}
    before = {}             # bucket -> node preceding the bucket's first node (None: list head)
    head = None
    for key in keys:
        if key in following:
            continue
        bucket = key % buckets
        if bucket in before:
            previous = before[bucket]
            if previous is None:
                following[key], head = head, key
            else:
                following[key], following[previous] = following[previous], key
        else:
            following[key], head = head, key
            before[bucket] = None
            if following[key] is not None:
                before[following[key] % buckets] = key
    order = []
    node = head
    while node is not None:
        order.append(node)
        node = following[node]
    return order


class CallbackList:
    """Tick callbacks by id. CARLA registers an internal callback first, so ids start at 2."""

    def __init__(self, first_id=2):
        self._next_id = first_id
        self._callbacks = {}
        self._lock = threading.Lock()

    def push(self, callback):
        with self._lock:
            callback_id = self._next_id
            self._next_id += 1
            self._callbacks[callback_id] = callback
            return callback_id

    def remove(self, callback_id):
        with self._lock:
            self._callbacks.pop(callback_id, None)

    def call(self, *args):
        if not self._callbacks:
            return
        with self._lock:
            callbacks = list(self._callbacks.values())
        for callback in callbacks:
            try:
                callback(*args)
            except Exception:  # as CARLA: print the error, keep the stream alive
                _stream.report_callback_error()


class Episode:
    """The client's view of the current episode: stream, latest state, waits, callbacks, actors."""

    def __init__(self, rpc, host):
        self._rpc = rpc
        self._host = host
        episode_id, token = rpc.call('get_episode_info')
        self._token = _stream.parse_token(token)
        self._state = EpisodeState(episode_id)
        self._condition = threading.Condition(threading.Lock())
        self._generation = 0
        self.on_tick_callbacks = CallbackList()
        self.map_changed = True
        self._actors = {}
        self._actors_lock = threading.Lock()
        self._subscription = None
        self._closed = False

    # -- identity and state ------------------------------------------------------------------

    @property
    def id(self):
        return self._state.episode_id

    @property
    def state(self):
        return self._state

    # -- stream ------------------------------------------------------------------------------

    def listen(self):
        """Subscribe to the episode stream (get_sensor_token, then a TCP connection)."""
        self._subscription = subscribe(self._rpc, self._host, self._token, self._on_payload,
                                       'episode')

    def take_map_changed(self):
        """Whether the map changed since the last call (a new episode or a MapChange flag)."""
        changed, self.map_changed = self.map_changed, False
        return changed

    def settle(self, timeout=0.5):
        """Let the stream thread handle the states that have already reached this machine."""
        subscription = self._subscription
        if subscription is not None:
            subscription.settle(timeout)

    def close(self):
        self._closed = True
        if self._subscription is not None:
            self._subscription.stop()
            self._subscription = None

    def _on_payload(self, payload):
        try:
            state = EpisodeState.decode(payload)
        except ValueError:
            return
        with self._condition:
            previous = self._state
            changed = state.episode_id != previous.episode_id
            if state.frame <= previous.frame and not changed:
                fresh = False
            else:
                fresh = True
                self._state = state
                if state.simulation_state & SIMULATION_MAP_CHANGE:
                    self.map_changed = True
                self._generation += 1
                self._condition.notify_all()
        if fresh and changed:
            # A new episode (another client loaded a map): actor ids and the map start over.
            with self._actors_lock:
                self._actors.clear()
            self.map_changed = True
        # CARLA calls the tick callbacks for every state, even one that is not newer.
        self.on_tick_callbacks.call(state)

    # -- waiting -----------------------------------------------------------------------------

    def wait_for_state(self, timeout):
        """The next state to arrive after this call, or None after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._condition:
            generation = self._generation
            while self._generation == generation:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._closed:
                    return None
                self._condition.wait(remaining)
            return self._state

    def wait_for_frame(self, frame, timeout):
        """True once a state with frame >= ``frame`` has arrived, False after ``timeout``."""
        if self._state.frame >= frame:
            return True
        deadline = time.monotonic() + timeout
        with self._condition:
            while self._state.frame < frame:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._closed:
                    return False
                self._condition.wait(remaining)
            return True

    # -- actor descriptions ------------------------------------------------------------------

    def register_actor(self, description):
        with self._actors_lock:
            self._actors[description.id] = description

    def cached_actor(self, actor_id):
        return self._actors.get(actor_id)

    def actors_by_id(self, actor_ids, decode):
        """Descriptions for ``actor_ids`` (in order, unknown ids dropped); fetches missing ones."""
        actor_ids = list(actor_ids)
        missing = [i for i in actor_ids if i not in self._actors]
        if missing:
            found = [decode(wire) for wire in self._rpc.call('get_actors_by_id', missing)]
            with self._actors_lock:
                for description in found:
                    self._actors[description.id] = description
        actors = self._actors
        return [actors[i] for i in actor_ids if i in actors]


def subscribe(rpc, host, token, on_payload, name='sensor'):
    """CARLA's subscription: ask ``get_sensor_token`` for the stream id, connect to its answer."""
    if not isinstance(token, _stream.Token):
        token = _stream.parse_token(token)
    target = _stream.parse_token(rpc.call('get_sensor_token', token.stream_id))
    return _stream.StreamSubscription(_stream.token_host(target, host), target.port,
                                      target.stream_id, on_payload, name)
