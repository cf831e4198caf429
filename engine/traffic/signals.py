"""OpenDRIVE signals the way CARLA's server turns them into actors: types, poses, lane references, trigger boxes.

Signals, their references and controllers are read by carla_odr.landmarks (CARLA's parser and MapBuilder,
shared with our client's landmarks). Poses follow MapBuilder (ComputeSignalTransform, the 0.25 m push of
traffic lights along their forward vector, CheckSignalsOnRoads); the trigger boxes are those the sign and
light components of CARLA's Unreal plugin build on each valid driving lane of each reference on a road that
traffic enters. Coordinates are CARLA's (x, -y of OpenDRIVE, yaw in degrees clockwise from above); lane
waypoints are carla_odr's (road, section, lane, s).
"""
from __future__ import annotations

import dataclasses
import logging
import math
from typing import Optional

import numpy as np

from carla_odr import waypoints as wp
from carla_odr.landmarks import TRAFFIC_LIGHT_TYPES, MapLandmarkData, MapSignal, read_landmarks
from carla_odr.network import DRIVING, RoadNetwork, lane_pose
from carla_odr.spatial import ChordScan, LaneSegments, SegmentIndex, closest_waypoint

STOP_TYPE, YIELD_TYPE, MAX_SPEED_TYPE = "206", "205", "274"
# The speed-limit sign models CARLA's TrafficLightManager has, by signal subtype.
SPEED_LIMIT_SUBTYPES = ("30", "40", "50", "60", "70", "80", "90")
SHOULDER = 0x8
log = logging.getLogger("carla.traffic")
BOX_S_MARGIN = 1e-5              # trigger boxes stay this far inside their lane section
SIGN_MATCH_DISTANCE = 5.0        # a sign signal this close to a sign actor of its kind joins that actor
LIGHT_FORWARD_PUSH = 0.25


def is_traffic_light(signal: MapSignal) -> bool:
    return signal.type in TRAFFIC_LIGHT_TYPES


@dataclasses.dataclass(frozen=True)
class TriggerBox:
    """A box in world coordinates: centre, half extents, rotation (pitch, yaw, roll) in degrees."""
    location: tuple
    extent: tuple
    rotation: tuple


@dataclasses.dataclass(frozen=True)
class LaneStop:
    """The lane point a sign or light governs: traffic stops before reaching s in its driving direction."""
    road_id: int
    lane_id: int
    s: float


class RoadContext:
    """A town's lane graph, its signals and signal references as CARLA reads them (carla_odr.landmarks), and,
    built on first use, its nearest-lane index.

    Use :func:`road_context`: a town's context is built once and shared by every world of that town.
    """

    def __init__(self, town):
        self.opendrive = town.opendrive
        self.network = network = RoadNetwork(town.opendrive)
        try:
            data = read_landmarks(town.xodr, network.lane_ids_at)
        except ValueError as error:       # CARLA's server would fail on it; here the map loads without signals
            log.warning("%s: the map's signals are left out: %s", town.name, error)
            data = MapLandmarkData({}, {}, {}, {})
        self.signals: dict = data.signals                 # id -> MapSignal (with its junctions' controllers)
        self.controllers: dict = data.controllers         # id -> sorted signal ids
        entries = _entry_roads(network)
        self._references: dict = {}                       # signal id -> [SignalReference] on entry roads
        for road_id, references in data.references.items():
            if road_id in entries:
                for reference in references:
                    self._references.setdefault(reference.signal_id, []).append(reference)
        self._segments: Optional[LaneSegments] = None
        self._index: Optional[SegmentIndex] = None
        self._scan: Optional[ChordScan] = None

    @property
    def segments(self) -> LaneSegments:
        if self._segments is None:
            self._segments = LaneSegments(self.network)
        return self._segments

    def closest(self, x: float, y: float, z: float, lane_type: int):
        """CARLA's closest waypoint on a lane of the type bits: by the grid index where something already built
        it, else by checking every lane chord (signal poses ask a few times; many queries want the index)."""
        if self._index is None:
            if self._scan is None:
                self._scan = ChordScan(self.segments)
            return closest_waypoint(self.network, self._scan, x, y, z, lane_type)
        return closest_waypoint(self.network, self._index, x, y, z, lane_type)

    @property
    def index(self) -> SegmentIndex:
        if self._index is None:
            self._index = SegmentIndex(self.segments)
        return self._index

    def references(self, signal_id: str) -> list:
        """The signal's references (carla_odr.landmarks.SignalReference) on roads traffic enters."""
        return self._references.get(signal_id, [])


_CONTEXTS: dict = {}      # id(town) -> (town, RoadContext), the most recent towns
_CONTEXTS_KEPT = 4


def road_context(town) -> RoadContext:
    key = id(town)
    entry = _CONTEXTS.pop(key, None)
    if entry is None or entry[0] is not town:
        entry = (town, RoadContext(town))
    _CONTEXTS[key] = entry
    while len(_CONTEXTS) > _CONTEXTS_KEPT:
        del _CONTEXTS[next(iter(_CONTEXTS))]
    return entry[1]


def _entry_roads(network: RoadNetwork) -> set:
    """Roads with a driving lane where traffic enters them (CARLA's GenerateWaypointsOnRoadEntries)."""
    roads = set()
    for road in network.roads.values():
        first, last = road.sections[0], road.sections[-1]
        if any(i < 0 and first.lanes[i].type & DRIVING for i in first.lane_ids) or \
                any(i > 0 and last.lanes[i].type & DRIVING for i in last.lane_ids):
            roads.add(road.id)
    return roads


def lane_range(validity) -> list:
    """Lane ids from one end of a validity to the other, either way round, without lane 0."""
    first, last = validity
    step = 1 if first <= last else -1
    return [lane for lane in range(first, last + step, step) if lane != 0]


# -- poses ---------------------------------------------------------------------------------------------------------

def signal_pose(context: RoadContext, signal: MapSignal) -> tuple:
    """((x, y, z), (pitch, yaw, roll)) of a signal as CARLA's map holds it."""
    if signal.inertial is not None:
        x, y, z, heading, pitch, roll = signal.inertial
        return (x, -y, z), (math.degrees(pitch), math.degrees(-heading), math.degrees(roll))
    road = context.opendrive.roads[signal.road_id]
    s = min(max(signal.s, 0.0), road.length)
    x, y, z, heading = (float(v[0]) for v in road.reference_pose(np.array([s])))
    x -= signal.t * math.sin(heading)
    y += signal.t * math.cos(heading)
    rotation = (math.degrees(signal.pitch), math.degrees(-(heading + signal.h_offset)), math.degrees(signal.roll))
    location = (x, -y, z + signal.z_offset)
    if is_traffic_light(signal):
        fx, fy, fz = _forward(rotation)
        location = (location[0] + LIGHT_FORWARD_PUSH * fx, location[1] + LIGHT_FORWARD_PUSH * fy,
                    location[2] + LIGHT_FORWARD_PUSH * fz)
    if "Stencil_STOP" in signal.name or "STATIC" in signal.name:
        return location, rotation
    return _off_the_road(context, location, rotation)


def _off_the_road(context: RoadContext, location: tuple, rotation: tuple) -> tuple:
    """CARLA's CheckSignalsOnRoads: a signal standing within 0.7 lane widths of a driving or shoulder lane
    centre is moved along the right vector of that first lane, a fifth of a lane width at a time, towards the
    side that is not another driving lane (at most 10 steps), and turned like that lane."""
    lanes = DRIVING | SHOULDER
    found = context.closest(*location, lanes)
    if found is None:
        return location, rotation
    position = np.array(location, dtype=np.float64)
    pose, width = _lane_pose_and_width(context, found)
    road_rotation = (pose[3], pose[4], 0.0)
    right_vector = np.array(_right(road_rotation))
    distance = float(np.linalg.norm(np.array(pose[:3]) - position))
    direction, steps, new_rotation = 1, 0, rotation
    while distance < width * 0.7 and steps < 10 and direction != 0:
        right = wp.right_waypoint(context.network, found)
        left = wp.left_waypoint(context.network, found)
        if right is None or wp.lane_of(context.network, right).type != DRIVING:
            direction = 1
        elif left is None or wp.lane_of(context.network, left).type != DRIVING:
            direction = -1
        else:
            direction = 0
        position = position + right_vector * abs(width) * 0.2 * direction
        new_rotation = road_rotation
        found = context.closest(*position, lanes)
        if found is None:
            break
        pose, width = _lane_pose_and_width(context, found)
        distance = float(np.linalg.norm(np.array(pose[:3]) - position))
        steps += 1
    if steps == 10:
        return location, rotation
    return tuple(float(v) for v in position), new_rotation


def _lane_pose_and_width(context: RoadContext, waypoint) -> tuple:
    lane = wp.lane_of(context.network, waypoint)
    return lane_pose(lane, waypoint[3]), lane.width(waypoint[3])


def _forward(rotation) -> tuple:
    pitch, yaw = math.radians(rotation[0]), math.radians(rotation[1])
    return math.cos(pitch) * math.cos(yaw), math.cos(pitch) * math.sin(yaw), math.sin(pitch)


def _right(rotation) -> tuple:
    pitch, yaw, roll = (math.radians(a) for a in rotation)
    cy, sy, cr, sr, cp, sp = (math.cos(yaw), math.sin(yaw), math.cos(roll), math.sin(roll), math.cos(pitch),
                              math.sin(pitch))
    return cy * sp * sr - sy * cr, sy * sp * sr + cy * cr, -cp * sr


# -- trigger boxes -------------------------------------------------------------------------------------------------

LIGHT_BOX_SETBACK = 3.0        # m from the signal's s to the centre of a light's trigger box
LIGHT_BOX_HALF_LENGTH = 1.5


def light_boxes(context: RoadContext, signal_id: str) -> tuple:
    """(TriggerBox list, LaneStop list) of a traffic light: per valid driving lane a 3 m x half-lane x 2 m box
    whose centre is 3 m before the stop line (CARLA's UTrafficLightComponent::InitializeSign)."""
    boxes, stops = [], []
    for lane_id, waypoint, lane in _governed_lanes(context, signal_id, leave_junction=True):
        half_width = max(0.01, 0.5 * lane.width(waypoint[3]) * 0.5)
        s = _shifted(lane, waypoint[3], LIGHT_BOX_SETBACK, lane_id)
        boxes.append(_box_on_lane(lane, s, (LIGHT_BOX_HALF_LENGTH, half_width, 1.0)))
        # Traffic stops at the trigger box's centre, where the client's
        # TrafficLight.get_stop_waypoints() puts the stop waypoint.
        stops.append(LaneStop(waypoint[0], waypoint[2], s))
    return boxes, stops


def sign_boxes(context: RoadContext, signal_id: str, width_factor: float) -> tuple:
    """(TriggerBox list, LaneStop list) of a stop, yield (width factor 0.9) or speed sign (0.7): per valid
    driving lane a cube of half size width_factor * half the lane width, one half size before the sign."""
    boxes, stops = [], []
    for lane_id, waypoint, lane in _governed_lanes(context, signal_id, leave_junction=False):
        size = max(0.01, width_factor * lane.width(waypoint[3]) * 0.5)
        stops.append(LaneStop(waypoint[0], waypoint[2], waypoint[3]))
        boxes.append(_box_on_lane(lane, _shifted(lane, waypoint[3], size, lane_id), (size, size, size)))
    return boxes, stops


def _governed_lanes(context: RoadContext, signal_id: str, leave_junction: bool):
    """(validity lane id, waypoint, lane) of each driving lane a signal's references hold valid. With
    leave_junction, a waypoint inside a junction moves to its one predecessor outside, if it has one."""
    network = context.network
    for reference in context.references(signal_id):
        for validity in reference.validities:
            for lane_id in lane_range(validity):
                waypoint = wp.waypoint_at(network, reference.road_id, lane_id, reference.s)
                if waypoint is None:
                    continue
                if leave_junction and network.roads[reference.road_id].is_junction:
                    before = wp.predecessors(network, waypoint)
                    if len(before) == 1 and not network.roads[before[0][0]].is_junction:
                        waypoint = before[0]
                lane = wp.lane_of(network, waypoint)
                if lane.type == DRIVING:
                    yield lane_id, waypoint, lane


def _shifted(lane, s: float, distance: float, lane_id: int) -> float:
    """s moved against the driving direction of lane_id, kept inside the lane's section."""
    low = lane.section.s + BOX_S_MARGIN
    high = lane.section.s + lane.section.length - BOX_S_MARGIN
    s = s - distance if lane_id < 0 else s + distance
    return min(max(s, low), high)


def _box_on_lane(lane, s: float, extent: tuple) -> TriggerBox:
    x, y, z, pitch, yaw = lane_pose(lane, s)
    return TriggerBox((x, y, z), extent, (pitch, yaw, 0.0))


def combined_box(boxes: list, location: tuple, rotation: tuple) -> tuple:
    """CARLA's trigger volume of a sign actor: the world-axis box spanning each box's centre plus and minus
    its rotated extent (UBoundingBoxCalculator::CombineBoxes), expressed in the actor's frame.

    Returns (location, extent, rotation) in the actor's frame; no boxes give a zero box at the origin.
    """
    if not boxes:
        return (0.0, 0.0, 0.0), (0.0, 0.0, 0.0), (0.0, 0.0, 0.0)
    low = np.full(3, np.inf)
    high = np.full(3, -np.inf)
    for box in boxes:
        corner = _rotation_matrix(box.rotation) @ np.array(box.extent)
        centre = np.array(box.location)
        low = np.minimum(low, np.minimum(centre - corner, centre + corner))
        high = np.maximum(high, np.maximum(centre - corner, centre + corner))
    centre = (low + high) / 2.0
    extent = (high - low) / 2.0
    actor = _rotation_matrix(rotation)
    local = actor.T @ (centre - np.array(location))
    inverse = _angles_of(actor.T)
    return tuple(float(v) for v in local), tuple(float(v) for v in extent), inverse


def _rotation_matrix(rotation) -> np.ndarray:
    """Unreal's rotation matrix of (pitch, yaw, roll) degrees, rows as in FRotationMatrix transposed."""
    pitch, yaw, roll = (math.radians(float(a)) for a in rotation)
    cp, sp, cy, sy, cr, sr = (math.cos(pitch), math.sin(pitch), math.cos(yaw), math.sin(yaw), math.cos(roll),
                              math.sin(roll))
    return np.array([
        [cp * cy, cy * sp * sr - sy * cr, -cy * sp * cr - sy * sr],
        [cp * sy, sy * sp * sr + cy * cr, -sy * sp * cr + cy * sr],
        [sp, -cp * sr, cp * cr],
    ])


def _angles_of(matrix: np.ndarray) -> tuple:
    pitch = math.degrees(math.asin(min(max(float(matrix[2][0]), -1.0), 1.0)))
    yaw = math.degrees(math.atan2(matrix[1][0], matrix[0][0]))
    roll = math.degrees(math.atan2(-matrix[2][1], matrix[2][2]))
    return pitch, yaw, roll


def normalized_yaw(yaw: float) -> float:
    """Degrees in (-180, 180], as Unreal reports an actor's rotation."""
    yaw = math.fmod(yaw, 360.0)
    if yaw > 180.0:
        yaw -= 360.0
    elif yaw <= -180.0:
        yaw += 360.0
    return yaw
