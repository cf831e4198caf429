"""Landmarks (signals as the roads refer to them) and crosswalks, as CARLA 0.9.16's client reports
them: Landmark, LandmarkType and the per-map index behind Map's and Waypoint's landmark queries."""

import math
from bisect import bisect_left, bisect_right

from carla_odr import waypoints as wp
from carla_odr.landmarks import TRAFFIC_LIGHT_TYPES, read_landmarks
from carla_odr.lane_transform import lane_transform

from .enums import LandmarkOrientation
from .geometry import Location, Rotation, Transform, Vector3D, _f32, _f32x3

_NOT_FROM_PYTHON = 'This class cannot be instantiated from Python'

# CARLA moves traffic lights this far forward.
_TRAFFIC_LIGHT_SHIFT = 0.25
# MapBuilder::CheckSignalsOnRoads: lanes a signal must not stand on, and how it is pushed off.
_DRIVING = 0x2
_DRIVING_OR_SHOULDER = 0x2 | 0x8
_ON_LANE_FRACTION = 0.7
_PUSH_FRACTION = 0.2
_MAX_PUSHES = 10
_STAY_PUT_NAMES = ('Stencil_STOP', 'STATIC')


class LandmarkType:
    """OpenDRIVE type codes of common signs (strings, as in the map's ``type`` attribute)."""

    Danger = '101'
    LanesMerging = '121'
    CautionPedestrian = '133'
    CautionBicycle = '138'
    LevelCrossing = '150'
    YieldSign = '205'
    StopSign = '206'
    MandatoryTurnDirection = '209'
    MandatoryLeftRightDirection = '211'
    TwoChoiceTurnDirection = '214'
    Roundabout = '215'
    PassRightLeft = '222'
    AccessForbidden = '250'
    AccessForbiddenMotorvehicles = '251'
    AccessForbiddenTrucks = '253'
    AccessForbiddenBicycle = '254'
    AccessForbiddenWeight = '263'
    AccessForbiddenWidth = '264'
    AccessForbiddenHeight = '265'
    AccessForbiddenWrongDirection = '267'
    ForbiddenUTurn = '272'
    MaximumSpeed = '274'
    ForbiddenOvertakingMotorvehicles = '276'
    ForbiddenOvertakingTrucks = '277'
    AbsoluteNoStop = '283'
    RestrictedStop = '286'
    HasWayNextIntersection = '301'
    PriorityWay = '306'
    PriorityWayEnd = '307'
    CityBegin = '310'
    CityEnd = '311'
    Highway = '330'
    DeadEnd = '357'
    RecomendedSpeed = '380'
    RecomendedSpeedEnd = '381'

    def __init__(self, *args, **kwargs):
        raise RuntimeError(_NOT_FROM_PYTHON)


class Landmark:
    """A signal where one road refers to it; from a waypoint search it also carries the distance
    along the lanes and the waypoint it affects."""

    __slots__ = ('_reference', '_transform', '_waypoint', '_distance')

    def __init__(self, *args, **kwargs):
        raise RuntimeError(_NOT_FROM_PYTHON)

    @classmethod
    def _new(cls, reference, transform, waypoint=None, distance=0.0):
        self = object.__new__(cls)
        self._reference = reference
        self._transform = transform
        self._waypoint = waypoint
        self._distance = float(distance)
        return self

    @property
    def _signal(self):
        return self._reference.signal

    road_id = property(lambda self: self._reference.road_id)
    distance = property(lambda self: self._distance)
    s = property(lambda self: self._reference.s)
    t = property(lambda self: self._reference.t)
    id = property(lambda self: self._reference.signal_id)
    name = property(lambda self: self._signal.name)
    is_dynamic = property(lambda self: self._signal.is_dynamic)
    orientation = property(
        lambda self: LandmarkOrientation.values[self._reference.orientation_code])
    z_offset = property(lambda self: self._signal.z_offset)
    country = property(lambda self: self._signal.country)
    type = property(lambda self: self._signal.type)
    sub_type = property(lambda self: self._signal.subtype)
    value = property(lambda self: self._signal.value)
    unit = property(lambda self: self._signal.unit)
    height = property(lambda self: self._signal.height)
    width = property(lambda self: self._signal.width)
    text = property(lambda self: self._signal.text)
    h_offset = property(lambda self: self._signal.h_offset)
    pitch = property(lambda self: self._signal.pitch)
    roll = property(lambda self: self._signal.roll)
    waypoint = property(lambda self: self._waypoint)

    @property
    def transform(self):
        return self._transform._copy()

    def get_lane_validities(self):
        return [tuple(pair) for pair in self._reference.validities]


class MapLandmarks:
    """A map's signal references in CARLA's order, their signals' transforms and its crosswalks."""

    def __init__(self, opendrive_text, engine):
        self._engine = engine
        network = engine.network
        try:
            data = read_landmarks(opendrive_text, network.lane_ids_at)
        except ValueError as error:
            raise RuntimeError('the map\'s signals cannot be used: %s' % error) from None
        self.signals = data.signals
        self.controllers = data.controllers
        self._by_road = {}
        self._starts = {}
        for road_id, references in data.references.items():
            ordered = sorted(references, key=lambda r: r.s)
            self._by_road[road_id] = ordered
            self._starts[road_id] = [r.s for r in ordered]
        # Roads in the order CARLA's road map walks them; references by s within a road.
        self.references = [r for road_id in network.roads for r in self._by_road.get(road_id, ())]
        self._crosswalks = [c for road_id in network.roads
                            for c in sorted(data.crosswalks.get(road_id, ()), key=lambda c: c.s)]
        self._transforms = {id(signal): self._signal_transform(signal)
                            for signal in self.signals.values()}

    # -- landmarks ----------------------------------------------------------------------------

    def landmark(self, reference, waypoint=None, distance=0.0):
        return Landmark._new(reference, self._transforms[id(reference.signal)], waypoint, distance)

    def references_of(self, signal_id):
        return [r for r in self.references if r.signal_id == signal_id]

    def group(self, reference):
        """References of every signal sharing a controller with this one (CARLA's order)."""
        result = []
        for controller_id in sorted(reference.signal.controllers):
            for signal_id in self.controllers.get(controller_id, ()):
                if signal_id not in self.signals:
                    raise RuntimeError('controller %r names signal %r, which the map does not have'
                                       % (controller_id, signal_id))
                result.extend(self.references_of(signal_id))
        return result

    def _in_range(self, road_id, low, high):
        """References of a road with s in [low, high] (ascending), or in [high, low] descending
        when low >= high: InformationSet::GetInfos(min_s, max_s)."""
        starts = self._starts.get(road_id)
        if not starts:
            return []
        ordered = self._by_road[road_id]
        if low < high:
            return ordered[bisect_left(starts, low):bisect_right(starts, high)]
        first = bisect_left(starts, high)
        last = max(first, bisect_right(starts, low))
        return ordered[first:last][::-1]

    def signals_in_distance(self, key, distance, stop_at_junction):
        """(reference, waypoint key, distance) of every signal ahead within ``distance`` that is
        valid for the lane: CARLA's road::Map::GetSignalsInDistance."""
        network = self._engine.network
        road_id, _, lane_id, s = key
        lane = wp.lane_of(network, key)
        forward = lane_id <= 0
        relative_s = s - lane.start_s
        remaining = lane.length - relative_s if forward else relative_s
        if distance <= remaining:
            return self._found(key, s + (distance if forward else -distance))
        result = self._found(key, s + (remaining if forward else -remaining))
        for successor in wp.successors(network, key):
            road = network.roads[successor[0]]
            if road.is_junction and stop_at_junction:
                continue
            next_lane = road.lane_at(successor[3], successor[2])
            edge = next_lane.start_s if successor[2] < 0 else next_lane.start_s + next_lane.length
            found = self.signals_in_distance(successor[:3] + (edge,), distance - remaining,
                                             stop_at_junction)
            found = [(reference, where, along + remaining) for reference, where, along in found]
            result = result + found if len(found) <= len(result) else found + result
        return result

    def _found(self, key, end_s):
        road_id, _, lane_id, s = key
        result = []
        for reference in self._in_range(road_id, s, end_s):
            along = reference.s - s if lane_id < 0 else s - reference.s
            if not any(low <= lane_id <= high for low, high in reference.validities):
                continue
            result.append((reference, key if along == 0 else self._ahead(key, along), along))
        return result

    def _ahead(self, key, distance):
        if not distance > 0.0:
            raise RuntimeError('a landmark search needs a distance > 0.0, got %r' % distance)
        following = wp.next_waypoints(self._engine.network, key, distance)
        if not following:
            raise RuntimeError('no waypoint %g m ahead of road %d lane %d s %g'
                               % (distance, key[0], key[2], key[3]))
        return following[0]

    # -- signal transforms --------------------------------------------------------------------

    def _signal_transform(self, signal):
        """MapBuilder::ComputeSignalTransform, the traffic-light shift and CheckSignalsOnRoads."""
        if signal.inertial is not None:
            x, y, z, heading, pitch, roll = signal.inertial
            return Transform._new(Location._new(*_f32x3(x, -y, z)), Rotation._new(*_f32x3(
                _degrees(pitch), _degrees(-heading), _degrees(roll))))
        road = self._engine.network.roads[signal.road_id]
        x, y, z, heading, _ = road.reference_point(signal.s)
        offset = road.lane_offset.value(min(max(signal.s, 0.0), road.length))
        # The reference line without the lane offset, then t to the left of it.
        x += (offset - signal.t) * math.sin(heading)
        y -= (offset - signal.t) * math.cos(heading)
        transform = Transform._new(
            Location._new(*_f32x3(x, -y, z + signal.z_offset)),
            Rotation._new(*_f32x3(_degrees(signal.pitch), _degrees(-(heading + signal.h_offset)),
                                  _degrees(signal.roll))))
        if signal.type in TRAFFIC_LIGHT_TYPES:
            forward = transform.rotation.get_forward_vector()
            location = transform.location
            transform.location = Location._new(*_f32x3(
                location.x + _f32(forward.x * _TRAFFIC_LIGHT_SHIFT),
                location.y + _f32(forward.y * _TRAFFIC_LIGHT_SHIFT),
                location.z + _f32(forward.z * _TRAFFIC_LIGHT_SHIFT)))
        if not any(name in signal.name for name in _STAY_PUT_NAMES):
            self._keep_off_driving_lanes(transform)
        return transform

    def _lane_transform(self, key):
        x, y, z, pitch, yaw = lane_transform(wp.lane_of(self._engine.network, key), key[3])
        return Transform._new(Location._new(x, y, z), Rotation._new(pitch, yaw, 0.0))

    def _keep_off_driving_lanes(self, transform):
        """A signal standing on a driving lane is pushed sideways, 20% of a lane width at a time
        (at most ten times), towards the side that is not another driving lane."""
        network = self._engine.network
        position = transform.location._copy()
        rotation = transform.rotation
        closest = self._engine.closest(position.x, position.y, position.z, _DRIVING_OR_SHOULDER)
        if closest is None:
            return
        road_transform = self._lane_transform(closest)
        distance = road_transform.location.distance(position)
        width = wp.lane_of(network, closest).width(closest[3])
        direction = 1
        pushes = 0
        while distance < width * _ON_LANE_FRACTION and pushes < _MAX_PUSHES and direction != 0:
            if self._lane_type(wp.right_waypoint(network, closest)) != _DRIVING:
                direction = 1
            elif self._lane_type(wp.left_waypoint(network, closest)) != _DRIVING:
                direction = -1
            else:
                direction = 0
            right = road_transform.rotation.get_right_vector()
            step = _f32(_f32(abs(width)) * _PUSH_FRACTION) * direction
            position = Location._new(*_f32x3(position.x + _f32(right.x * step),
                                             position.y + _f32(right.y * step),
                                             position.z + _f32(right.z * step)))
            rotation = road_transform.rotation
            closest = self._engine.closest(position.x, position.y, position.z, _DRIVING_OR_SHOULDER)
            if closest is None:
                break
            distance = self._lane_transform(closest).location.distance(position)
            width = wp.lane_of(network, closest).width(closest[3])
            pushes += 1
        if pushes != _MAX_PUSHES:
            transform.location = position
            transform.rotation = rotation

    def _lane_type(self, key):
        return wp.lane_of(self._engine.network, key).type if key is not None else 0x1

    # -- crosswalks ---------------------------------------------------------------------------

    def crosswalk_points(self):
        """Every crosswalk's outline corners: Map::GetAllCrosswalkZones."""
        network = self._engine.network
        result = []
        for crosswalk in self._crosswalks:
            road = network.roads[crosswalk.road_id]
            base = Transform._new(Location._new(0.0, 0.0, 0.0), Rotation._new(0.0, 0.0, 0.0))
            for section in road.sections_at(crosswalk.s):
                if 0 in section.lanes:
                    if crosswalk.s > road.length:
                        raise RuntimeError('road %d: a crosswalk at s=%g lies beyond the road'
                                           % (road.id, crosswalk.s))
                    base = self._lane_transform((road.id, section.id, 0, crosswalk.s))
            pitch, yaw = base.rotation.pitch, base.rotation.yaw
            across = Transform._new(base.location._copy(),
                                    Rotation._new(pitch, _f32(yaw - 90.0), 0.0))
            centre = across.transform(Vector3D(crosswalk.t, 0.0, 0.0))
            pivot = Transform._new(
                Location._new(centre.x, centre.y, centre.z),
                Rotation._new(pitch, _f32(yaw - _f32(_degrees(crosswalk.hdg))), 0.0))
            for u, v, z in crosswalk.corners:
                corner = pivot.transform(Vector3D(u, -v, z))
                result.append(Location(corner.x, corner.y, corner.z))
        return result


def _degrees(radians):
    return _f32(_f32(radians) * (180.0 / math.pi))
