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


def _expanded(records):
    """CARLA's CubicPolynomial(a, b, c, d, s): the record's coefficients multiplied out for absolute s."""
    result = []
    for s, a, b, c, d in zip(records.starts, *zip(*records.coeffs)) if records.starts else ():
        result.append((a - b * s + c * s * s - d * s * s * s,
                       b - 2 * c * s + 3 * d * s * s,
                       c - 3 * d * s,
                       d))
    return result


class _Polynomials:
    """One road's or lane's cubic records as CARLA evaluates them (Horner on absolute s)."""

    __slots__ = ("records", "expanded")

    def __init__(self, records):
        self.records = records
        self.expanded = _expanded(records)

    def _pick(self, s: float):
        if not self.expanded:
            return None
        return self.expanded[self.records._record(s)]

    def value(self, s: float) -> float:
        v = self._pick(s)
        return 0.0 if v is None else v[0] + s * (v[1] + s * (v[2] + s * v[3]))

    def slope(self, s: float) -> float:
        v = self._pick(s)
        return 0.0 if v is None else v[1] + s * (2 * v[2] + s * 3 * v[3])


_polynomial_cache: dict = {}


def _polynomials(records) -> _Polynomials:
    found = _polynomial_cache.get(id(records))
    if found is None or found.records is not records:
        found = _polynomial_cache[id(records)] = _Polynomials(records)
    return found


def _lateral(x: float, y: float, tangent: float, offset: float):
    """DirectedPoint::ApplyLateralOffset: float offset along the float normal, float sums."""
    t = f32(tangent)
    normal_x = sinf(t)
    normal_y = -cosf(t)
    return f32(x + f32(offset * normal_x)), f32(y + f32(offset * normal_y))


def _plan_point(road, s: float):
    """Road::GetDirectedPointIn without the lateral offset: float x, y and the double heading."""
    index = max(0, _bisect_right(road.geometry_starts, s) - 1)
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


def _bisect_right(values, x):
    lo, hi = 0, len(values)
    while lo < hi:
        mid = (lo + hi) // 2
        if x < values[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _total_lane_width(lane, s: float):
    """ComputeTotalLaneWidth: the signed offset and tangent out to the lane centre, in double."""
    lanes = lane.section.lanes
    negative = lane.id < 0
    step = -1 if negative else 1
    dist = 0.0
    tangent = 0.0
    for other_id in range(step, lane.id + step, step):
        widths = _polynomials(lanes[other_id].widths)
        width = widths.value(s)
        slope = widths.slope(s)
        if other_id != lane.id:
            dist += width if negative else -width
            tangent += slope if negative else -slope
        else:
            width *= 0.5
            dist += width if negative else -width
            tangent += (slope if negative else -slope) * 0.5
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
    offsets = _polynomials(road.lane_offset)
    lane_tangent = f32(lane_tangent - f32(offsets.slope(s)))
    clamped = min(max(s, 0.0), road.length)
    x, y, heading = _plan_point(road, clamped)
    x, y = _lateral(x, y, heading, -f32(offsets.value(clamped)))
    elevation = _polynomials(road.elevation)
    z = f32(elevation.value(s))
    pitch = elevation.slope(s)
    x, y = _lateral(x, y, heading, lane_offset)
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

