"""Map: the map name, its recommended spawn points and its OpenDRIVE description."""

import os
import re
import sys

from .geometry import Transform

_GEO_REFERENCE = re.compile(r'<geoReference[^>]*>\s*(?:<!\[CDATA\[)?([^<\]]*)', re.S)


def _not_implemented(what):
    return RuntimeError('Map.%s is not implemented yet in this client (waypoints and road '
                        'queries come with the OpenDRIVE road engine)' % what)


class Map:
    """A map as CARLA's client sees it: built from get_map_info and get_map_data."""

    def __init__(self, name, xodr_content, spawn_points=()):
        self._name = str(name)
        self._opendrive = str(xodr_content)
        self._spawn_points = list(spawn_points)
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

    # -- road queries (not yet available) ----------------------------------------------------

    def get_waypoint(self, location, project_to_road=True, lane_type=None):
        raise _not_implemented('get_waypoint')

    def get_waypoint_xodr(self, road_id, lane_id, s):
        raise _not_implemented('get_waypoint_xodr')

    def get_topology(self):
        raise _not_implemented('get_topology')

    def generate_waypoints(self, distance):
        raise _not_implemented('generate_waypoints')

    def transform_to_geolocation(self, location):
        raise _not_implemented('transform_to_geolocation')

    def get_all_landmarks(self):
        raise _not_implemented('get_all_landmarks')

    def get_all_landmarks_from_id(self, opendrive_id):
        raise _not_implemented('get_all_landmarks_from_id')

    def get_all_landmarks_of_type(self, type):
        raise _not_implemented('get_all_landmarks_of_type')

    def get_landmark_group(self, landmark):
        raise _not_implemented('get_landmark_group')

    def get_crosswalks(self):
        raise _not_implemented('get_crosswalks')

    def cook_in_memory_map(self, path=''):
        raise _not_implemented('cook_in_memory_map')
