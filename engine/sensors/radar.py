"""``sensor.other.radar``: CARLA's ARadar, a cone of random rays with depth and relative velocity.

Each tick int(points_per_second * dt) rays go from the sensor towards random points of the far ellipse
(range ahead, tan(fov / 2) * range * radius off-axis, radius and angle uniform from the sensor's noise
seed); every ray that hits something becomes a detection: velocity (m/s, the hit object's velocity
minus the radar's own along the ray; positive when they separate), azimuth and altitude of the ray
(radians) and depth (metres). The radar's velocity is its position change over the tick. The message
body is float32 rows [velocity, azimuth, altitude, depth] in ray order.
"""
from __future__ import annotations

import math

import numpy as np

from engine.sensors import raycast
from engine.sensors.periodic import PeriodicSensor, random_engine, rotation
from engine.sensors.registry import register

RADAR_SENSOR_TYPE = 9      # position in the 0.9.16 client's sensor registry
MAX_POINTS_PER_SECOND = 10_000_000


class Radar(PeriodicSensor):
    sensor_type = RADAR_SENSOR_TYPE

    def __init__(self, actor, stream_id: int, world):
        super().__init__(actor, stream_id, world)
        a = self.attributes
        self.horizontal_fov = a.number("horizontal_fov", 30.0, 0.0, 179.9)
        self.vertical_fov = a.number("vertical_fov", 30.0, 0.0, 179.9)
        self.range = a.number("range", 100.0, 1e-3)
        self.points_per_second = a.integer("points_per_second", 1500, 0, MAX_POINTS_PER_SECOND)
        self.rng = random_engine(a)
        self._previous = np.asarray(world.world_pose(actor)[0], dtype=np.float64)
        raycast.static_scene(world.town)      # built (once per town) at spawn rather than on a tick

    def measure(self, world, dt: float, pose) -> bytes:
        location = np.asarray(pose[0], dtype=np.float64)
        own_velocity = (location - self._previous) / dt if dt > 0 else np.zeros(3)
        self._previous = location
        count = int(self.points_per_second * dt)
        if count <= 0:
            return b""
        draws = self.rng.random((count, 2))
        radius, angle = draws[:, 0], draws[:, 1] * 2.0 * math.pi
        local = np.empty((count, 3))
        local[:, 0] = self.range
        local[:, 1] = math.tan(math.radians(0.5 * self.horizontal_fov)) * self.range * radius * np.cos(angle)
        local[:, 2] = math.tan(math.radians(0.5 * self.vertical_fov)) * self.range * radius * np.sin(angle)
        length = np.linalg.norm(local, axis=1)
        unit = local / length[:, None]
        world_dirs = unit @ rotation(pose[1]).T
        hits = raycast.cast(world, location, world_dirs, length)
        found = np.flatnonzero(np.isfinite(hits.distance))
        rows = np.empty((len(found), 4), dtype=np.float32)
        rows[:, 0] = np.einsum("ij,ij->i", hits.velocity[found] - own_velocity, world_dirs[found])
        rows[:, 1] = np.arctan2(unit[found, 1], unit[found, 0])
        rows[:, 2] = np.arcsin(np.clip(unit[found, 2], -1.0, 1.0))
        rows[:, 3] = hits.distance[found]
        return rows.tobytes()


register("sensor.other.radar", Radar)
