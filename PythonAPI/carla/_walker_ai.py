"""client::detail::WalkerNavigation: the episode's walker AI, fed by the episode state at every tick.

Made on first use for an episode: it asks ``get_required_files("Nav")`` for the mesh's name and
``request_file`` for its bytes (kept in memory by name, so a reload of the same map does not fetch again).
A mesh the server does not give (or that cannot be read) leaves the navigation not ready, as in CARLA:
random locations are None and controllers do nothing; a warning says why.
"""

from carla_odr.detour import NavMeshFormatError

from ._simulator import log_error, log_warning
from ._walker_navigation import load_navigation
from .actor import make_actor
from .command import ApplyWalkerState
from .geometry import Location, Rotation, Transform

TRAFFIC_LIGHT = 'traffic.traffic_light'

_MESH_CACHE = {}       # file name -> bytes
_MESH_CACHE_SIZE = 4


class WalkerNavigation:
    def __init__(self, simulator):
        self._simulator = simulator
        self.walkers = []             # (walker id, controller id), in registration order
        self._next_check = 0
        self.nav = None
        self._lights_found = False
        try:
            self.nav = load_navigation(_fetch_mesh(simulator.rpc))
        except (NavMeshFormatError, RuntimeError) as error:
            log_warning('Nav: failed loading the navigation mesh:', error)

    @property
    def ready(self):
        return self.nav is not None

    def register_walker(self, walker_id, controller_id):
        self.walkers.append((walker_id, controller_id))

    def unregister_walker(self, walker_id, controller_id):
        if (walker_id, controller_id) in self.walkers:
            self.walkers.remove((walker_id, controller_id))

    def add_walker(self, walker_id, location):
        """Put a walker in the crowd; the first one also collects the traffic lights' stop waypoints."""
        if not self._lights_found:
            self.nav.light_stops = self._light_stops()
            self._lights_found = True
        return self.nav.add_walker(walker_id, location)

    def _light_stops(self):
        state = self._simulator.episode().state
        stops = []
        for description in self._simulator.actor_descriptions(state.actor_ids()):
            if description.type_id != TRAFFIC_LIGHT:
                continue
            for waypoint in make_actor(self._simulator, description).get_stop_waypoints():
                location = waypoint.transform.location
                stops.append((description.id, (location.x, location.y, location.z)))
        return stops

    def tick(self, state):
        """Step the crowd with the latest state's delta and send the AI walkers' new states."""
        if not self.walkers or self.nav is None:
            return
        self._check_one_walker(state)
        vehicles, lights = self._vehicles_and_lights(state)
        self.nav.update(state.delta_seconds, vehicles, lights)
        wires = []
        for walker_id, _ in self.walkers:
            result = self.nav.walker_transform(walker_id)
            if result is None:
                continue
            (x, y, z), yaw, speed = result
            transform = Transform(Location(x, y, z), Rotation(0.0, yaw, 0.0))
            wires.append(ApplyWalkerState(walker_id, transform, speed)._to_wire())
        self._simulator.rpc.call_raw('apply_batch', wires, False)

    def _check_one_walker(self, state):
        """One registered walker a tick: when it is gone, drop its agent and destroy its controller."""
        if self._next_check >= len(self.walkers):
            self._next_check = 0
        walker_id, controller_id = self.walkers[self._next_check]
        if not state.has_actor(walker_id):
            self.nav.remove_agent(walker_id)
            try:
                self._simulator.rpc.call('destroy_actor', controller_id)
            except RuntimeError as error:
                log_error('failed to destroy actor', controller_id, ':', error)
            self.unregister_walker(walker_id, controller_id)
        self._next_check += 1

    def _vehicles_and_lights(self, state):
        """(x, y) of every vehicle and the state of every traffic light in this episode state."""
        vehicles, lights = [], {}
        for description in self._simulator.actor_descriptions(state.actor_ids()):
            if description.type_id.startswith('vehicle.'):
                k = state.kinematics(description.id)
                if k is not None:
                    vehicles.append((k[1], k[2]))
            elif description.type_id == TRAFFIC_LIGHT:
                data = state.traffic_light_data(description.id)
                if data is not None:
                    lights[description.id] = data[7]
        return vehicles, lights


def _fetch_mesh(rpc):
    names = rpc.call('get_required_files', 'Nav')
    if not names:
        raise NavMeshFormatError('the server lists no navigation mesh file (get_required_files "Nav")')
    name = names[0]
    data = _MESH_CACHE.get(name)
    if data is None:
        data = bytes(rpc.call('request_file', name))
        while len(_MESH_CACHE) >= _MESH_CACHE_SIZE:
            del _MESH_CACHE[next(iter(_MESH_CACHE))]
        _MESH_CACHE[name] = data
    return data
