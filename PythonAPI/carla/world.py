"""World, WorldSnapshot, ActorSnapshot and Timestamp."""

import copy

from . import _traffic_light
from ._simulator import ActorDescription
from .actor import ActorList, make_actor
from .blueprint import BlueprintLibrary
from .control import VehicleLightState
from .enums import CityObjectLabel
from .geometry import BoundingBox, Location, Rotation, Transform, Vector3D, _float, _int, _mismatch
from .map import Map
from .settings import WorldSettings
from .weather import WeatherParameters

_ATTACHMENT_SPRING_ARM = 1


class Timestamp:
    """Frame counter and times of one simulation step."""

    __slots__ = ('frame', 'elapsed_seconds', 'delta_seconds', 'platform_timestamp')

    def __init__(self, frame=0, elapsed_seconds=0.0, delta_seconds=0.0, platform_timestamp=0.0):
        self.frame = int(frame)
        self.elapsed_seconds = float(elapsed_seconds)
        self.delta_seconds = float(delta_seconds)
        self.platform_timestamp = float(platform_timestamp)

    def __eq__(self, other):
        if not isinstance(other, Timestamp):
            return NotImplemented
        return self.frame == other.frame

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self):
        return hash(self.frame)

    def __str__(self):
        return ('Timestamp(frame=%d,elapsed_seconds=%f,delta_seconds=%f,platform_timestamp=%f)'
                % (self.frame, self.elapsed_seconds, self.delta_seconds, self.platform_timestamp))


def _transform(k):
    return Transform._new(Location._new(k[1], k[2], k[3]), Rotation._new(k[4], k[5], k[6]))


class ActorSnapshot:
    """State of one actor in one frame."""

    __slots__ = ('_state', 'id')

    def __init__(self, state, actor_id):
        self._state = state
        self.id = actor_id

    def _kinematics(self):
        return self._state.kinematics(self.id) or (0,) + (0.0,) * 15

    def get_transform(self):
        return _transform(self._kinematics())

    def get_velocity(self):
        k = self._kinematics()
        return Vector3D._new(k[7], k[8], k[9])

    def get_angular_velocity(self):
        k = self._kinematics()
        return Vector3D._new(k[10], k[11], k[12])

    def get_acceleration(self):
        k = self._kinematics()
        return Vector3D._new(k[13], k[14], k[15])

    def __str__(self):
        return 'ActorSnapshot(id=%d)' % self.id


class WorldSnapshot:
    """Every actor's state in one frame, as received on the episode stream."""

    __slots__ = ('_state',)

    def __init__(self, state):
        self._state = state

    @property
    def id(self):
        return self._state.episode_id

    @property
    def frame(self):
        return self._state.frame

    @property
    def timestamp(self):
        s = self._state
        return Timestamp(s.frame, s.elapsed_seconds, s.delta_seconds, s.platform_timestamp)

    def has_actor(self, actor_id):
        return self._state.has_actor(actor_id)

    def find(self, actor_id):
        return ActorSnapshot(self._state, actor_id) if self._state.has_actor(actor_id) else None

    def __iter__(self):
        state = self._state
        return iter([ActorSnapshot(state, actor_id) for actor_id in state.actor_ids()])

    def __len__(self):
        return self._state.count

    def __eq__(self, other):
        if not isinstance(other, WorldSnapshot):
            return NotImplemented
        return self.id == other.id and self.frame == other.frame

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self):
        return hash((self.id, self.frame))

    def __str__(self):
        return 'WorldSnapshot(frame=%d)' % self.frame


class LabelledPoint:
    """A location and the semantic tag found there (ray casts and projections)."""

    __slots__ = ('location', 'label')

    def __init__(self, location, label):
        self.location = location
        self.label = label

    @classmethod
    def _from_wire(cls, wire):
        return cls(Location._from_wire(wire[0]), CityObjectLabel._from_wire(int(wire[1])))

    def __str__(self):
        return 'LabelledPoint(%s, %s)' % (self.location, self.label)


def _timeout_seconds(simulator, seconds):
    """CARLA converts seconds to whole milliseconds; zero means the client's timeout."""
    milliseconds = int(float(seconds) * 1000.0)
    return simulator.timeout if milliseconds == 0 else milliseconds / 1000.0


class World:
    """The simulation as seen from one client; all calls go to the current episode."""

    def __init__(self, simulator, episode_id):
        self._simulator = simulator
        self._id = episode_id

    @property
    def id(self):
        return self._id

    def __str__(self):
        return 'World(id=%d)' % self._id

    @property
    def _rpc(self):
        return self._simulator.rpc

    # -- settings and ticks ------------------------------------------------------------------

    def get_settings(self):
        return WorldSettings._from_wire(self._rpc.call('get_episode_settings'))

    def apply_settings(self, settings, seconds=0.0):
        fixed = settings.fixed_delta_seconds
        return self._simulator.apply_settings(
            settings._to_wire(), bool(settings.synchronous_mode),
            None if fixed is None else float(fixed), _timeout_seconds(self._simulator, seconds))

    def tick(self, seconds=0.0):
        return self._simulator.tick(_timeout_seconds(self._simulator, seconds))

    def wait_for_tick(self, seconds=0.0):
        timeout = _timeout_seconds(self._simulator, seconds)
        return WorldSnapshot(self._simulator.wait_for_tick(timeout))

    def on_tick(self, callback):
        return self._simulator.episode().on_tick_callbacks.push(
            lambda state: callback(WorldSnapshot(state)))

    def remove_on_tick(self, callback_id):
        self._simulator.episode().on_tick_callbacks.remove(callback_id)

    def get_snapshot(self):
        return WorldSnapshot(self._simulator.episode().state)

    # -- blueprints, map, weather ------------------------------------------------------------

    def get_blueprint_library(self):
        return BlueprintLibrary._from_wire(self._rpc.call('get_actor_definitions'))

    def get_map(self):
        world_map = self._simulator.cached_map()
        if world_map is None:
            world_map = Map._from_server(self._rpc)
            self._simulator.set_cached_map(world_map)
        return copy.copy(world_map)   # a new Python object each call, as CARLA's client

    def get_weather(self):
        return WeatherParameters._from_wire(self._rpc.call('get_weather_parameters'))

    def set_weather(self, weather):
        self._rpc.cast('set_weather_parameters', weather._to_wire())

    # -- actors ------------------------------------------------------------------------------

    def get_spectator(self):
        return make_actor(self._simulator, ActorDescription(self._rpc.call('get_spectator')))

    def get_actors(self, actor_ids=None):
        if actor_ids is None:
            actor_ids = self._simulator.episode().state.actor_ids()
        else:
            actor_ids = [int(i) for i in actor_ids]
        descriptions = self._simulator.actor_descriptions(actor_ids)
        return ActorList([make_actor(self._simulator, d) for d in descriptions])

    def get_actor(self, actor_id):
        description = self._simulator.actor_description(int(actor_id))
        return None if description is None else make_actor(self._simulator, description)

    def spawn_actor(self, blueprint, transform, attach_to=None, attachment_type=0, bone=''):
        description = blueprint._to_description()
        if attach_to is not None:
            if int(attachment_type) == _ATTACHMENT_SPRING_ARM:
                _warn_spring_arm_on_z_axis(transform.location)
            wire = self._rpc.call('spawn_actor_with_parent', description, transform._to_wire(),
                                  attach_to.id, int(attachment_type), str(bone))
        else:
            wire = self._rpc.call('spawn_actor', description, transform._to_wire())
        return make_actor(self._simulator, self._simulator.register_actor(wire))

    def try_spawn_actor(self, blueprint, transform, attach_to=None, attachment_type=0, bone=''):
        try:
            return self.spawn_actor(blueprint, transform, attach_to, attachment_type, bone)
        except RuntimeError:
            return None

    # -- traffic lights and vehicle lights ---------------------------------------------------

    def freeze_all_traffic_lights(self, frozen):
        if frozen is not None and not isinstance(frozen, int):
            raise _mismatch('World.freeze_all_traffic_lights', (self, frozen),
                            'freeze_all_traffic_lights(carla::client::World {lvalue}, bool frozen)')
        self._rpc.cast('freeze_all_traffic_lights', bool(frozen))

    def get_traffic_light(self, landmark):
        return _traffic_light.traffic_light_of(self, landmark)

    def get_traffic_sign(self, landmark):
        return _traffic_light.traffic_sign_of(self, landmark)

    def get_traffic_light_from_opendrive_id(self, traffic_light_id):
        return _traffic_light.traffic_light_from_opendrive_id(self, traffic_light_id)

    def get_traffic_lights_from_waypoint(self, waypoint, distance):
        return _traffic_light.traffic_lights_from_waypoint(self, waypoint, distance)

    def get_traffic_lights_in_junction(self, junction_id):
        return _traffic_light.traffic_lights_in_junction(self, junction_id)

    def reset_all_traffic_lights(self):
        self._rpc.call_void('reset_all_traffic_lights')

    def get_vehicles_light_states(self):
        return {int(actor_id): VehicleLightState._from_wire(int(flags))
                for actor_id, flags in self._rpc.call('get_vehicle_light_states')}

    # -- level -------------------------------------------------------------------------------

    def load_map_layer(self, map_layers):
        self._rpc.call_void('load_map_layer', int(map_layers))

    def unload_map_layer(self, map_layers):
        self._rpc.call_void('unload_map_layer', int(map_layers))

    def get_names_of_all_objects(self):
        return list(self._rpc.call('get_names_of_all_objects'))

    def get_level_bbs(self, bb_type=255):
        boxes = self._rpc.call('get_all_level_BBs', int(bb_type))
        return [BoundingBox._from_wire(b) for b in boxes]

    def cast_ray(self, initial_location, final_location):
        return [LabelledPoint._from_wire(p) for p in self._rpc.call(
            'cast_ray', initial_location._to_wire(), final_location._to_wire())]

    def project_point(self, location, direction, search_distance=10000.0):
        found, point = self._rpc.call('project_point', location._to_wire(), direction._to_wire(),
                                      float(search_distance))
        return LabelledPoint._from_wire(point) if found else None

    def ground_projection(self, location, search_distance=10000.0):
        return self.project_point(location, Vector3D(0.0, 0.0, -1.0), search_distance)

    # -- walker navigation (computed in the client, as CARLA's) ------------------------------

    def get_random_location_from_navigation(self):
        """A random sidewalk location from the walker navigation mesh, or None."""
        navigation = self._simulator.navigation()
        if not navigation.ready:
            return None
        location = navigation.nav.random_location()
        return None if location is None else Location(*location)

    def set_pedestrians_cross_factor(self, percentage):
        percentage = _float(percentage, 'World.set_pedestrians_cross_factor')
        navigation = self._simulator.navigation()
        if navigation.ready:
            navigation.nav.set_cross_factor(percentage)

    def set_pedestrians_seed(self, seed):
        seed = _int(seed, 'World.set_pedestrians_seed', 0, 2 ** 32 - 1)
        navigation = self._simulator.navigation()
        if navigation.ready:
            navigation.nav.set_seed(seed)

    # -- client-side features of CARLA this client does not have yet -------------------------

    def get_lightmanager(self):
        raise RuntimeError('get_lightmanager is not implemented yet in this client')


def _warn_spring_arm_on_z_axis(location):
    length = (location.x ** 2 + location.y ** 2 + location.z ** 2) ** 0.5
    if length > 1.1920929e-07 and location.z / length > 1.0 - 1.1920929e-07:
        print("WARNING: Transformations with translation only in the 'z' axis are ill-formed when "
              "            using SprintArm attachment. Please, be careful with that.")
