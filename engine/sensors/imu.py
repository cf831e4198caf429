"""``sensor.other.imu``: accelerometer, gyroscope and compass, as CARLA's AInertialMeasurementUnit.

- Accelerometer (m/s^2, sensor frame): the second derivative of the sensor's world location through its
  last three positions (a quadratic through unevenly spaced samples), plus 9.81 upwards, then rotated
  into the sensor's frame; normal noise per axis.
- Gyroscope (rad/s): the parent's angular velocity expressed in the parent's frame, turned by the sensor's
  rotation relative to the parent, plus bias and normal noise per axis.
- Compass (rad): heading from north (CARLA's -y), clockwise, in [0, 2 pi).

The message body is msgpack [[ax, ay, az], [gx, gy, gz], compass] of floats (IMUSerializer).
The position history starts at the sensor's first measured position, so the first readings of a sensor
at rest are exactly gravity.
"""
from __future__ import annotations

import math

import msgpack
import numpy as np

from engine.sensors.periodic import PeriodicSensor, parent_of, random_engine, rotation
from engine.sensors.registry import register

IMU_SENSOR_TYPE = 5       # position in the 0.9.16 client's sensor registry
GRAVITY = 9.81
NORTH = np.array([0.0, -1.0, 0.0])
_PACKER = msgpack.Packer(use_single_float=True)


class ImuSensor(PeriodicSensor):
    sensor_type = IMU_SENSOR_TYPE

    def __init__(self, actor, stream_id: int, world):
        super().__init__(actor, stream_id, world)
        a = self.attributes
        self.accel_stddev = np.array([a.number(f"noise_accel_stddev_{c}", 0.0, 0.0) for c in "xyz"])
        self.gyro_stddev = np.array([a.number(f"noise_gyro_stddev_{c}", 0.0, 0.0) for c in "xyz"])
        self.gyro_bias = np.array([a.number(f"noise_gyro_bias_{c}", 0.0) for c in "xyz"])
        self.rng = random_engine(a)
        self._previous = None          # [position two ticks ago, position one tick ago], previous dt

    def measure(self, world, dt: float, pose) -> bytes:
        location, rot = np.asarray(pose[0], dtype=np.float64), rotation(pose[1])
        accelerometer = rot.T @ (self._acceleration(location, dt) + [0.0, 0.0, GRAVITY])
        accelerometer = accelerometer + self.rng.normal(0.0, self.accel_stddev)
        gyroscope = self._angular_velocity(world) + self.gyro_bias + self.rng.normal(0.0, self.gyro_stddev)
        return _PACKER.pack([accelerometer.tolist(), gyroscope.tolist(), _compass(rot[:, 0])])

    def _acceleration(self, y0: np.ndarray, h1: float) -> np.ndarray:
        if self._previous is None or h1 <= 0.0:
            self._previous = ([y0, y0], max(h1, 1e-6))
        (y2, y1), h2 = self._previous
        h1 = max(h1, 1e-6)
        acceleration = -2.0 * (y1 / (h1 * h2) - y2 / (h2 * (h1 + h2)) - y0 / (h1 * (h1 + h2)))
        self._previous = ([y1, y0], h1)
        return acceleration

    def _angular_velocity(self, world) -> np.ndarray:
        parent = parent_of(world, self.actor)
        if parent is None or parent.slot < 0:
            return np.zeros(3)
        state = world.state_of(parent)
        world_rate = np.radians(state.angvel[parent.slot])
        in_parent = rotation(state.rot[parent.slot]).T @ world_rate
        return rotation(self.actor.rotation) @ in_parent


def _compass(forward: np.ndarray) -> float:
    """Angle from north to the forward direction in the ground plane, clockwise seen from above."""
    flat = np.array([forward[0], forward[1], 0.0])
    norm = float(np.linalg.norm(flat))
    if norm < 1e-12:
        return 0.0
    cosine = float(NORTH @ flat) / norm
    if cosine >= 1.0:
        return 0.0
    angle = math.acos(max(cosine, -1.0))
    # CARLA: cross(north, forward).z < 0 means the heading lies past south.
    return 2.0 * math.pi - angle if flat[0] / norm < 0.0 else angle


register("sensor.other.imu", ImuSensor)
