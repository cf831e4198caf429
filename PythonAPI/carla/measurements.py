"""Measurements of the GNSS, the IMU and the radar, decoded from their stream payloads.

GNSS and IMU bodies are msgpack arrays ([lat, lon, alt]; [[ax, ay, az], [gx, gy, gz], compass]); the
radar body is float32 rows [velocity, azimuth, altitude, depth].
"""

import numpy as np

from .geometry import Vector3D, _f32, _float, _fmt_f
from .sensor_data import SENSOR_HEADER, SensorData, _Detections, _msgpack_body


def _numbers(values, count, what):
    if not isinstance(values, (list, tuple)) or len(values) != count or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        raise ValueError('%s payload: expected %d numbers, got %r' % (what, count, values))
    return [float(v) for v in values]


class GnssMeasurement(SensorData):
    """Latitude and longitude (degrees) and altitude (metres) of a ``sensor.other.gnss``."""

    def __init__(self, payload, sensor_type, frame, timestamp, pose):
        super().__init__(payload, sensor_type, frame, timestamp, pose)
        body = _msgpack_body(payload, 'GNSS')
        self._latitude, self._longitude, self._altitude = _numbers(body, 3, 'GNSS')

    latitude = property(lambda self: self._latitude)
    longitude = property(lambda self: self._longitude)
    altitude = property(lambda self: self._altitude)

    def __str__(self):
        return 'GnssMeasurement(frame=%d, timestamp=%s, lat=%s, lon=%s, alt=%s)' % (
            self.frame, _fmt_f(self.timestamp), _fmt_f(self._latitude), _fmt_f(self._longitude),
            _fmt_f(self._altitude))


class IMUMeasurement(SensorData):
    """Accelerometer (m/s^2), gyroscope (rad/s) and compass (rad) of a ``sensor.other.imu``."""

    def __init__(self, payload, sensor_type, frame, timestamp, pose):
        super().__init__(payload, sensor_type, frame, timestamp, pose)
        body = _msgpack_body(payload, 'IMU')
        if not isinstance(body, (list, tuple)) or len(body) != 3:
            raise ValueError('IMU payload: expected [accelerometer, gyroscope, compass], got %r' % (body,))
        self._accelerometer = [_f32(v) for v in _numbers(body[0], 3, 'IMU accelerometer')]
        self._gyroscope = [_f32(v) for v in _numbers(body[1], 3, 'IMU gyroscope')]
        self._compass = _f32(_numbers([body[2]], 1, 'IMU compass')[0])

    @property
    def accelerometer(self):
        return Vector3D._new(*self._accelerometer)

    @property
    def gyroscope(self):
        return Vector3D._new(*self._gyroscope)

    compass = property(lambda self: self._compass)

    def __str__(self):
        return 'IMUMeasurement(frame=%d, timestamp=%s, accelerometer=%s, gyroscope=%s, compass=%s)' % (
            self.frame, _fmt_f(self.timestamp), self.accelerometer, self.gyroscope, _fmt_f(self._compass))


class RadarDetection:
    """One radar detection: velocity (m/s), azimuth and altitude (rad), depth (m)."""

    __slots__ = ('_values',)

    def __init__(self):
        self._values = [0.0, 0.0, 0.0, 0.0]

    @classmethod
    def _from_row(cls, row):
        detection = cls()
        detection._values = [float(v) for v in row]
        return detection

    def _row(self):
        return self._values

    def _field(index, name):
        def get(self):
            return self._values[index]

        def set_(self, value):
            self._values[index] = _f32(_float(value, 'RadarDetection.' + name))
        return property(get, set_)

    velocity = _field(0, 'velocity')
    azimuth = _field(1, 'azimuth')
    altitude = _field(2, 'altitude')
    depth = _field(3, 'depth')
    del _field

    def __str__(self):
        return 'RadarDetection(velocity=%s, azimuth=%s, altitude=%s, depth=%s)' % tuple(
            _fmt_f(v) for v in self._values)


class RadarMeasurement(_Detections):
    """The detections of one ``sensor.other.radar`` tick."""

    _DETECTION = RadarDetection

    def __init__(self, payload, sensor_type, frame, timestamp, pose):
        super().__init__(payload, sensor_type, frame, timestamp, pose)
        size = len(payload) - SENSOR_HEADER.size
        if size % 16:
            raise ValueError('radar payload of %d bytes is not a whole number of detections' % size)
        self._rows = np.frombuffer(payload, dtype='<f4', offset=SENSOR_HEADER.size).reshape(-1, 4)

    def get_detection_count(self):
        return len(self._rows)

    def __str__(self):
        return 'RadarMeasurement(frame=%d, timestamp=%s, point_count=%d)' % (
            self.frame, _fmt_f(self.timestamp), len(self._rows))
