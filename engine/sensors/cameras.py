"""Camera sensors: their attributes, when they are due, and CARLA's image message.

The renderer makes the pixels; this module decides which cameras render on a frame and wraps each
image as the client expects: 48-byte sensor header, width, height, fov, BGRA pixels.
"""
from __future__ import annotations

import dataclasses
import struct

from engine.errors import RequestError
from engine.render.scene_data import CameraRequest
from engine.sensors.periodic import sensor_tick_due
from engine.world.episode_state import sensor_header

# blueprint id -> (sensor type id in the 0.9.16 client's registry, render kind)
CAMERA_KINDS = {
    "sensor.camera.rgb": (13, "rgb"),
    "sensor.camera.depth": (1, "depth"),
    "sensor.camera.semantic_segmentation": (14, "semantic_segmentation"),
    "sensor.camera.instance_segmentation": (15, "instance_segmentation"),
}
MAX_IMAGE_SIDE = 8192
_IMAGE_HEADER = struct.Struct("<IIf")


@dataclasses.dataclass
class Camera:
    actor_id: int
    stream_id: int
    sensor_type: int
    kind: str
    width: int
    height: int
    fov: float
    gamma: float
    sensor_tick: float
    since_last: float = 0.0      # simulated seconds since this camera last captured

    def due(self, dt: float) -> bool:
        """Whether the camera captures this frame (CARLA's sensor_tick)."""
        due, self.since_last = sensor_tick_due(self.since_last, dt, self.sensor_tick)
        return due

    def request(self, location, rotation) -> CameraRequest:
        return CameraRequest(self.kind, self.width, self.height, self.fov, tuple(location), tuple(rotation),
                             gamma=self.gamma)

    def message(self, frame: int, timestamp: float, transform, pixels: bytes) -> tuple:
        """The image message as buffers to send in a row: header, then the pixels (not copied)."""
        header = sensor_header(self.sensor_type, frame, timestamp, transform)
        return header + _IMAGE_HEADER.pack(self.width, self.height, self.fov), pixels


def camera_from_attributes(actor_id: int, stream_id: int, type_id: str, attributes: dict) -> Camera:
    sensor_type, kind = CAMERA_KINDS[type_id]

    def number(name, cast, default):
        text = attributes.get(name, default)
        try:
            return cast(float(text)) if cast is int else cast(text)
        except (TypeError, ValueError):
            raise RequestError(f"{type_id}: attribute {name} must be a number, got '{text}'") from None

    width, height = number("image_size_x", int, "800"), number("image_size_y", int, "600")
    fov, tick, gamma = number("fov", float, "90"), number("sensor_tick", float, "0"), number("gamma", float, "2.2")
    if not (1 <= width <= MAX_IMAGE_SIDE and 1 <= height <= MAX_IMAGE_SIDE):
        raise RequestError(f"{type_id}: image size {width}x{height} is outside 1..{MAX_IMAGE_SIDE}")
    if not 0.0 < fov < 180.0:
        raise RequestError(f"{type_id}: fov must be between 0 and 180 degrees, got {fov}")
    if tick < 0 or gamma <= 0:
        raise RequestError(f"{type_id}: sensor_tick must be >= 0 and gamma > 0")
    return Camera(actor_id, stream_id, sensor_type, kind, width, height, fov, gamma, tick)
