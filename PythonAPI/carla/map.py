"""Map: the map name, its recommended spawn points and its OpenDRIVE description."""

import math
import os
import re
import sys

from carla_odr import waypoints
from carla_odr.geo import geo_origin, geolocation

from ._roads import Junction, LaneMarking, RoadEngine, Waypoint  # noqa: F401
from ._landmarks import Landmark, MapLandmarks
from .enums import LaneType
from .geometry import GeoLocation, Transform, _f32, _mismatch, _vector3

_GEO_REFERENCE = re.compile(r'<geoReference[^>]*>\s*(?:<!\[CDATA\[)?([^<\]]*)', re.S)


def _not_implemented(what):
    return RuntimeError('Map.%s is not implemented yet in this client' % what)


class Map:
    """A map as CARLA's client sees it: built from get_map_info and get_map_data."""

    def __init__(self, name, xodr_content, spawn_points=()):
        self._name = str(name)
        self._opendrive = str(xodr_content)
        self._spawn_points = list(spawn_points)
        # The road engine and the landmarks, built on first use and shared by the copies of this
        # Map that World.get_map hands out (copy.copy shares this dict).
        self._built = {}
        if not _GEO_REFERENCE.search(self._opendrive):
            sys.stderr.write("WARNING: cannot parse georeference: ''. Using default values. \n")

    @classmethod
    def _from_server(cls, rpc):
        """CARLA's sequence: get_map_info, get_required_files(''), get_map_data."""
        name, spawn_points = rpc.call('get_map_info')[:2]
        rpc.call('get_required_files', '')
        opendrive = rpc.call('get_map_data')
        return cls(name, opendrive, [Transform._from_wire(t) for t in spawn_points])

    @property
    def name(self):
        return self._name

    def get_spawn_points(self):
        return list(self._spawn_points)

    def to_opendrive(self):
        return self._opendrive

    def save_to_disk(self, path=''):
        """Write the OpenDRIVE file; the default name is the map name, '.xodr' is appended."""
        path = os.fspath(path) or self._name
        if not os.path.splitext(path)[1]:
            path += '.xodr'
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        with open(path, 'w') as f:
            f.write(self._opendrive + '\n')

    def __str__(self):
        return 'Map(name=%s)' % self._name

    # -- road queries -----------------------------------------------------------------------

    def _engine(self):
        """The road network and its spatial index, built on first use."""
        roads = self._built.get('roads')
        if roads is None:
            roads = self._built['roads'] = RoadEngine(self._opendrive)
        return roads

    def get_waypoint(self, location, project_to_road=True, lane_type=LaneType.Driving):
        """The waypoint of the nearest lane centre of the given type; without projection only
        if the location lies within that lane, else None."""
        point = _vector3(location, 'Map.get_waypoint')
        lane_type = _lane_type(lane_type, 'Map.get_waypoint')
        engine = self._engine()
        key = engine.closest(point._x, point._y, point._z, lane_type)
        if key is None:
            return None
        waypoint = Waypoint(self, key)
        if not project_to_road:
            location = waypoint.transform.location
            distance = math.hypot(location.x - point._x, location.y - point._y)
            if not distance < waypoint.lane_width * 0.5:
                return None
        return waypoint

    def get_waypoint_xodr(self, road_id, lane_id, s):
        """The waypoint at s of a lane, by OpenDRIVE ids; None if there is none."""
        road_id = _integer(road_id, 'Map.get_waypoint_xodr', 0, 2 ** 32 - 1)
        lane_id = _integer(lane_id, 'Map.get_waypoint_xodr', -2 ** 31, 2 ** 31 - 1)
        s = _f32(_number(s, 'Map.get_waypoint_xodr'))
        key = waypoints.waypoint_at(self._engine().network, road_id, lane_id, s)
        return Waypoint(self, key) if key is not None else None

    def generate_waypoints(self, distance):
        distance = _number(distance, 'Map.generate_waypoints')
        if not distance > 0.0:
            raise RuntimeError('Map.generate_waypoints: distance must be greater than 0, got %r'
                               % distance)
        return [Waypoint(self, key)
                for key in waypoints.generate_waypoints(self._engine().network, distance)]

    def get_topology(self):
        """(start, successor) pairs of every driving lane; equal keys share one Waypoint."""
        made = {}

        def waypoint(key):
            found = made.get(key)
            if found is None:
                found = made[key] = Waypoint(self, key)
            return found

        return [(waypoint(a), waypoint(b))
                for a, b in waypoints.topology(self._engine().network)]

    def transform_to_geolocation(self, location):
        point = _vector3(location, 'Map.transform_to_geolocation')
        return GeoLocation(*geolocation(self._geo_reference(), point._x, point._y, point._z))

    def _geo_reference(self):
        match = _GEO_REFERENCE.search(self._opendrive)
        return geo_origin(match.group(1) if match else '')

    def _landmark_index(self):
        """The map's signal references, signal transforms and crosswalks, built on first use."""
        landmarks = self._built.get('landmarks')
        if landmarks is None:
            landmarks = self._built['landmarks'] = MapLandmarks(self._opendrive, self._engine())
        return landmarks

    def get_crosswalks(self):
        """The outline corners of every crosswalk, one closed outline after the other."""
        return self._landmark_index().crosswalk_points()

    def get_all_landmarks(self):
        index = self._landmark_index()
        return [index.landmark(reference) for reference in index.references]

    def get_all_landmarks_from_id(self, opendrive_id):
        _string(opendrive_id, self, 'Map.get_all_landmarks_from_id', 'opendrive_id')
        index = self._landmark_index()
        return [index.landmark(reference) for reference in index.references_of(opendrive_id)]

    def get_all_landmarks_of_type(self, type):
        _string(type, self, 'Map.get_all_landmarks_of_type', 'type')
        index = self._landmark_index()
        return [index.landmark(reference) for reference in index.references
                if reference.signal.type == type]

    def get_landmark_group(self, landmark):
        """The landmarks of every signal that shares a controller with this landmark's signal."""
        if not isinstance(landmark, Landmark):
            raise _mismatch('Map.get_landmark_group', (self, landmark),
                            'get_landmark_group(carla::client::Map, carla::client::Landmark landmark)')
        index = self._landmark_index()
        return [index.landmark(reference) for reference in index.group(landmark._reference)]

    def cook_in_memory_map(self, path=''):
        raise _not_implemented('cook_in_memory_map')


def _number(value, where):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RuntimeError('%s: expected a number, got %r' % (where, value))
    return float(value)


def _integer(value, where, low, high):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RuntimeError('%s: expected an integer id, got %r' % (where, value))
    return int(value)


def _string(value, map_, where, name):
    if not isinstance(value, str):
        raise _mismatch(where, (map_, value), '%s(carla::client::Map, std::string %s)'
                        % (where.split('.')[-1], name))


def _lane_type(value, where):
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuntimeError('%s: lane_type must be a carla.LaneType, got %r' % (where, value))
    return int(value) & 0xFFFFFFFF
