"""Traffic Manager client: talks to a Traffic Manager the simulator reports as running.

CARLA can run a Traffic Manager inside the client process; this client cannot, so it only
connects to one already running (our server hosts it). The Traffic Manager speaks plain
msgpack-RPC: no metadata argument, no Response wrapper. Arguments are checked as the official
client's converters check them; a call the TM refuses raises RuntimeError.
"""

import functools
import inspect

from ._rpc import RpcClient
from .geometry import Location, _float32, _int, _mismatch

TM_TIMEOUT_SECONDS = 2.0
_ROUTE_OPTIONS = {'Void': 0, 'Left': 1, 'Right': 2, 'Straight': 3, 'LaneFollow': 4,
                  'ChangeLaneLeft': 5, 'ChangeLaneRight': 6, 'RoadEnd': 7}
_ACTOR = 'boost::shared_ptr<carla::client::Actor>'
_SELF = 'carla::traffic_manager::TrafficManager {lvalue}'


def _bool(value):
    """Boost.Python's bool converter: bool, int or None."""
    if value is None or value is True or value is False:
        return bool(value)
    if isinstance(value, int) or type(value).__name__ == 'bool_':
        return bool(value)
    raise TypeError('not a bool')


def _actor(value):
    from .actor import Actor
    if not isinstance(value, Actor):
        raise TypeError('not an actor')
    return value._description.wire


def _seed(value):
    """An unsigned 64-bit integer, as Boost.Python converts ``unsigned long`` (floats refused)."""
    return _int(value, 'TrafficManager.set_random_device_seed', 0, 2 ** 64 - 1)


def _list(value):
    if not isinstance(value, list):
        raise TypeError('not a list')
    return value


_CPP_TYPES = {_actor: _ACTOR, _float32: 'float', _bool: 'bool', _seed: 'unsigned long',
              _list: 'boost::python::list'}


def _boost_arity(cls):
    """Calls with missing or extra arguments raise ArgumentError, as Boost.Python's dispatch does."""
    for name, method in list(vars(cls).items()):
        if name.startswith('_') or not callable(method):
            continue
        signature = inspect.signature(method)

        def checked(self, *args, _method=method, _signature=signature, _name=name, **kwargs):
            try:
                _signature.bind(self, *args, **kwargs)
            except TypeError:
                raise _mismatch('TrafficManager.' + _name, (self,) + args + tuple(kwargs.values()),
                                '%s%s' % (_name, _signature)) from None
            return _method(self, *args, **kwargs)
        setattr(cls, name, functools.wraps(method)(checked))
    return cls


@_boost_arity
class TrafficManager:
    """Handle to the Traffic Manager on one port."""

    def __init__(self, port, rpc, on_shut_down=None):
        self._port = port
        self._rpc = rpc
        self._on_shut_down = on_shut_down

    @classmethod
    def _connect(cls, simulator, port):
        rpc = simulator.rpc
        host, tm_port = '', 0
        if rpc.call('is_traffic_manager_running', port):
            host, tm_port = rpc.call('get_traffic_manager_running', port)[:2]
        if not host or not tm_port:
            raise RuntimeError(
                'no Traffic Manager is running on port %d, and this client cannot start one in '
                'its own process: use a server that hosts the Traffic Manager' % port)
        if host in ('0.0.0.0', '::'):
            host = simulator.host
        tm_rpc = RpcClient(host, tm_port, timeout=TM_TIMEOUT_SECONDS, with_metadata=False)
        try:
            tm_rpc.call_raw('health_check_remote_TM')
        except RuntimeError as error:
            tm_rpc.close()
            raise RuntimeError('the Traffic Manager at %s:%d does not answer: %s'
                               % (host, tm_port, error)) from None
        # After shut_down the simulator forgets this handle: the next use of the port reconnects.
        return cls(port, tm_rpc, lambda p: simulator._traffic_managers.pop(p, None))

    # -- plumbing ----------------------------------------------------------------------------

    def _args(self, name, values, names, converters):
        """Convert the arguments of ``TrafficManager.name``; a mismatch raises ArgumentError."""
        try:
            return [convert(value) for convert, value in zip(converters, values)]
        except (TypeError, ValueError):
            signature = '%s(%s, %s)' % (name, _SELF, ', '.join(
                '%s %s' % (_CPP_TYPES[c], n) for c, n in zip(converters, names)))
            raise _mismatch('TrafficManager.' + name, (self,) + tuple(values), signature) from None

    def _call(self, method, *args):
        """A TM call; after shut_down the handle is inert, as the official client's is."""
        if self._rpc is None:
            return None
        return self._rpc.call_raw(method, *args)

    def _actor_setter(self, name, method, actor, value, value_name, convert=_float32):
        wire_actor, value = self._args(name, (actor, value), ('actor', value_name), (_actor, convert))
        self._call(method, wire_actor, value)

    def _global_setter(self, name, method, value, value_name, convert=_float32):
        value, = self._args(name, (value,), (value_name,), (convert,))
        self._call(method, value)

    # -- vehicles ----------------------------------------------------------------------------

    def _register(self, actors):
        self._call('register_vehicle', [_actor(a) for a in actors])

    def _unregister(self, actors):
        self._call('unregister_vehicle', [_actor(a) for a in actors])

    def get_port(self):
        return self._port

    def vehicle_percentage_speed_difference(self, actor, percentage):
        self._actor_setter('vehicle_percentage_speed_difference', 'set_percentage_speed_difference',
                           actor, percentage, 'percentage')

    def vehicle_lane_offset(self, actor, offset):
        self._actor_setter('vehicle_lane_offset', 'set_lane_offset', actor, offset, 'offset')

    def set_desired_speed(self, actor, speed):
        self._actor_setter('set_desired_speed', 'set_desired_speed', actor, speed, 'speed')

    def global_percentage_speed_difference(self, percentage):
        self._global_setter('global_percentage_speed_difference',
                            'set_global_percentage_speed_difference', percentage, 'percentage')

    def global_lane_offset(self, offset):
        self._global_setter('global_lane_offset', 'set_global_lane_offset', offset, 'offset')

    def update_vehicle_lights(self, actor, do_update):
        self._actor_setter('update_vehicle_lights', 'update_vehicle_lights', actor, do_update,
                           'do_update', _bool)

    def collision_detection(self, reference_actor, other_actor, detect_collision):
        args = self._args('collision_detection', (reference_actor, other_actor, detect_collision),
                          ('reference_actor', 'other_actor', 'detect_collision'),
                          (_actor, _actor, _bool))
        self._call('set_collision_detection', *args)

    def force_lane_change(self, actor, direction):
        self._actor_setter('force_lane_change', 'set_force_lane_change', actor, direction,
                           'direction', _bool)

    def auto_lane_change(self, actor, enable):
        self._actor_setter('auto_lane_change', 'set_auto_lane_change', actor, enable, 'enable',
                           _bool)

    def distance_to_leading_vehicle(self, actor, distance):
        self._actor_setter('distance_to_leading_vehicle', 'set_distance_to_leading_vehicle', actor,
                           distance, 'distance')

    def ignore_walkers_percentage(self, actor, perc):
        self._actor_setter('ignore_walkers_percentage', 'set_percentage_ignore_walkers', actor,
                           perc, 'perc')

    def ignore_vehicles_percentage(self, actor, perc):
        self._actor_setter('ignore_vehicles_percentage', 'set_percentage_ignore_vehicles', actor,
                           perc, 'perc')

    def ignore_lights_percentage(self, actor, perc):
        self._actor_setter('ignore_lights_percentage', 'set_percentage_running_light', actor, perc,
                           'perc')

    def ignore_signs_percentage(self, actor, perc):
        self._actor_setter('ignore_signs_percentage', 'set_percentage_running_sign', actor, perc,
                           'perc')

    def keep_slow_lane_rule_percentage(self, actor, perc):
        self._actor_setter('keep_slow_lane_rule_percentage', 'keep_slow_lane_rule_percentage',
                           actor, perc, 'perc')

    def random_left_lanechange_percentage(self, actor, percentage):
        self._actor_setter('random_left_lanechange_percentage',
                           'random_left_lanechange_percentage', actor, percentage, 'percentage')

    def random_right_lanechange_percentage(self, actor, percentage):
        self._actor_setter('random_right_lanechange_percentage',
                           'random_right_lanechange_percentage', actor, percentage, 'percentage')

    def set_path(self, actor, path, empty_buffer=True):
        wire_actor, path, empty_buffer = self._args(
            'set_path', (actor, path, empty_buffer), ('actor', 'path', 'empty_buffer=True'),
            (_actor, _list, _bool))
        points = []
        for point in path:
            if not isinstance(point, Location):
                raise TypeError('No registered converter was able to produce a C++ rvalue of type '
                                'carla::geom::Location from this Python object of type %s'
                                % type(point).__name__)
            points.append(point._to_wire())
        self._call('set_path', wire_actor, points, empty_buffer)

    def set_route(self, actor, path, empty_buffer=True):
        wire_actor, path, empty_buffer = self._args(
            'set_route', (actor, path, empty_buffer), ('actor', 'path', 'empty_buffer=True'),
            (_actor, _list, _bool))
        codes = bytearray()
        for option in path:
            if not isinstance(option, str):
                raise TypeError('No registered converter was able to extract a C++ pointer to type '
                                'char from this Python object of type %s' % type(option).__name__)
            if option not in _ROUTE_OPTIONS:
                raise RuntimeError('unknown route option %r: expected one of %s'
                                   % (option, ', '.join(_ROUTE_OPTIONS)))
            codes.append(_ROUTE_OPTIONS[option])
        self._call('set_imported_route', wire_actor, bytes(codes), empty_buffer)

    def get_next_action(self, actor):
        """A remote Traffic Manager's client reports no action (CARLA's answers ['Void', None])."""
        self._args('get_next_action', (actor,), ('actor',), (_actor,))
        self._call('get_next_action', actor.id)
        return ['Void', None]

    def get_all_actions(self, actor):
        """A remote Traffic Manager's client reports no actions (CARLA's answers [])."""
        self._args('get_all_actions', (actor,), ('actor',), (_actor,))
        self._call('get_all_actions', actor.id)
        return []

    # -- global settings ---------------------------------------------------------------------

    def set_global_distance_to_leading_vehicle(self, distance):
        self._global_setter('set_global_distance_to_leading_vehicle',
                            'set_global_distance_to_leading_vehicle', distance, 'distance')

    def set_synchronous_mode(self, mode_switch):
        self._global_setter('set_synchronous_mode', 'set_synchronous_mode', mode_switch,
                            'mode_switch', _bool)

    def set_hybrid_physics_mode(self, enabled):
        self._global_setter('set_hybrid_physics_mode', 'set_hybrid_physics_mode', enabled,
                            'enabled', _bool)

    def set_hybrid_physics_radius(self, r):
        self._global_setter('set_hybrid_physics_radius', 'set_hybrid_physics_radius', r, 'r')

    def set_random_device_seed(self, value):
        self._global_setter('set_random_device_seed', 'set_random_device_seed', value, 'value',
                            _seed)

    def set_osm_mode(self, mode_switch):
        self._global_setter('set_osm_mode', 'set_osm_mode', mode_switch, 'mode_switch', _bool)

    def set_respawn_dormant_vehicles(self, mode_switch):
        self._global_setter('set_respawn_dormant_vehicles', 'set_respawn_dormant_vehicles',
                            mode_switch, 'mode_switch', _bool)

    def set_boundaries_respawn_dormant_vehicles(self, lower_bound, upper_bound):
        args = self._args('set_boundaries_respawn_dormant_vehicles', (lower_bound, upper_bound),
                          ('lower_bound', 'upper_bound'), (_float32, _float32))
        self._call('set_boundaries_respawn_dormant_vehicles', *args)

    def shut_down(self):
        """Release this TM's vehicles; the handle then does nothing, as the official one."""
        if self._rpc is None:
            return
        try:
            self._call('shut_down')
        finally:
            self._rpc.close()
            self._rpc = None
            if self._on_shut_down is not None:
                self._on_shut_down(self._port)
