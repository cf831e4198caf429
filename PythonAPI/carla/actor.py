"""Actors: the per-actor views (Actor, Vehicle, Walker, sensors, traffic signs) and ActorList.

Poses, velocities, controls and light states are read from the latest episode state, with no RPC;
setters are fire-and-forget RPCs, as in CARLA.
"""

import fnmatch

from . import _episode, _traffic_light
from ._simulator import ActorDescription, log_error, log_warning
from .control import VehicleControl, VehicleLightState, VehiclePhysicsControl, WalkerControl
from .enums import ActorState, TrafficLightState
from .geometry import (BoundingBox, Location, Rotation, Transform, Vector3D, _bool, _f32, _float, _int,
                       _is_real, _mismatch)
from .lane_invasion import LaneInvasionDetector
from .sensor_data import deserialize

_DESTROYED_MESSAGE = ("trying to operate on a destroyed actor; an actor's function was called, "
                      "but the actor is already destroyed.")
_NO_KINEMATICS = (0,) + (0.0,) * 15
_DEFAULT_VEHICLE_CONTROL_WIRE = [0.0, 0.0, 0.0, False, False, False, 0]


class Actor:
    """An actor of the simulation, identified by id; state comes from the latest snapshot."""

    def __init__(self, simulator, description, episode_id=None):
        self._simulator = simulator
        self._description = description
        self._episode_id = simulator.episode().id if episode_id is None else episode_id
        self._destroyed = False

    # -- identity ----------------------------------------------------------------------------

    @property
    def id(self):
        return self._description.id

    @property
    def type_id(self):
        return self._description.type_id

    @property
    def attributes(self):
        return {a[0]: a[2] for a in self._description.attributes}

    @property
    def semantic_tags(self):
        return list(self._description.semantic_tags)

    @property
    def parent(self):
        parent_id = self._description.parent_id
        if parent_id == 0:
            return None
        simulator = self._live_simulator()
        description = simulator.actor_description(parent_id)
        return None if description is None else make_actor(simulator, description)

    def get_world(self):
        from .world import World
        return World(self._simulator, self._episode_id)

    def _display_id(self):
        return 'Actor %d (%s)' % (self.id, self.type_id)

    def __str__(self):
        return 'Actor(id=%d, type=%s)' % (self.id, self.type_id)

    # -- state from the snapshot -------------------------------------------------------------

    def _live_simulator(self):
        if self._destroyed:
            raise RuntimeError(_DESTROYED_MESSAGE)
        return self._simulator

    def _state(self):
        return self._live_simulator().episode().state

    def _state_code(self):
        return self._state().actor_state(self.id)

    @property
    def actor_state(self):
        return ActorState._from_wire(self._state_code())

    @property
    def is_alive(self):
        if self._destroyed:
            return False
        return self._state_code() in (_episode.ACTOR_STATE_ACTIVE, _episode.ACTOR_STATE_DORMANT)

    @property
    def is_active(self):
        return not self._destroyed and self._state_code() == _episode.ACTOR_STATE_ACTIVE

    @property
    def is_dormant(self):
        return not self._destroyed and self._state_code() == _episode.ACTOR_STATE_DORMANT

    @property
    def bounding_box(self):
        wire = self._live_simulator().rpc.call('get_actor_bounding_box', self.id)
        return BoundingBox._from_wire(wire)

    def _kinematics(self):
        return self._state().kinematics(self.id) or _NO_KINEMATICS

    def get_transform(self):
        k = self._kinematics()
        return Transform._new(Location._new(k[1], k[2], k[3]), Rotation._new(k[4], k[5], k[6]))

    def get_location(self):
        k = self._kinematics()
        return Location._new(k[1], k[2], k[3])

    def get_velocity(self):
        k = self._kinematics()
        return Vector3D._new(k[7], k[8], k[9])

    def get_angular_velocity(self):
        k = self._kinematics()
        return Vector3D._new(k[10], k[11], k[12])

    def get_acceleration(self):
        k = self._kinematics()
        return Vector3D._new(k[13], k[14], k[15])

    # -- commands ----------------------------------------------------------------------------

    def _cast(self, method, *args):
        self._live_simulator().rpc.cast(method, self.id, *args)

    def set_transform(self, transform):
        self._cast('set_actor_transform', transform._to_wire())

    def set_location(self, location):
        self._cast('set_actor_location', location._to_wire())

    def set_target_velocity(self, velocity):
        self._cast('set_actor_target_velocity', velocity._to_wire())

    def set_target_angular_velocity(self, angular_velocity):
        self._cast('set_actor_target_angular_velocity', angular_velocity._to_wire())

    def enable_constant_velocity(self, velocity):
        self._cast('enable_actor_constant_velocity', velocity._to_wire())

    def disable_constant_velocity(self):
        self._cast('disable_actor_constant_velocity')

    def set_simulate_physics(self, enabled=True):
        self._live_simulator().rpc.call_void('set_actor_simulate_physics', self.id, bool(enabled))

    def set_enable_gravity(self, enabled):
        self._cast('set_actor_enable_gravity', bool(enabled))

    def set_collisions(self, enabled):
        self._cast('set_actor_collisions', bool(enabled))

    def set_actor_dead(self):
        self._cast('set_actor_dead')

    def add_impulse(self, impulse):
        self._cast('add_actor_impulse', impulse._to_wire())

    def add_force(self, force):
        self._cast('add_actor_force', force._to_wire())

    def add_angular_impulse(self, angular_impulse):
        self._cast('add_actor_angular_impulse', angular_impulse._to_wire())

    def add_torque(self, torque):
        self._cast('add_actor_torque', torque._to_wire())

    def destroy(self):
        """Destroy the actor in the simulation; False (and a message on stderr) on failure."""
        simulator = self._live_simulator()
        if self._state_code() == _episode.ACTOR_STATE_INVALID:
            log_warning('attempting to destroy an actor that is already dead:', self._display_id())
            return False
        try:
            destroyed = bool(simulator.rpc.call('destroy_actor', self.id))
        except Exception as error:  # CARLA logs any failure and reports False
            log_error('failed to destroy actor', self.id, ':', error)
            return False
        # As CARLA, the actor stays in the description cache: it is listed until a snapshot
        # without it arrives.
        self._destroyed = destroyed
        return destroyed


class Vehicle(Actor):
    """A vehicle: controls, physics control, lights, autopilot."""

    def __init__(self, simulator, description, episode_id=None):
        super().__init__(simulator, description, episode_id)
        sticky = self.attributes.get('sticky_control', 'true')
        self._control_is_sticky = str(sticky).lower() != 'false'
        self._last_control = _DEFAULT_VEHICLE_CONTROL_WIRE

    def apply_control(self, control):
        """Send the control; as in CARLA, a sticky vehicle skips a control equal to the last."""
        wire = control._to_wire()
        if not self._control_is_sticky or wire != self._last_control:
            self._cast('apply_control_to_vehicle', wire)
            self._last_control = wire

    def apply_ackermann_control(self, control):
        self._cast('apply_ackermann_control_to_vehicle', control._to_wire())

    def _vehicle_data(self):
        return self._state().vehicle_data(self.id)

    def get_control(self):
        data = self._vehicle_data()
        if data is None:
            return VehicleControl()
        return VehicleControl(throttle=data[0], steer=data[1], brake=data[2], hand_brake=data[3],
                              reverse=data[4], manual_gear_shift=data[5], gear=data[6])

    def get_speed_limit(self):
        data = self._vehicle_data()
        return 0.0 if data is None else data[7]

    def get_traffic_light_state(self):
        data = self._vehicle_data()
        return TrafficLightState._from_wire(0 if data is None else data[8])

    def is_at_traffic_light(self):
        data = self._vehicle_data()
        return False if data is None else bool(data[9])

    def get_traffic_light(self):
        data = self._vehicle_data()
        if data is None or not data[10]:
            return None
        description = self._simulator.actor_description(data[10])
        return None if description is None else make_actor(self._simulator, description)

    def get_physics_control(self):
        wire = self._live_simulator().rpc.call('get_physics_control', self.id)
        return VehiclePhysicsControl._from_wire(wire)

    def apply_physics_control(self, physics_control):
        self._cast('apply_physics_control', physics_control._to_wire())

    def set_light_state(self, light_state):
        self._cast('set_vehicle_light_state', int(light_state))

    def get_light_state(self):
        return VehicleLightState._from_wire(
            int(self._live_simulator().rpc.call('get_vehicle_light_state', self.id)))

    def open_door(self, door_idx):
        self._cast('open_vehicle_door', int(door_idx))

    def close_door(self, door_idx):
        self._cast('close_vehicle_door', int(door_idx))

    def set_wheel_steer_direction(self, wheel_location, angle_in_deg):
        self._cast('set_wheel_steer_direction', int(wheel_location), float(angle_in_deg))

    def get_wheel_steer_angle(self, wheel_location):
        return self._live_simulator().rpc.call('get_wheel_steer_angle', self.id,
                                               int(wheel_location))

    def show_debug_telemetry(self, enabled=True):
        self._cast('show_vehicle_debug_telemetry', bool(enabled))

    def set_autopilot(self, enabled=True, tm_port=8000):
        """Register with (or unregister from) the Traffic Manager listening on ``tm_port``."""
        enabled = _bool(enabled, 'Vehicle.set_autopilot')
        tm = self._live_simulator().traffic_manager(_int(tm_port, 'Vehicle.set_autopilot', 0, 65535))
        if enabled:
            tm._register([self])
        else:
            tm._unregister([self])


class Walker(Actor):
    """A pedestrian."""

    def apply_control(self, control):
        self._cast('apply_control_to_walker', control._to_wire())

    def get_control(self):
        data = self._state().walker_data(self.id)
        if data is None:
            return WalkerControl(Vector3D._new(0.0, 0.0, 0.0))
        return WalkerControl(direction=Vector3D(data[0], data[1], data[2]), speed=data[3],
                             jump=bool(data[4]))

    def blend_pose(self, blend_value):
        self._cast('blend_pose', float(blend_value))

    def show_pose(self):
        self.blend_pose(1.0)

    def hide_pose(self):
        self.blend_pose(0.0)

    def get_pose_from_animation(self):
        self._cast('get_pose_from_animation')


class WalkerAIController(Actor):
    """Drives its parent walker with the client-side crowd (see _walker_navigation)."""

    def _walker(self):
        walker = self.parent
        if walker is None:
            raise RuntimeError(self._display_id() + ': not attached to walker')
        return walker

    def start(self):
        """Register with the episode's walker AI, put the walker in the crowd, turn its physics and
        collisions off (the crowd moves it)."""
        simulator = self._live_simulator()
        walker = self._walker()
        navigation = simulator.navigation()
        navigation.register_walker(walker.id, self.id)
        if navigation.ready:
            location = walker.get_location()
            navigation.add_walker(walker.id, (location.x, location.y, location.z))
        simulator.rpc.call_void('set_actor_simulate_physics', walker.id, False)
        simulator.rpc.call_void('set_actor_collisions', walker.id, False)

    def stop(self):
        simulator = self._live_simulator()
        walker = self._walker()
        navigation = simulator.navigation()
        navigation.unregister_walker(walker.id, self.id)
        if navigation.ready:
            navigation.nav.remove_agent(walker.id)

    def go_to_location(self, destination):
        if not isinstance(destination, Location):
            raise _mismatch('WalkerAIController.go_to_location', (self, destination),
                            'go_to_location(carla::client::WalkerAIController {lvalue}, carla::geom::Location)')
        target = (destination.x, destination.y, destination.z)
        self._ask_navigation(lambda nav, walker_id: nav.set_walker_route(walker_id, target),
                             'NAV: Failed to set request to go to', *target)

    def set_max_speed(self, speed=1.4):
        speed = _float(speed, 'WalkerAIController.set_max_speed')
        self._ask_navigation(lambda nav, walker_id: nav.set_walker_max_speed(walker_id, speed),
                             'NAV: failed to set max speed')

    def _ask_navigation(self, request, *failure):
        """``request(navigation, walker id)`` once the navigation is ready; a missing parent or a refused
        request logs the ``failure`` warning, as CARLA's client does."""
        navigation = self._live_simulator().navigation()
        if not navigation.ready:
            return
        walker = self.parent
        if walker is None:
            log_warning(*failure, '(parent does not exist)')
        elif not request(navigation.nav, walker.id):
            log_warning(*failure)


class Sensor(Actor):
    """Base of the sensors: data arrives on the sensor's stream."""

    def __init__(self, simulator, description, episode_id=None):
        super().__init__(simulator, description, episode_id)
        self._listening = False

    def is_listening(self):
        return self._listening

    def listen(self, callback):
        """Subscribe to the sensor's stream; ``callback(data)`` runs on a stream thread."""
        simulator = self._live_simulator()
        token = self._description.stream_token
        if not token:
            raise RuntimeError('%s has no data stream: this client cannot compute its data'
                               % self._display_id())

        def on_payload(payload):
            callback(deserialize(payload, simulator))

        simulator.subscribe_sensor(token, on_payload)
        self._listening = True

    def stop(self):
        simulator = self._live_simulator()
        if not self._listening:
            log_warning('attempting to unsubscribe from stream but sensor wasn\'t listening:',
                        self._display_id())
            return
        simulator.unsubscribe_sensor(self._description.stream_token)
        self._listening = False

    def destroy(self):
        if self._listening and not self._destroyed:
            self.stop()
        return super().destroy()

    def __del__(self):
        try:
            if self._listening and not self._destroyed:
                if self.is_alive:
                    log_warning('sensor object went out of the scope but the sensor is still alive '
                                'in the simulation:', self._display_id())
                self.stop()
        except Exception:
            pass


class ServerSideSensor(Sensor):
    """A sensor whose data the server produces and streams to the client."""


class ClientSideSensor(Sensor):
    """A sensor whose data the client computes itself."""


class LaneInvasionSensor(ClientSideSensor):
    """Lane invasion detector: events computed here from the map and the episode states, as CARLA's
    client does (the server never streams anything for it)."""

    _callback_id = 0

    def listen(self, callback):
        simulator = self._live_simulator()
        parent = self.parent
        if not isinstance(parent, Vehicle):
            log_error(self._display_id(), ': not attached to a vehicle')
            return
        detector = LaneInvasionDetector(parent, parent.get_world().get_map(), callback)
        callbacks = simulator.episode().on_tick_callbacks
        previous, self._callback_id = self._callback_id, callbacks.push(detector.tick)
        if previous:
            callbacks.remove(previous)
        self._listening = True

    def stop(self):
        previous, self._callback_id = self._callback_id, 0
        self._listening = False
        if previous:
            self._simulator.episode().on_tick_callbacks.remove(previous)


class TrafficSign(Actor):
    """A traffic sign."""

    @property
    def trigger_volume(self):
        return BoundingBox._from_wire(self._description.bounding_box_wire)


class TrafficLight(TrafficSign):
    """A traffic light; its state and timing come from the snapshot."""

    def _light(self):
        data = self._state().traffic_light_data(self.id)
        return data if data is not None else (b'', 0.0, 0.0, 0.0, 0.0, 0, False, 0)

    @property
    def state(self):
        return self.get_state()

    def get_state(self):
        return TrafficLightState._from_wire(self._light()[7])

    def set_state(self, state):
        if not isinstance(state, TrafficLightState):
            raise _mismatch('TrafficLight.set_state', (self, state), 'set_state(carla::client::'
                            'TrafficLight {lvalue}, carla::rpc::TrafficLightState state)')
        self._cast('set_traffic_light_state', int(state))

    def get_green_time(self):
        return self._light()[1]

    def get_yellow_time(self):
        return self._light()[2]

    def get_red_time(self):
        return self._light()[3]

    def get_elapsed_time(self):
        return self._light()[4]

    def get_pole_index(self):
        return self._light()[5]

    def is_frozen(self):
        return bool(self._light()[6])

    def get_opendrive_id(self):
        return _traffic_light.sign_id(self)

    def _set_time(self, call, name, seconds):
        if not _is_real(seconds):
            raise _mismatch('TrafficLight.set_%s' % name, (self, seconds),
                            'set_%s(carla::client::TrafficLight {lvalue}, float %s)' % (name, name))
        self._cast(call, _f32(float(seconds)))

    def set_green_time(self, green_time):
        self._set_time('set_traffic_light_green_time', 'green_time', green_time)

    def set_yellow_time(self, yellow_time):
        self._set_time('set_traffic_light_yellow_time', 'yellow_time', yellow_time)

    def set_red_time(self, red_time):
        self._set_time('set_traffic_light_red_time', 'red_time', red_time)

    def freeze(self, freeze):
        """As CARLA's client: freezing one light freezes (or thaws) every light of the world."""
        if freeze is not None and not isinstance(freeze, int):
            raise _mismatch('TrafficLight.freeze', (self, freeze),
                            'freeze(carla::client::TrafficLight {lvalue}, bool freeze)')
        self._live_simulator().rpc.cast('freeze_all_traffic_lights', bool(freeze))

    def reset_group(self):
        self._cast('reset_traffic_light_group')

    def get_group_traffic_lights(self):
        """The lights of this light's group; one no longer in the world is None, as in CARLA."""
        simulator = self._live_simulator()
        ids = simulator.rpc.call('get_group_traffic_lights', self.id)
        actors = self.get_world().get_actors()
        return [actors.find(int(actor_id)) for actor_id in ids]

    def get_light_boxes(self):
        wires = self._live_simulator().rpc.call('get_light_boxes', self.id)
        return [BoundingBox._from_wire(w) for w in wires]

    def get_affected_lane_waypoints(self):
        return _traffic_light.affected_lane_waypoints(self)

    def get_stop_waypoints(self):
        return _traffic_light.stop_waypoints(self)


class ActorList:
    """A list of actors with CARLA's filter and find."""

    def __init__(self, actors):
        self._actors = list(actors)

    def filter(self, wildcard_pattern):
        return ActorList([a for a in self._actors
                          if fnmatch.fnmatchcase(a.type_id, wildcard_pattern)])

    def find(self, actor_id):
        for actor in self._actors:
            if actor.id == actor_id:
                return actor
        return None

    def __getitem__(self, pos):
        if isinstance(pos, slice):
            return self._actors[pos]
        pos = int(pos)
        if pos < 0:
            raise OverflowError("can't convert negative value to unsigned int")
        if pos >= len(self._actors):
            raise IndexError('vector::_M_range_check: __n (which is %d) >= this->size() '
                             '(which is %d)' % (pos, len(self._actors)))
        return self._actors[pos]

    def __iter__(self):
        return iter(self._actors)

    def __len__(self):
        return len(self._actors)

    def __str__(self):
        return '[' + ', '.join(str(a) for a in self._actors) + ']'


def actor_class(type_id):
    """The Python class CARLA's actor factory picks for a type id."""
    if type_id == 'sensor.other.lane_invasion':
        return LaneInvasionSensor
    if type_id.startswith('sensor.'):
        return ServerSideSensor
    if type_id.startswith('vehicle.'):
        return Vehicle
    if type_id.startswith('walker.'):
        return Walker
    if type_id.startswith('traffic.traffic_light'):
        return TrafficLight
    if type_id.startswith('traffic.'):
        return TrafficSign
    if type_id == 'controller.ai.walker':
        return WalkerAIController
    return Actor


def make_actor(simulator, description):
    if not isinstance(description, ActorDescription):
        description = ActorDescription(description)
    return actor_class(description.type_id)(simulator, description)
