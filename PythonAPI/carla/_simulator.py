"""The client-side simulator: one RPC connection, the current episode and CARLA's call sequences.

Public classes (Client, World, Actor, ...) are thin views over this object, as in CARLA where they
hold an episode proxy that points at the simulator.
"""

import sys
import threading

from . import _episode, _stream
from ._rpc import RpcClient

CLIENT_VERSION = '0.9.16'
MAP_LAYER_ALL = 0xFFFF
_LOAD_POLL_SECONDS = 0.05
_SETTINGS_SYNC_SECONDS = 1.0   # measured on the 0.9.16 wheel (not 10 s)
_SETTINGS_TICK_ATTEMPTS = 30
_FLOAT_EPSILON = 1.1920929e-07


def log_warning(*parts):
    """CARLA's warning format: every part followed by one space."""
    sys.stderr.write('WARNING: ' + ''.join('%s ' % (p,) for p in parts) + '\n')
    sys.stderr.flush()


def log_error(*parts):
    sys.stderr.write('ERROR: ' + ''.join('%s ' % (p,) for p in parts) + '\n')
    sys.stderr.flush()


class ActorDescription:
    """A decoded ``rpc::Actor`` (kept with its wire form, which the Traffic Manager needs)."""

    __slots__ = ('id', 'parent_id', 'uid', 'type_id', 'attributes', 'bounding_box_wire',
                 'semantic_tags', 'stream_token', 'wire')

    def __init__(self, wire):
        self.wire = wire
        self.id = int(wire[0])
        self.parent_id = int(wire[1])
        description = wire[2]
        self.uid = description[0]
        self.type_id = description[1]
        self.attributes = description[2] if len(description) > 2 else []
        self.bounding_box_wire = wire[3] if len(wire) > 3 else None
        self.semantic_tags = list(bytes(wire[4])) if len(wire) > 4 and wire[4] else []
        self.stream_token = bytes(wire[5]) if len(wire) > 5 and wire[5] else b''


class Simulator:
    """Holds the RPC client and the current episode; implements CARLA's client sequences."""

    def __init__(self, host, port):
        self.host = host
        self.rpc = RpcClient(host, port)
        self._episode = None
        self._episode_lock = threading.RLock()
        self._cached_map = None
        self._traffic_managers = {}
        self._navigation = None        # (episode id, _walker_ai.WalkerNavigation) once walkers need it
        self._sensor_streams = {}
        self._sensor_lock = threading.Lock()
        self.lights_state = None

    @property
    def endpoint(self):
        return self.rpc.endpoint

    @property
    def timeout(self):
        return self.rpc.timeout

    # -- episode -----------------------------------------------------------------------------

    def episode(self):
        """The current episode, running CARLA's connection sequence the first time."""
        episode = self._episode
        if episode is not None:
            return episode
        with self._episode_lock:
            if self._episode is None:
                self._validate_versions()
                episode = _episode.Episode(self.rpc, self.host)
                episode.listen()
                self._episode = episode
                settings = self.rpc.call('get_episode_settings')
                self.rpc.call('get_required_files', 'Nav')
                if not settings[0]:
                    self.wait_for_tick(self.timeout)
                self.lights_state = self.rpc.call('query_lights_state', self.endpoint)
            return self._episode

    def _validate_versions(self):
        server = self.rpc.call('version')
        if server != CLIENT_VERSION:
            log_warning('Version mismatch detected: You are trying to connect to a simulator',
                        'that might be incompatible with this API')
            log_warning('Client API version     =', CLIENT_VERSION)
            log_warning('Simulator API version  =', server)

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def load_episode(self, map_name, reset_settings=True, map_layers=MAP_LAYER_ALL):
        """load_new_episode, then a fresh episode, polling until its id differs from the old one."""
        old_id = self.episode().id
        self.rpc.call_void('load_new_episode', map_name, bool(reset_settings), int(map_layers))
        with self._episode_lock:
            old, self._episode = self._episode, None
            if old is not None:
                old.close()
            self._cached_map = None
        episode = self.episode()
        attempts = int(self.timeout * 1000) // int(_LOAD_POLL_SECONDS * 1000)
        for _ in range(attempts):
            if self.rpc.call('get_episode_settings')[0]:
                self.rpc.call('tick_cue')
            episode.wait_for_state(_LOAD_POLL_SECONDS)
            if self.episode().id != old_id:
                return self.episode()
        raise RuntimeError('failed to connect to newly created map')

    def close(self):
        with self._episode_lock:
            if self._episode is not None:
                self._episode.close()
                self._episode = None
        with self._sensor_lock:
            streams, self._sensor_streams = list(self._sensor_streams.values()), {}
        for subscription in streams:
            subscription.stop()
        self.rpc.close()

    # -- ticks -------------------------------------------------------------------------------

    def wait_for_tick(self, timeout):
        self.navigation_tick()
        state = self.episode().wait_for_state(timeout)
        if state is None:
            raise self.rpc.timeout_error(timeout)
        return state

    def tick(self, timeout):
        episode = self.episode()
        self.navigation_tick()
        frame = self.rpc.call('tick_cue')
        if not episode.wait_for_frame(frame, timeout):
            raise self.rpc.timeout_error(timeout)
        return frame

    def set_episode_settings(self, settings_wire, synchronous, has_fixed_delta):
        if synchronous and not has_fixed_delta:
            log_warning("synchronous mode enabled with variable delta seconds. It is highly "
                        "recommended to set 'fixed_delta_seconds' when running on synchronous "
                        "mode.")
        frame = self.rpc.call('set_episode_settings', settings_wire)
        self.episode().wait_for_frame(frame, _SETTINGS_SYNC_SECONDS)
        return frame

    def apply_settings(self, settings_wire, synchronous, fixed_delta_seconds, timeout):
        """CARLA's World::ApplySettings: set, then tick until two snapshots show the new delta."""
        has_fixed_delta = fixed_delta_seconds is not None
        frame = self.set_episode_settings(settings_wire, synchronous, has_fixed_delta)
        if fixed_delta_seconds is not None:
            correct = 0
            for _ in range(_SETTINGS_TICK_ATTEMPTS):
                delta = self.episode().state.delta_seconds
                if abs(fixed_delta_seconds - delta) < _FLOAT_EPSILON:
                    correct += 1
                if correct >= 2:
                    return frame
                self.tick(timeout)
            log_warning('World::ApplySettings: After', _SETTINGS_TICK_ATTEMPTS,
                        ' attemps, the settings were not correctly set. Please check that '
                        'everything is consistent.')
        return frame

    # -- walker navigation -------------------------------------------------------------------

    def navigation(self):
        """The current episode's walker navigation, made (and its mesh fetched) on first use."""
        from ._walker_ai import WalkerNavigation   # here: the walker AI itself builds on this module
        episode_id = self.episode().id
        with self._episode_lock:
            if self._navigation is None or self._navigation[0] != episode_id:
                self._navigation = (episode_id, WalkerNavigation(self))
            return self._navigation[1]

    def navigation_tick(self):
        """Step the walker AI before a tick, as CARLA's client does (only once a navigation exists)."""
        current = self._navigation
        if current is not None and current[0] == self.episode().id:
            current[1].tick(self.episode().state)

    # -- actors ------------------------------------------------------------------------------

    def actor_descriptions(self, actor_ids):
        return self.episode().actors_by_id(actor_ids, ActorDescription)

    def actor_description(self, actor_id):
        found = self.actor_descriptions([actor_id])
        return found[0] if found else None

    def register_actor(self, wire):
        description = ActorDescription(wire)
        self.episode().register_actor(description)
        return description

    # -- sensor streams ----------------------------------------------------------------------

    def subscribe_sensor(self, token, on_payload):
        """One subscription per stream, shared by every Python object of the same sensor."""
        stream_id = _stream.parse_token(token).stream_id
        with self._sensor_lock:
            old = self._sensor_streams.pop(stream_id, None)
        if old is not None:
            old.stop()
        subscription = _episode.subscribe(self.rpc, self.host, token, on_payload, 'sensor')
        with self._sensor_lock:
            self._sensor_streams[stream_id] = subscription

    def unsubscribe_sensor(self, token):
        stream_id = _stream.parse_token(token).stream_id
        with self._sensor_lock:
            subscription = self._sensor_streams.pop(stream_id, None)
        if subscription is not None:
            subscription.stop()

    # -- map ---------------------------------------------------------------------------------

    def cached_map(self):
        """The cached map, or None when it must be fetched. As CARLA's client, the change flag
        starts set and is only consumed once a map is cached, so the second call fetches again."""
        if self._cached_map is None or self.episode().take_map_changed():
            return None
        return self._cached_map

    def set_cached_map(self, world_map):
        self._cached_map = world_map

    # -- traffic managers --------------------------------------------------------------------

    def traffic_manager(self, port):
        from ._traffic_manager import TrafficManager
        with self._episode_lock:
            tm = self._traffic_managers.get(port)
            if tm is None:
                tm = TrafficManager._connect(self, port)
                self._traffic_managers[port] = tm
            return tm
