"""A lane centre's transform computed in CARLA's own float32 arithmetic.

CARLA's ``Lane::ComputeTransform`` keeps positions in float32 and rounds at every step: the
geometry start point, each ``+=`` of a line or arc step, each lateral offset (float width times
``sinf``/``cosf`` of the float heading) and the yaw in float degrees. :func:`lane_transform` repeats
those steps, so its floats are the bits CARLA computes; it matters where CARLA compares them
(the chords of its nearest-lane R-tree, split where the float forward vectors turn by 1.8 degrees).
Plan-view kinds CARLA samples through tables of its own (spiral, poly3, paramPoly3) are evaluated in
double and rounded once instead.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import struct
from bisect import bisect_right

_F32 = struct.Struct("<f")
_HALF_PI = math.pi / 2.0
_PI_F = _F32.unpack(_F32.pack(math.pi))[0]


def f32(x: float) -> float:
    """``x`` rounded to float32."""
    return _F32.unpack(_F32.pack(x))[0]


_TO_DEGREES_F = f32(180.0 / _PI_F)     # CARLA's Math::ToDegrees<float> factor: 180.0f / Pi<float>()
_TO_RADIANS_F = f32(_PI_F / 180.0)


def _libm_float(name: str):
    """glibc's float function (CARLA calls the float overloads of std::sin and friends, which are not
    always the correctly rounded value); the double function rounded once where libm is missing."""
    path = ctypes.util.find_library("m")
    try:
        function = getattr(ctypes.CDLL(path), name + "f") if path else None
    except (OSError, AttributeError):
        function = None
    if function is None:
        double = getattr(math, name)
        return lambda x: f32(double(x))
    function.restype = ctypes.c_float
    function.argtypes = [ctypes.c_float]
    return function


sinf = _libm_float("sin")
cosf = _libm_float("cos")
acosf = _libm_float("acos")
sqrtf = _libm_float("sqrt")


def _plan_point(road, s: float):
    """Road::GetDirectedPointIn without the lateral offset: float x, y and the double heading."""
    index = max(0, bisect_right(road.geometry_starts, s) - 1)
    geometry = road.geometries[index]
    dist = min(max(s - geometry.s, 0.0), geometry.length)
    x, y = f32(geometry.x), f32(geometry.y)
    tangent = geometry.hdg
    if geometry.kind == "line":
        x = f32(x + f32(dist * math.cos(tangent)))
        y = f32(y + f32(dist * math.sin(tangent)))
    elif geometry.kind == "arc" and geometry.curvature != 0.0:
        radius = 1.0 / geometry.curvature
        x = f32(x + f32(radius * math.cos(tangent + _HALF_PI)))
        y = f32(y + f32(radius * math.sin(tangent + _HALF_PI)))
        tangent += dist * geometry.curvature
        x = f32(x - f32(radius * math.cos(tangent + _HALF_PI)))
        y = f32(y - f32(radius * math.sin(tangent + _HALF_PI)))
    else:
        gx, gy, gh = geometry.evaluate([dist])
        x, y, tangent = f32(float(gx[0])), f32(float(gy[0])), float(gh[0])
    return x, y, tangent


def _total_lane_width(lane, s: float):
    """ComputeTotalLaneWidth: the signed offset and tangent out to the lane centre, in double."""
    lanes = lane.section.lanes
    negative = lane.id < 0
    step = -1 if negative else 1
    dist = 0.0
    tangent = 0.0
    for other_id in range(step, lane.id + step, step):
        width, slope = lanes[other_id].widths.carla_value_slope(s)
        if other_id == lane.id:                 # out to the centre of the lane itself: half its width
            width, slope = width * 0.5, slope * 0.5
        dist += width if negative else -width
        tangent += slope if negative else -slope
    return dist, tangent


def lane_transform(lane, s: float):
    """``(x, y, z, pitch, yaw)`` of the lane centre at s as CARLA's float32 Lane::ComputeTransform
    gives it: CARLA coordinates, degrees, every value a float32."""
    road = lane.road
    if lane.id != 0:
        dist, tangent = _total_lane_width(lane, s)
        lane_offset, lane_tangent = f32(dist), f32(tangent)
    else:
        lane_offset = lane_tangent = 0.0
    lane_tangent = f32(lane_tangent - f32(road.lane_offset.carla_value_slope(s)[1]))
    clamped = min(max(s, 0.0), road.length)
    x, y, heading = _plan_point(road, clamped)
    # DirectedPoint::ApplyLateralOffset, twice along the same float normal: the road's lane offset,
    # then the lane's; each a float product added in float.
    tangent = f32(heading)
    normal_x, normal_y = sinf(tangent), -cosf(tangent)
    road_offset = -f32(road.lane_offset.carla_value_slope(clamped)[0])
    x, y = f32(x + f32(road_offset * normal_x)), f32(y + f32(road_offset * normal_y))
    x, y = f32(x + f32(lane_offset * normal_x)), f32(y + f32(lane_offset * normal_y))
    elevation, pitch = road.elevation.carla_value_slope(s)
    z = f32(elevation)
    heading -= lane_tangent
    pitch_deg = f32(f32(pitch) * _TO_DEGREES_F)
    yaw_deg = f32(f32(-heading) * _TO_DEGREES_F)
    if lane.id > 0:
        yaw_deg = f32(yaw_deg + 180.0)
        pitch_deg = f32(360.0 - pitch_deg)
    return x, -y, z, pitch_deg, yaw_deg


def forward_vector(pitch_deg: float, yaw_deg: float):
    """Math::GetForwardVector of a float rotation: float radians, sinf/cosf, float products."""
    pitch = f32(pitch_deg * _TO_RADIANS_F)
    yaw = f32(yaw_deg * _TO_RADIANS_F)
    cp, sp = cosf(pitch), sinf(pitch)
    cy, sy = cosf(yaw), sinf(yaw)
    return f32(cy * cp), f32(sy * cp), sp


def vector_angle(a, b) -> float:
    """Math::GetVectorAngle of two float vectors: acosf of the float dot over the float lengths."""
    dot = f32(f32(f32(a[0] * b[0]) + f32(a[1] * b[1])) + f32(a[2] * b[2]))
    length_a = sqrtf(f32(f32(f32(a[0] * a[0]) + f32(a[1] * a[1])) + f32(a[2] * a[2])))
    length_b = sqrtf(f32(f32(f32(b[0] * b[0]) + f32(b[1] * b[1])) + f32(b[2] * b[2])))
    return acosf(f32(dot / f32(length_a * length_b)))
