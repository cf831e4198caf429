"""Sensor data received on sensor streams: the common header and the camera Image.

Every payload starts with a 48-byte header (registry id, frame, timestamp, sensor transform). The
registry id selects the decoder; ids without one give a plain SensorData holding the raw bytes.
"""

import os
import struct
import zlib

import msgpack
import numpy as np

from .enums import ColorConverter
from .geometry import Color, Location, Rotation, Transform

SENSOR_HEADER = struct.Struct('<QQd6f')
IMAGE_HEADER = struct.Struct('<IIf')
_PIXELS_OFFSET = SENSOR_HEADER.size + IMAGE_HEADER.size

# CARLA 0.9.16's CityScapes colours by semantic tag (the tag is the red channel), RGB.
CITYSCAPES_PALETTE = np.array([
    (0, 0, 0), (128, 64, 128), (244, 35, 232), (70, 70, 70), (102, 102, 156), (190, 153, 153),
    (153, 153, 153), (250, 170, 30), (220, 220, 0), (107, 142, 35), (152, 251, 152),
    (70, 130, 180), (220, 20, 60), (255, 0, 0), (0, 0, 142), (0, 0, 70), (0, 60, 100),
    (0, 80, 100), (0, 0, 230), (119, 11, 32), (110, 190, 160), (170, 120, 50), (55, 90, 80),
    (45, 60, 150), (157, 234, 50), (81, 0, 81), (150, 100, 100), (230, 150, 140),
    (180, 165, 180)], dtype=np.uint8)
_LOG_DEPTH_DIVISOR = np.float32(5.70378)
_LOG_DEPTH_FLOOR = np.float32(0.005)


class SensorData:
    """Data of one sensor measurement: frame, simulation time and the sensor's transform."""

    _simulator = None     # the client that received it (events build their actors with it)

    def __init__(self, payload, sensor_type, frame, timestamp, pose):
        self._payload = payload
        self._sensor_type = sensor_type
        self.frame = frame
        self.timestamp = timestamp
        self._pose = pose

    @property
    def frame_number(self):
        return self.frame

    @property
    def transform(self):
        x, y, z, pitch, yaw, roll = self._pose
        return Transform._new(Location._new(x, y, z), Rotation._new(pitch, yaw, roll))

    @property
    def raw_data(self):
        """The payload after the 48-byte header."""
        return memoryview(self._payload)[SENSOR_HEADER.size:].toreadonly()

    def __str__(self):
        return 'SensorData(frame=%d, timestamp=%f)' % (self.frame, self.timestamp)


def _msgpack_body(payload, what):
    """The msgpack value after the header (GNSS, IMU and the sensor events send one)."""
    try:
        return msgpack.unpackb(bytes(memoryview(payload)[SENSOR_HEADER.size:]), raw=False)
    except (ValueError, msgpack.UnpackException) as error:
        raise ValueError('%s payload cannot be decoded: %s' % (what, error)) from None


def _item_index(pos, count):
    """An item position as CARLA's unsigned index: negative overflows, past the end is IndexError."""
    pos = int(pos)
    if pos < 0:
        raise OverflowError("can't convert negative value to unsigned int")
    if pos >= count:
        raise IndexError('index out of range')
    return pos


class _Detections(SensorData):
    """A measurement that is a list of detections: the rows of ``self._rows``, each read and written
    through the ``_DETECTION`` class (its ``_from_row`` and ``_row``)."""

    _DETECTION = None

    def __len__(self):
        return len(self._rows)

    def __getitem__(self, pos):
        return self._DETECTION._from_row(self._rows[_item_index(pos, len(self._rows))].tolist())

    def __setitem__(self, pos, detection):
        if not isinstance(detection, self._DETECTION):
            raise TypeError('%s items are carla.%s, not %s' % (
                type(self).__name__, self._DETECTION.__name__, type(detection).__name__))
        self._rows[_item_index(pos, len(self._rows))] = detection._row()

    def __iter__(self):
        for row in self._rows.tolist():
            yield self._DETECTION._from_row(row)


class Image(SensorData):
    """A camera image: width x height pixels of 4 bytes, B, G, R, A."""

    def __init__(self, payload, sensor_type, frame, timestamp, pose):
        super().__init__(payload, sensor_type, frame, timestamp, pose)
        self.width, self.height, self.fov = IMAGE_HEADER.unpack_from(payload, SENSOR_HEADER.size)
        self._pixel_count = self.width * self.height
        if len(payload) < _PIXELS_OFFSET + 4 * self._pixel_count:
            raise ValueError('image payload of %d bytes is too short for %dx%d'
                             % (len(payload), self.width, self.height))
        # CARLA's client delivers every pixel opaque (one contiguous pass over 32-bit pixels).
        pixels = np.frombuffer(self._payload, dtype='<u4', count=self._pixel_count, offset=_PIXELS_OFFSET)
        np.bitwise_or(pixels, 0xFF000000, out=pixels)

    def _bgra(self):
        return np.frombuffer(self._payload, dtype=np.uint8, count=4 * self._pixel_count,
                             offset=_PIXELS_OFFSET).reshape(self._pixel_count, 4)

    @property
    def raw_data(self):
        return memoryview(self._payload)[_PIXELS_OFFSET:_PIXELS_OFFSET + 4 * self._pixel_count] \
            .toreadonly()

    def convert(self, color_converter):
        """Convert the pixels in place."""
        converted = _converted_bgra(self._bgra(), ColorConverter._from_wire(int(color_converter)))
        if converted is not None:
            self._bgra()[:] = converted

    def save_to_disk(self, path, color_converter=ColorConverter.Raw):
        """Write the image, converted (the Image itself is unchanged); returns the path written.

        PNG when the name has no extension; other formats need Pillow."""
        converter = ColorConverter._from_wire(int(color_converter))
        converted = _converted_bgra(self._bgra(), converter)
        bgra = self._bgra() if converted is None else converted
        pixels = bgra.reshape(self.height, self.width, 4)
        gray = converter in (ColorConverter.Depth, ColorConverter.LogarithmicDepth)
        path = _valid_file_path(path, '.png')
        if path.lower().endswith('.png'):
            _write_png(path, pixels[:, :, 2] if gray else pixels[:, :, [2, 1, 0, 3]])
        else:
            _write_with_pillow(path, pixels[:, :, 2] if gray else pixels[:, :, [2, 1, 0, 3]])
        return path

    def __len__(self):
        return self._pixel_count

    def __getitem__(self, pos):
        b, g, r, a = self._bgra()[_item_index(pos, self._pixel_count)].tolist()
        return Color(r, g, b, a)

    def __setitem__(self, pos, color):
        self._bgra()[_item_index(pos, self._pixel_count)] = (color.b, color.g, color.r, color.a)

    def __iter__(self):
        for b, g, r, a in self._bgra().tolist():
            yield Color(r, g, b, a)

    def __str__(self):
        return 'Image(frame=%d, timestamp=%f, size=%dx%d)' % (
            self.frame, self.timestamp, self.width, self.height)


def _converted_bgra(bgra, converter):
    """BGRA pixels after ``converter`` (a new array), or None for Raw."""
    if converter == ColorConverter.Raw:
        return None
    out = np.empty_like(bgra)
    out[:, 3] = 255
    if converter == ColorConverter.CityScapesPalette:
        rgb = CITYSCAPES_PALETTE[bgra[:, 2] % len(CITYSCAPES_PALETTE)]
        out[:, 0], out[:, 1], out[:, 2] = rgb[:, 2], rgb[:, 1], rgb[:, 0]
        return out
    depth = (bgra[:, 2].astype(np.float32) + bgra[:, 1].astype(np.float32) * np.float32(256.0)
             + bgra[:, 0].astype(np.float32) * np.float32(65536.0)) / np.float32(16777215.0)
    if converter == ColorConverter.LogarithmicDepth:
        with np.errstate(divide='ignore'):
            depth = np.float32(1.0) + np.log(depth) / _LOG_DEPTH_DIVISOR
        depth = np.clip(depth, _LOG_DEPTH_FLOOR, np.float32(1.0))
    gray = np.floor(depth * np.float32(255.0) + np.float32(0.5)).clip(0, 255).astype(np.uint8)
    out[:, 0] = out[:, 1] = out[:, 2] = gray
    return out


def _valid_file_path(path, default_extension):
    path = os.fspath(path)
    if not os.path.splitext(path)[1]:
        path += default_extension
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    return path


def _png_chunk(kind, data):
    return (struct.pack('>I', len(data)) + kind + data
            + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF))


def _write_png(path, pixels):
    """PNG of an (h, w) gray or (h, w, 4) RGBA uint8 array."""
    height, width = pixels.shape[:2]
    color_type = 0 if pixels.ndim == 2 else 6
    rows = np.ascontiguousarray(pixels).reshape(height, -1)
    raw = np.zeros((height, rows.shape[1] + 1), dtype=np.uint8)   # filter byte 0 per row
    raw[:, 1:] = rows
    header = struct.pack('>IIBBBBB', width, height, 8, color_type, 0, 0, 0)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n')
        f.write(_png_chunk(b'IHDR', header))
        f.write(_png_chunk(b'IDAT', zlib.compress(raw.tobytes(), 6)))
        f.write(_png_chunk(b'IEND', b''))


def _write_with_pillow(path, pixels):
    try:
        from PIL import Image as PillowImage
    except ImportError:
        raise RuntimeError('saving %s needs Pillow; PNG works without it' % path) from None
    image = PillowImage.fromarray(np.ascontiguousarray(pixels))
    if image.mode == 'RGBA' and os.path.splitext(path)[1].lower() in ('.jpg', '.jpeg', '.bmp'):
        image = image.convert('RGB')
    image.save(path)


_DECODERS = {1: Image, 2: Image, 13: Image, 14: Image, 15: Image, 16: Image}


def deserialize(payload, simulator=None):
    """Decode one sensor-stream payload into SensorData (or the subclass its registry id names);
    ``simulator`` is the client it came to, which events need to name actors."""
    sensor_type, frame, timestamp, x, y, z, pitch, yaw, roll = SENSOR_HEADER.unpack_from(payload, 0)
    decoder = _DECODERS.get(sensor_type, SensorData)
    data = decoder(payload, sensor_type, frame, timestamp, (x, y, z, pitch, yaw, roll))
    data._simulator = simulator
    return data


# Measurements of the other sensors live in their own modules (they subclass SensorData above).
from .measurements import GnssMeasurement, IMUMeasurement, RadarMeasurement  # noqa: E402
from .point_clouds import LidarMeasurement, SemanticLidarMeasurement  # noqa: E402

_DECODERS.update({4: GnssMeasurement, 5: IMUMeasurement, 9: RadarMeasurement, 10: SemanticLidarMeasurement,
                  11: LidarMeasurement})

from .sensor_events import CollisionEvent, ObstacleDetectionEvent  # noqa: E402

_DECODERS.update({0: CollisionEvent, 7: ObstacleDetectionEvent})
