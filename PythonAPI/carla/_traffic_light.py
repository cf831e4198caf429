"""Traffic-light queries CARLA's client answers itself, from the map and the latest episode state.

TrafficLight.get_affected_lane_waypoints and get_stop_waypoints, and World.get_traffic_light,
get_traffic_sign, get_traffic_light_from_opendrive_id, get_traffic_lights_from_waypoint and
get_traffic_lights_in_junction follow LibCarla's client (TrafficLight.cpp, World.cpp), float32
arithmetic included, so they pick the same waypoints and actors as the official client.
"""

import fnmatch

from carla_odr.landmarks import TRAFFIC_LIGHT_TYPES

from ._landmarks import Landmark
from ._roads import Waypoint
from .geometry import Vector3D, _f32, _is_real, _mismatch

_STOP_SAMPLE_STEP = 1.0


def affected_lane_waypoints(light):
    """A waypoint at the signal's s on each lane of each validity of each landmark of the light."""
    world_map = light.get_world().get_map()
    result = []
    for landmark in world_map.get_all_landmarks_from_id(light.get_opendrive_id()):
        s = _f32(landmark.s)
        for first, last in landmark.get_lane_validities():
            step = 1 if first < last else -1
            for lane_id in range(first, last + step, step):
                if lane_id != 0:
                    result.append(world_map.get_waypoint_xodr(landmark.road_id, lane_id, s))
    return result


def stop_waypoints(light):
    """Waypoints sampled every metre across the trigger volume, along the light's forward vector,
    one per lane (CARLA's TrafficLight::GetStopWaypoints)."""
    world_map = light.get_world().get_map()
    box = light.trigger_volume
    transform = light.get_transform()
    position = box.location
    position = Vector3D._new(position.x, position.y, position.z)
    transform._transform_point(position)
    direction = transform.rotation.get_forward_vector()
    current = _f32(_f32(-0.9) * box.extent.x)
    end = _f32(_f32(0.9) * box.extent.x)
    seen = set()
    result = []
    while current < end:
        waypoint = world_map.get_waypoint(position + direction * current)
        if waypoint is not None and (waypoint.road_id, waypoint.lane_id) not in seen:
            seen.add((waypoint.road_id, waypoint.lane_id))
            result.append(waypoint)
        current = _f32(current + _STOP_SAMPLE_STEP)
    return result


# -- World ------------------------------------------------------------------------------------

def _first_sign(world, pattern, wanted_id):
    """The first actor of the world's list whose type matches and whose OpenDRIVE id is wanted_id."""
    for actor in world.get_actors():
        if fnmatch.fnmatchcase(actor.type_id, pattern) and sign_id(actor) == wanted_id:
            return actor
    return None


def sign_id(actor):
    """The OpenDRIVE id of a traffic sign or light, from the latest episode state ('' when it has none)."""
    data = actor._state().traffic_light_data(actor.id)
    raw = data[0] if data is not None else b''
    return raw.split(b'\0', 1)[0].decode('utf-8', 'replace')


def _landmark(value, where, signature, world):
    if not isinstance(value, Landmark):
        raise _mismatch(where, (world, value), signature)
    return value


def traffic_light_of(world, landmark):
    landmark = _landmark(landmark, 'World.get_traffic_light', 'get_traffic_light(carla::client::'
                         'World, carla::client::Landmark landmark)', world)
    return _first_sign(world, '*traffic_light*', landmark.id)


def traffic_sign_of(world, landmark):
    landmark = _landmark(landmark, 'World.get_traffic_sign', 'get_traffic_sign(carla::client::'
                         'World, carla::client::Landmark landmark)', world)
    return _first_sign(world, '*traffic.*', landmark.id)


def traffic_light_from_opendrive_id(world, sign_id):
    if not isinstance(sign_id, str):
        raise _mismatch('World.get_traffic_light_from_opendrive_id', (world, sign_id),
                        'get_traffic_light_from_opendrive_id(carla::client::World, '
                        'std::__cxx11::basic_string<char, std::char_traits<char>, '
                        'std::allocator<char> > traffic_light_id)')
    return _first_sign(world, '*traffic_light*', sign_id)


def traffic_lights_from_waypoint(world, waypoint, distance):
    """The lights of the traffic-light landmarks within ``distance`` ahead, each signal once."""
    if not isinstance(waypoint, Waypoint) or not _is_real(distance):
        raise _mismatch('World.get_traffic_lights_from_waypoint', (world, waypoint, distance),
                        'get_traffic_lights_from_waypoint(carla::client::World, '
                        'carla::client::Waypoint waypoint, double distance)')
    result = []
    added = set()
    for landmark in waypoint.get_landmarks(float(distance)):
        if landmark.type not in TRAFFIC_LIGHT_TYPES:
            continue
        light = _first_sign(world, '*traffic_light*', landmark.id)
        if light is not None and landmark.id not in added:
            result.append(light)
            added.add(landmark.id)
    return result


def traffic_lights_in_junction(world, junction_id):
    """The lights of every signal of every controller of the junction, controllers and signals in
    id order (CARLA's std::set order)."""
    if isinstance(junction_id, bool) or not isinstance(junction_id, int):
        raise _mismatch('World.get_traffic_lights_in_junction', (world, junction_id),
                        'get_traffic_lights_in_junction(carla::client::World, int junction_id)')
    opendrive = world.get_map()._engine().opendrive
    junction = opendrive.junctions.get(junction_id)
    if junction is None:
        raise RuntimeError('World.get_traffic_lights_in_junction: the map has no junction %d'
                           % junction_id)
    result = []
    for controller_id in sorted(set(junction.controllers)):
        controller = opendrive.controllers.get(controller_id)
        if controller is None:
            raise IndexError('_Map_base::at')
        for sign_id in sorted(set(controller.signal_ids)):
            light = _first_sign(world, '*traffic_light*', sign_id)
            if light is not None:
                result.append(light)
    return result
