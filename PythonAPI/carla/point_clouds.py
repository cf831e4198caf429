"""Lidar point clouds: ``LidarMeasurement`` (x, y, z, intensity) and ``SemanticLidarMeasurement``
(x, y, z, cos_inc_angle, object_idx, object_tag), with their detections.

Body layout: uint32 header [horizontal angle (float bits), channel count, points of each channel],
then the points, channel after channel, in the sensor's frame (metres).
"""

import numpy as np

from .geometry import Location, _f32, _float, _fmt_f, _int
from .sensor_data import SENSOR_HEADER, _Detections, _valid_file_path

LIDAR_POINT = np.dtype([('x', '<f4'), ('y', '<f4'), ('z', '<f4'), ('intensity', '<f4')])
SEMANTIC_POINT = np.dtype([('x', '<f4'), ('y', '<f4'), ('z', '<f4'), ('cos_inc_angle', '<f4'),
                           ('object_idx', '<u4'), ('object_tag', '<u4')])


def _point_of(value, where):
    if not isinstance(value, Location):
        raise TypeError('%s must be a carla.Location, not %s' % (where, type(value).__name__))
    return Location._new(value.x, value.y, value.z)


class LidarDetection:
    """One lidar point: ``point`` (carla.Location, metres) and ``intensity``."""

    __slots__ = ('_point', '_intensity')

    def __init__(self):
        self._point = Location._new(0.0, 0.0, 0.0)
        self._intensity = 0.0

    @classmethod
    def _from_row(cls, row):
        detection = cls()
        detection._point = Location._new(*row[:3])
        detection._intensity = row[3]
        return detection

    def _row(self):
        return (self._point.x, self._point.y, self._point.z, self._intensity)

    point = property(lambda self: Location._new(self._point.x, self._point.y, self._point.z),
                     lambda self, value: setattr(self, '_point', _point_of(value, 'LidarDetection.point')))
    intensity = property(lambda self: self._intensity,
                         lambda self, value: setattr(self, '_intensity',
                                                     _f32(_float(value, 'LidarDetection.intensity'))))

    def _ply_line(self):
        return '%.4f %.4f %.4f %.4f' % self._row()

    def __str__(self):
        return 'LidarDetection(x=%s, y=%s, z=%s, intensity=%s)' % tuple(_fmt_f(v) for v in self._row())


class SemanticLidarDetection:
    """One semantic lidar point: ``point``, ``cos_inc_angle``, ``object_idx`` (actor id) and ``object_tag``."""

    __slots__ = ('_point', '_cos', '_idx', '_tag')

    def __init__(self):
        self._point = Location._new(0.0, 0.0, 0.0)
        self._cos = 0.0
        self._idx = 0
        self._tag = 0

    @classmethod
    def _from_row(cls, row):
        detection = cls()
        detection._point = Location._new(*row[:3])
        detection._cos, detection._idx, detection._tag = row[3], row[4], row[5]
        return detection

    def _row(self):
        return (self._point.x, self._point.y, self._point.z, self._cos, self._idx, self._tag)

    point = property(lambda self: Location._new(self._point.x, self._point.y, self._point.z),
                     lambda self, value: setattr(self, '_point', _point_of(value, 'SemanticLidarDetection.point')))
    cos_inc_angle = property(lambda self: self._cos,
                             lambda self, value: setattr(self, '_cos', _f32(_float(
                                 value, 'SemanticLidarDetection.cos_inc_angle'))))
    object_idx = property(lambda self: self._idx,
                          lambda self, value: setattr(self, '_idx', _int(
                              value, 'SemanticLidarDetection.object_idx', 0, 2 ** 32 - 1)))
    object_tag = property(lambda self: self._tag,
                          lambda self, value: setattr(self, '_tag', _int(
                              value, 'SemanticLidarDetection.object_tag', 0, 2 ** 32 - 1)))

    def _ply_line(self):
        return '%.4f %.4f %.4f %.4f %d %d' % self._row()

    def __str__(self):
        x, y, z, cos, idx, tag = self._row()
        return 'SemanticLidarDetection(x=%s, y=%s, z=%s, cos_inc_angle=%s, object_idx=%d, object_tag=%d)' % (
            _fmt_f(x), _fmt_f(y), _fmt_f(z), _fmt_f(cos), idx, tag)


class _PointCloud(_Detections):
    _POINT = LIDAR_POINT
    _DETECTION = LidarDetection
    _PLY_PROPERTIES = ('property float32 x\nproperty float32 y\nproperty float32 z\n'
                       'property float32 I')

    def __init__(self, payload, sensor_type, frame, timestamp, pose):
        super().__init__(payload, sensor_type, frame, timestamp, pose)
        body = len(payload) - SENSOR_HEADER.size
        if body < 8:
            raise ValueError('lidar payload of %d bytes has no header' % len(payload))
        angle, channels = np.frombuffer(payload, dtype='<u4', count=2, offset=SENSOR_HEADER.size)
        header_size = 4 * (2 + int(channels))
        if body < header_size:
            raise ValueError('lidar payload too short for %d channels' % channels)
        self._horizontal_angle = float(np.array([angle], dtype='<u4').view('<f4')[0])
        self._counts = np.frombuffer(payload, dtype='<u4', count=int(channels),
                                     offset=SENSOR_HEADER.size + 8).tolist()
        self._offset = SENSOR_HEADER.size + header_size
        total = sum(self._counts)
        if len(payload) - self._offset != total * self._POINT.itemsize:
            raise ValueError('lidar payload holds %d bytes of points, the header announces %d points'
                             % (len(payload) - self._offset, total))
        self._rows = np.frombuffer(payload, dtype=self._POINT, count=total, offset=self._offset)

    horizontal_angle = property(lambda self: self._horizontal_angle)
    channels = property(lambda self: len(self._counts))

    @property
    def raw_data(self):
        return memoryview(self._payload)[self._offset:].toreadonly()

    def get_point_count(self, channel):
        channel = _int(channel, type(self).__name__ + '.get_point_count', 0, 2 ** 32 - 1)
        if channel >= len(self._counts):
            raise RuntimeError('%s.get_point_count: channel %d does not exist (the sensor has %d)'
                               % (type(self).__name__, channel, len(self._counts)))
        return self._counts[channel]

    def save_to_disk(self, path):
        """Write the points as an ASCII PLY file (``.ply`` added when the name has no extension)."""
        path = _valid_file_path(path, '.ply')
        with open(path, 'w') as out:
            out.write('ply\nformat ascii 1.0\nelement vertex %d\n%s\nend_header\n'
                      % (len(self._rows), self._PLY_PROPERTIES))
            for detection in self:
                out.write(detection._ply_line() + '\n')
        return path

    def __str__(self):
        return '%s(frame=%d, timestamp=%s, number_of_points=%d)' % (
            type(self).__name__, self.frame, _fmt_f(self.timestamp), len(self._rows))


class LidarMeasurement(_PointCloud):
    """The points of one ``sensor.lidar.ray_cast`` tick."""


class SemanticLidarMeasurement(_PointCloud):
    """The points of one ``sensor.lidar.ray_cast_semantic`` tick."""

    _POINT = SEMANTIC_POINT
    _DETECTION = SemanticLidarDetection
    _PLY_PROPERTIES = ('property float32 x\nproperty float32 y\nproperty float32 z\n'
                       'property float32 CosAngle\nproperty uint32 ObjIdx\nproperty uint32 ObjTag')
