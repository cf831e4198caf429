"""Lane invasion detection, computed in the client as CARLA's LaneInvasionSensor does.

On every episode state the four corners of the parent vehicle's bounding box (at its yaw) are compared
with where they were at the last state that moved them; each corner's path is checked against the
map's lane markings (LibCarla's LaneCrossingCalculator): both ends must be near the same lane section of
a road outside junctions, in different lanes or on and off the road, and the marking crossed is the one
on the side the corner moved to. Any crossing raises one LaneInvasionEvent with every marking crossed.
"""

import math

import numpy as np

from ._roads import LaneMarking, Waypoint
from .enums import LaneType
from .geometry import _fmt_f
from .sensor_data import SensorData

LANE_INVASION_SENSOR_TYPE = 6
# The lane types whose markings count (CARLA leaves shoulders out: they are too narrow to be reliable).
ROAD_LANES = int(LaneType.Driving) | int(LaneType.Bidirectional) | int(LaneType.Biking) | int(LaneType.Parking)
_FLOAT_EPSILON = float(np.finfo(np.float32).eps)
_DEG_TO_RAD = np.float32(math.pi) / np.float32(180.0)
_NO_EPISODE_MESSAGE = ("trying to operate on a destroyed actor; an actor's function was called, "
                       "but the actor is already destroyed.")


class LaneInvasionEvent(SensorData):
    """The lane markings the parent vehicle crossed between two episode states."""

    def __init__(self, frame, timestamp, pose, crossed_lane_markings):
        super().__init__(b'', LANE_INVASION_SENSOR_TYPE, frame, timestamp, pose)
        self._crossed = list(crossed_lane_markings)

    @property
    def actor(self):
        # CARLA 0.9.16 builds this event without an episode, so its client cannot look the actor up and
        # raises this error; answering the same keeps scripts portable between the two clients.
        raise RuntimeError(_NO_EPISODE_MESSAGE)

    @property
    def crossed_lane_markings(self):
        return list(self._crossed)

    def __str__(self):
        return 'LaneInvasionEvent(frame=%d, timestamp=%s)' % (self.frame, _fmt_f(self.timestamp))


def crossed_lane_markings(world_map, origin, destination):
    """The markings crossed going from origin to destination ((x, y, z) float32 triples)."""
    engine = world_map._engine()
    w0 = engine.closest(*origin, ROAD_LANES)
    w1 = engine.closest(*destination, ROAD_LANES)
    if w0 is None or w1 is None or w0[:2] != w1[:2]:
        return []
    first, last = Waypoint(world_map, w0), Waypoint(world_map, w1)
    if first.is_junction:
        return []
    origin_off = _off_road(first, origin)
    destination_off = _off_road(last, destination)
    if origin_off and destination_off:
        return []
    if w0[2] == w1[2] and not origin_off and not destination_off:
        return []
    forward = first.transform.get_forward_vector()
    step = np.array(destination, np.float32) - np.array(origin, np.float32)
    length = float(np.sqrt(np.float32(step @ step)))
    if length <= 2.0 * _FLOAT_EPSILON:
        return []
    step = (step.astype(np.float64) * (1.0 / length)).astype(np.float32)
    at_right = np.float32(-forward.x * step[1] + forward.y * step[0]) < 0
    own_first, inner_first = first._mark_records()
    own_last, inner_last = last._mark_records()
    if at_right:
        record = own_last if origin_off else own_first
    else:
        record = inner_last if origin_off else inner_first
    return [LaneMarking(record)] if record is not None else []


def _off_road(closest, point):
    """CARLA's IsOffRoad: the closest waypoint on a lane of the road types (``closest``, found for the point)
    does not have its centre within half its lane width of the point."""
    centre = closest.transform.location
    return not math.hypot(centre.x - point[0], centre.y - point[1]) < closest.lane_width * 0.5


class LaneInvasionDetector:
    """The per-sensor state: the parent's box corners at the last state that moved them."""

    def __init__(self, parent, world_map, callback):
        self._parent_id = parent.id
        box = parent.bounding_box
        self._box_location = np.array([box.location.x, box.location.y, box.location.z], np.float32)
        ex, ey = box.extent.x, box.extent.y
        self._corners = np.array([[ex, ey], [-ex, ey], [ex, -ey], [-ex, -ey]], np.float32)
        self._map = world_map
        world_map._engine()              # build the road index now, not on the stream thread
        self._callback = callback
        self._bounds = None              # (frame, (4, 3) corners)

    def _make_bounds(self, frame, x, y, z, yaw):
        centre = np.array([x, y, z], np.float32) + self._box_location
        angle = np.float32(yaw) * _DEG_TO_RAD
        c, s = np.float32(np.cos(angle)), np.float32(np.sin(angle))
        corners = np.empty((4, 3), np.float32)
        corners[:, 0] = centre[0] + (c * self._corners[:, 0] - s * self._corners[:, 1])
        corners[:, 1] = centre[1] + (s * self._corners[:, 0] + c * self._corners[:, 1])
        corners[:, 2] = centre[2]
        return frame, corners

    def tick(self, state):
        kinematics = state.kinematics(self._parent_id)
        if kinematics is None:
            return
        x, y, z, pitch, yaw, roll = kinematics[1:7]
        following = self._make_bounds(state.frame, x, y, z, yaw)
        previous = self._bounds
        if previous is None:
            self._bounds = following
            return
        moved = np.linalg.norm((following[1] - previous[1]).astype(np.float32), axis=1)
        if np.any(moved < 10.0 * _FLOAT_EPSILON) or previous[0] >= following[0]:
            return
        self._bounds = following
        crossed = []
        for start, end in zip(previous[1].tolist(), following[1].tolist()):
            crossed += crossed_lane_markings(self._map, start, end)
        if crossed:
            self._callback(LaneInvasionEvent(state.frame, state.elapsed_seconds,
                                             (x, y, z, pitch, yaw, roll), crossed))
