"""Client-side road objects: Waypoint, Junction and LaneMarking, on the shared OpenDRIVE engine."""

import math
import struct

from carla_odr import parse_xodr
from carla_odr import waypoints as wp
from carla_odr.lane_transform import lane_transform
from carla_odr.network import RoadNetwork
from carla_odr.spatial import ANY_LANE, LaneSegments, SegmentIndex, closest_waypoint

from .enums import LaneChange, LaneMarkingColor, LaneMarkingType, LaneType
from .geometry import (BoundingBox, Location, Rotation, Transform, Vector3D, _f32, _f32x3,
                       _is_real, _mismatch)

_MASK64 = 2 ** 64 - 1
_FLOAT_BITS = struct.Struct('<f')
_UINT_BITS = struct.Struct('<I')

_MARK_TYPES = {
    'none': LaneMarkingType.NONE, 'solid': LaneMarkingType.Solid, 'broken': LaneMarkingType.Broken,
    'solid solid': LaneMarkingType.SolidSolid, 'solid broken': LaneMarkingType.SolidBroken,
    'broken solid': LaneMarkingType.BrokenSolid, 'broken broken': LaneMarkingType.BrokenBroken,
    'botts dots': LaneMarkingType.BottsDots, 'grass': LaneMarkingType.Grass,
    'curb': LaneMarkingType.Curb}
_MARK_COLORS = {
    'standard': LaneMarkingColor.Standard, 'blue': LaneMarkingColor.Blue,
    'green': LaneMarkingColor.Green, 'red': LaneMarkingColor.Red,
    'white': LaneMarkingColor.White, 'yellow': LaneMarkingColor.Yellow}
# RoadInfoMarkRecord::LaneChange from the laneChange attribute; anything else means both.
_MARK_LANE_CHANGE = {'increase': 1, 'decrease': 2, 'none': 0}
# The official client's signatures, named in its argument-mismatch errors.
_LANDMARK_SIGNATURES = {
    'get_landmarks': 'get_landmarks(carla::client::Waypoint, double distance, '
                     'bool stop_at_junction=False)',
    'get_landmarks_of_type': 'get_landmarks_of_type(carla::client::Waypoint, double distance, '
                             'std::string filter_type, bool stop_at_junction=False)'}


def _hash_mix(x):
    m = 0xe9846af9b1a615d
    x ^= x >> 32
    x = (x * m) & _MASK64
    x ^= x >> 32
    x = (x * m) & _MASK64
    x ^= x >> 28
    return x


def _hash_combine(seed, value):
    return _hash_mix((seed + 0x9e3779b9 + value) & _MASK64)


def waypoint_id(road_id, section_id, lane_id, s):
    """CARLA's std::hash of a road waypoint (Boost hash_combine over ids and floor(200 s))."""
    key = _f32(math.floor(s * 200.0))
    key_hash = 0 if key == 0.0 else _UINT_BITS.unpack(_FLOAT_BITS.pack(key))[0]
    seed = 0
    for value in (road_id & _MASK64, section_id & _MASK64, lane_id & _MASK64, key_hash):
        seed = _hash_combine(seed, value)
    return seed


class RoadEngine:
    """The parsed road network of one map with its nearest-lane index (built once per Map)."""

    def __init__(self, xodr_text):
        try:
            self.opendrive = parse_xodr(xodr_text)
        except ValueError as error:
            raise RuntimeError('the map\'s OpenDRIVE description cannot be used: %s' % error) from None
        self.network = RoadNetwork(self.opendrive)
        self.index = SegmentIndex(LaneSegments(self.network))
        # Built with the index so a query's latency does not depend on whether it is the first tie.
        self.index.build_tie_tree()
        self.index.grids(int(LaneType.Driving))
        self._junction_boxes = {}

    def lane(self, key):
        return wp.lane_of(self.network, key)

    def closest(self, x, y, z, lane_type):
        # Queries use the map's own frame: the same float32 point CARLA receives.
        x, y, z = _f32x3(x, y, z)
        return closest_waypoint(self.network, self.index, x, y, z, lane_type)

    def junction_box(self, junction_id):
        box = self._junction_boxes.get(junction_id)
        if box is None:
            box = self._junction_boxes[junction_id] = self._compute_junction_box(junction_id)
        return box

    def _compute_junction_box(self, junction_id):
        """CARLA's MapBuilder::CreateJunctionBoundingBoxes: lanes sampled at 11 points."""
        low = [math.inf] * 3
        high = [-math.inf] * 3

        def include(key):
            point = lane_transform(self.lane(key), key[3])[:3]
            for i in range(3):
                low[i] = min(low[i], point[i])
                high[i] = max(high[i], point[i])

        for start, end in wp.junction_waypoints(self.network, junction_id, ANY_LANE):
            include(end)
            include(start)
            interval = (end[3] - start[3]) / 10.0
            current = start
            for _ in range(10):
                if interval < 2.220446049250313e-16:
                    break
                following = wp.next_waypoints(self.network, current, interval)
                if following:
                    current = following[-1]
                include(current)
        if low[0] == math.inf:
            low = high = [0.0, 0.0, 0.0]
        centre = [0.5 * (h + l) for h, l in zip(high, low)]
        extent = [0.5 * (h - l) for h, l in zip(high, low)]
        return centre, extent


class LaneMarking:
    """The road mark on one side of a lane at a waypoint."""

    __slots__ = ('_type', '_color', '_lane_change', '_width')

    def __init__(self, record):
        self._type = _MARK_TYPES.get(record.type.lower(), LaneMarkingType.Other)
        self._color = _MARK_COLORS.get(record.color.lower(), LaneMarkingColor.Other)
        self._lane_change = LaneChange._from_wire(_MARK_LANE_CHANGE.get(record.lane_change.lower(), 3))
        self._width = _f32(record.width)

    type = property(lambda self: self._type)
    color = property(lambda self: self._color)
    lane_change = property(lambda self: self._lane_change)
    width = property(lambda self: self._width)


class Junction:
    """A junction of the map: its id, box and the lanes through it."""

    __slots__ = ('_map', '_id')

    def __init__(self, map_, junction_id):
        self._map = map_
        self._id = junction_id

    @property
    def id(self):
        return self._id

    @property
    def bounding_box(self):
        centre, extent = self._map._engine().junction_box(self._id)
        return BoundingBox(Location(*centre), Vector3D(*extent))

    def get_waypoints(self, lane_type):
        """(entry, exit) waypoint pairs of every lane of the given type through the junction."""
        engine = self._map._engine()
        pairs = wp.junction_waypoints(engine.network, self._id, int(lane_type) & 0xFFFFFFFF)
        return [(Waypoint(self._map, a), Waypoint(self._map, b)) for a, b in pairs]


class Waypoint:
    """A point on a lane centre: road, section and lane ids, s, and its pose."""

    __slots__ = ('_map', '_key', '_transform', '__weakref__')

    def __init__(self, map_, key):
        self._map = map_
        self._key = key
        self._transform = None

    def _lane(self):
        return self._map._engine().lane(self._key)

    def _wrap(self, keys):
        return [Waypoint(self._map, key) for key in keys]

    @property
    def id(self):
        return waypoint_id(*self._key)

    @property
    def transform(self):
        if self._transform is None:
            x, y, z, pitch, yaw = lane_transform(self._lane(), self._key[3])
            self._transform = Transform._new(Location._new(x, y, z), Rotation._new(pitch, yaw, 0.0))
        return Transform._new(self._transform.location, self._transform.rotation)

    road_id = property(lambda self: self._key[0])
    section_id = property(lambda self: self._key[1])
    lane_id = property(lambda self: self._key[2])
    s = property(lambda self: self._key[3])

    @property
    def junction_id(self):
        return self._lane().road.junction_id

    @property
    def is_junction(self):
        return self._lane().road.is_junction

    is_intersection = is_junction

    @property
    def lane_width(self):
        return self._lane().width(self._key[3])

    @property
    def lane_type(self):
        return LaneType._from_wire(self._lane().type)

    def _mark_records(self):
        """(this lane's record, inner neighbour's record) at s, as CARLA's GetMarkRecord."""
        lane = self._lane()
        if lane.id == 0:
            return None, None
        inner_id = lane.id + 1 if lane.id < 0 else lane.id - 1
        inner = lane.section.lanes[inner_id]
        return lane.mark(self._key[3]), inner.mark(self._key[3])

    @property
    def right_lane_marking(self):
        own, _ = self._mark_records()
        return LaneMarking(own) if own is not None else None

    @property
    def left_lane_marking(self):
        own, inner = self._mark_records()
        return LaneMarking(inner) if own is not None and inner is not None else None

    @property
    def lane_change(self):
        own, inner = self._mark_records()
        right = _MARK_LANE_CHANGE.get(own.lane_change.lower(), 3) if own is not None else 3
        left = _MARK_LANE_CHANGE.get(inner.lane_change.lower(), 3) if inner is not None else 3
        if self._key[2] > 0:
            right = {1: 2, 2: 1}.get(right, right)
        # The official client leaves the inner mark's direction as it is, even where the inner
        # lane is a left (positive) lane: measured on CARLA's Town03 (Both/Increase -> Right).
        return LaneChange._from_wire((right & 1) | (left & 2))

    def next(self, distance):
        return self._wrap(wp.next_waypoints(self._map._engine().network, self._key,
                                            _positive(distance, 'Waypoint.next')))

    def previous(self, distance):
        return self._wrap(wp.previous_waypoints(self._map._engine().network, self._key,
                                                _positive(distance, 'Waypoint.previous')))

    def next_until_lane_end(self, distance):
        return self._until_lane_edge(_positive(distance, 'Waypoint.next_until_lane_end'), True)

    def previous_until_lane_start(self, distance):
        return self._until_lane_edge(_positive(distance, 'Waypoint.previous_until_lane_start'), False)

    def _until_lane_edge(self, distance, ahead):
        step = wp.next_waypoints if ahead else wp.previous_waypoints
        network = self._map._engine().network
        result = []
        following = step(network, self._key, distance)
        while len(following) == 1 and following[0][0] == self._key[0]:
            result.append(following[0])
            following = step(network, result[-1], distance)
        current_s = result[-1][3] if result else self._key[3]
        road_length = self._lane().road.length
        remaining = (road_length - current_s) if self._key[2] < 0 else current_s
        remaining -= 2.220446049250313e-16
        if not result:
            # CARLA reads past an empty list here; report it instead.
            raise RuntimeError('%s: the lane ends within %g m of the waypoint'
                               % ('Waypoint.next_until_lane_end' if ahead
                                  else 'Waypoint.previous_until_lane_start', distance))
        last = step(network, result[-1], remaining)
        if not last:
            raise RuntimeError('the lane has no waypoint at its end')
        result.append(last[0])
        return self._wrap(result)

    def get_left_lane(self):
        key = wp.left_waypoint(self._map._engine().network, self._key)
        return Waypoint(self._map, key) if key is not None else None

    def get_right_lane(self):
        key = wp.right_waypoint(self._map._engine().network, self._key)
        return Waypoint(self._map, key) if key is not None else None

    def get_junction(self):
        lane = self._lane()
        return Junction(self._map, lane.road.junction_id) if lane.road.is_junction else None

    def get_landmarks(self, distance, stop_at_junction=False):
        """Landmarks ahead within ``distance`` metres that apply to this lane, each signal once."""
        found = self._landmark_search('get_landmarks', (distance, stop_at_junction))
        seen = set()
        result = []
        for reference, key, along in found:
            if id(reference) not in seen:
                seen.add(id(reference))
                result.append(self._landmark(reference, key, along))
        return result

    def get_landmarks_of_type(self, distance, type, stop_at_junction=False):
        """Landmarks of one type ahead; like CARLA, a signal met twice is listed twice."""
        if not isinstance(type, str):
            raise _mismatch('Waypoint.get_landmarks_of_type', (self, distance, type),
                            _LANDMARK_SIGNATURES['get_landmarks_of_type'])
        found = self._landmark_search('get_landmarks_of_type', (distance, stop_at_junction),
                                      (distance, type, stop_at_junction))
        return [self._landmark(reference, key, along)
                for reference, key, along in found if reference.signal.type == type]

    def _landmark_search(self, name, values, shown=None):
        distance, stop_at_junction = values
        if not _is_real(distance) or not isinstance(stop_at_junction, int):
            raise _mismatch('Waypoint.' + name, (self,) + (shown or values), _LANDMARK_SIGNATURES[name])
        index = self._map._landmark_index()
        try:
            return index.signals_in_distance(self._key, float(distance), bool(stop_at_junction))
        except RecursionError:
            raise RuntimeError('Waypoint.%s: %r m is too far to search along the lanes'
                               % (name, distance)) from None

    def _landmark(self, reference, key, along):
        index = self._map._landmark_index()
        return index.landmark(reference, Waypoint(self._map, key), along)

    def __str__(self):
        return 'Waypoint(%s)' % self.transform

    __repr__ = object.__repr__


def _positive(distance, where):
    try:
        value = float(distance)
    except (TypeError, ValueError):
        raise RuntimeError('%s: distance must be a number, not %r' % (where, distance)) from None
    if not value > 0.0:
        raise RuntimeError('%s: distance must be greater than 0, got %r' % (where, distance))
    return value
