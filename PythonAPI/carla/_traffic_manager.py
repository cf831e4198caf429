"""Traffic Manager client: talks to a Traffic Manager the simulator reports as running.

CARLA can run a Traffic Manager inside the client process; this client cannot, so it only
connects to one already running (our server hosts it). The Traffic Manager speaks plain
msgpack-RPC: no metadata argument, no Response wrapper.
"""

from ._rpc import RpcClient

TM_TIMEOUT_SECONDS = 2.0
_ROUTE_OPTIONS = {'Void': 0, 'Left': 1, 'Right': 2, 'Straight': 3, 'LaneFollow': 4,
                  'ChangeLaneLeft': 5, 'ChangeLaneRight': 6, 'RoadEnd': 7}


def _wire(actor):
    return actor._description.wire


class TrafficManager:
    """Handle to the Traffic Manager on one port."""

    def __init__(self, port, rpc):
        self._port = port
        self._rpc = rpc

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
        return cls(port, tm_rpc)

    def _call(self, method, *args):
        return self._rpc.call_raw(method, *args)

    # -- vehicles ----------------------------------------------------------------------------

    def _register(self, actors):
        self._call('register_vehicle', [_wire(a) for a in actors])

    def _unregister(self, actors):
        self._call('unregister_vehicle', [_wire(a) for a in actors])

    def get_port(self):
        return self._port

    def vehicle_percentage_speed_difference(self, actor, percentage):
        self._call('set_percentage_speed_difference', _wire(actor), float(percentage))

    def vehicle_lane_offset(self, actor, offset):
        self._call('set_lane_offset', _wire(actor), float(offset))

    def set_desired_speed(self, actor, speed):
        self._call('set_desired_speed', _wire(actor), float(speed))

    def global_percentage_speed_difference(self, percentage):
        self._call('set_global_percentage_speed_difference', float(percentage))

    def global_lane_offset(self, offset):
        self._call('set_global_lane_offset', float(offset))

    def update_vehicle_lights(self, actor, do_update):
        self._call('update_vehicle_lights', _wire(actor), bool(do_update))

    def collision_detection(self, reference_actor, other_actor, detect_collision):
        self._call('set_collision_detection', _wire(reference_actor), _wire(other_actor),
                   bool(detect_collision))

    def force_lane_change(self, actor, direction):
        self._call('set_force_lane_change', _wire(actor), bool(direction))

    def auto_lane_change(self, actor, enable):
        self._call('set_auto_lane_change', _wire(actor), bool(enable))

    def distance_to_leading_vehicle(self, actor, distance):
        self._call('set_distance_to_leading_vehicle', _wire(actor), float(distance))

    def ignore_walkers_percentage(self, actor, perc):
        self._call('set_percentage_ignore_walkers', _wire(actor), float(perc))

    def ignore_vehicles_percentage(self, actor, perc):
        self._call('set_percentage_ignore_vehicles', _wire(actor), float(perc))

    def ignore_lights_percentage(self, actor, perc):
        self._call('set_percentage_running_light', _wire(actor), float(perc))

    def ignore_signs_percentage(self, actor, perc):
        self._call('set_percentage_running_sign', _wire(actor), float(perc))

    def keep_right_rule_percentage(self, actor, perc):
        self._call('keep_right_rule_percentage', _wire(actor), float(perc))

    def random_left_lanechange_percentage(self, actor, percentage):
        self._call('random_left_lanechange_percentage', _wire(actor), float(percentage))

    def random_right_lanechange_percentage(self, actor, percentage):
        self._call('random_right_lanechange_percentage', _wire(actor), float(percentage))

    def set_path(self, actor, path, empty_buffer=True):
        self._call('set_path', _wire(actor), [p._to_wire() for p in path], bool(empty_buffer))

    def set_route(self, actor, path, empty_buffer=True):
        try:
            route = [_ROUTE_OPTIONS[option] for option in path]
        except KeyError as error:
            raise RuntimeError('unknown route option %s' % error) from None
        self._call('set_imported_route', _wire(actor), route, bool(empty_buffer))

    # -- global settings ---------------------------------------------------------------------

    def set_global_distance_to_leading_vehicle(self, distance):
        self._call('set_global_distance_to_leading_vehicle', float(distance))

    def set_synchronous_mode(self, mode_switch=True):
        self._call('set_synchronous_mode', bool(mode_switch))

    def set_synchronous_mode_timeout_in_milisecond(self, time):
        self._call('set_synchronous_mode_timeout_in_milisecond', float(time))

    def set_hybrid_physics_mode(self, enabled=False):
        self._call('set_hybrid_physics_mode', bool(enabled))

    def set_hybrid_physics_radius(self, r=50.0):
        self._call('set_hybrid_physics_radius', float(r))

    def set_random_device_seed(self, value):
        self._call('set_random_device_seed', int(value))

    def set_osm_mode(self, mode_switch=True):
        self._call('set_osm_mode', bool(mode_switch))

    def set_respawn_dormant_vehicles(self, mode_switch=False):
        self._call('set_respawn_dormant_vehicles', bool(mode_switch))

    def set_boundaries_respawn_dormant_vehicles(self, lower_bound=25.0, upper_bound=1000.0):
        self._call('set_boundaries_respawn_dormant_vehicles', float(lower_bound),
                   float(upper_bound))

    def shut_down(self):
        self._call('shut_down')

    def get_next_action(self, actor):
        raise RuntimeError('get_next_action is not available from a remote Traffic Manager')

    def get_all_actions(self, actor):
        raise RuntimeError('get_all_actions is not available from a remote Traffic Manager')
