"""``sensor.lidar.ray_cast`` and ``sensor.lidar.ray_cast_semantic``: CARLA's rotating lidars.

The ray pattern of a tick is CARLA's (ARayCastSemanticLidar::SimulateLidar): ``channels`` lasers from
``upper_fov`` down to ``lower_fov``; each fires round_half_away(points_per_second * dt / channels) times
while the head turns ``rotation_frequency * horizontal_fov * dt`` degrees; laser azimuths are
fmod(angle + step * i, horizontal_fov) - horizontal_fov / 2. The header carries the angle reached at the
end of the tick (radians), the channel count and the points kept per channel; points are in the sensor's
frame (x forward, y right, z up, metres), channel after channel. Nothing beyond ``range`` is returned.

The plain lidar adds CARLA's intensity and drop-off model: a ray is not cast with probability
``dropoff_general_rate``; intensity is exp(-atmosphere_attenuation_rate * distance); a point keeps its
place when its intensity exceeds ``dropoff_intensity_limit``, otherwise with probability
I * dropoff_zero_intensity / dropoff_intensity_limit + 1 - dropoff_zero_intensity; ``noise_stddev`` moves
points along their ray. The semantic lidar reports, per point, the cosine of the incidence angle, the id
of the actor hit (0 for the map) and the semantic tag.
"""
from __future__ import annotations

import math

import numpy as np

from engine.sensors import raycast
from engine.sensors.periodic import PeriodicSensor, random_engine, rotation
from engine.sensors.registry import register

SEMANTIC_LIDAR_SENSOR_TYPE = 10    # positions in the 0.9.16 client's sensor registry
LIDAR_SENSOR_TYPE = 11
MAX_CHANNELS = 1024
MAX_POINTS_PER_SECOND = 50_000_000
RAYS_PER_CAST = 65_536
SEMANTIC_POINT = np.dtype([("x", "<f4"), ("y", "<f4"), ("z", "<f4"), ("cos_inc_angle", "<f4"),
                           ("object_idx", "<u4"), ("object_tag", "<u4")])


def _round_half_away(value: float) -> int:
    return int(math.floor(value + 0.5)) if value >= 0 else -int(math.floor(-value + 0.5))


class SemanticLidar(PeriodicSensor):
    sensor_type = SEMANTIC_LIDAR_SENSOR_TYPE

    def __init__(self, actor, stream_id: int, world):
        super().__init__(actor, stream_id, world)
        a = self.attributes
        self.channels = a.integer("channels", 32, 1, MAX_CHANNELS)
        self.range = a.number("range", 10.0, 1e-3)
        self.points_per_second = a.integer("points_per_second", 56000, 0, MAX_POINTS_PER_SECOND)
        self.rotation_frequency = a.number("rotation_frequency", 10.0, 0.0)
        upper, lower = a.number("upper_fov", 10.0, -90.0, 90.0), a.number("lower_fov", -30.0, -90.0, 90.0)
        self.horizontal_fov = a.number("horizontal_fov", 360.0, 1e-3, 360.0)
        delta = 0.0 if self.channels == 1 else (upper - lower) / (self.channels - 1)
        self.laser_pitch = np.float32(upper) - np.arange(self.channels, dtype=np.float32) * np.float32(delta)
        self.angle = np.float32(0.0)          # radians, where the last tick left the head
        raycast.static_scene(world.town)      # built (once per town) at spawn rather than on a tick

    # -- the tick's rays ------------------------------------------------------------------------------------
    def _pattern(self, dt: float):
        """Unit ray directions in the sensor frame, (channels, points) each, or None when no point is due."""
        per_laser = _round_half_away(float(np.float32(self.points_per_second) * np.float32(dt)
                                           / np.float32(self.channels)))
        if per_laser <= 0:
            return None
        fov = np.float32(self.horizontal_fov)
        current = np.float32(math.degrees(self.angle))
        sweep = np.float32(self.rotation_frequency) * fov * np.float32(dt)
        step = sweep / np.float32(per_laser)
        yaw = np.fmod(current + step * np.arange(per_laser, dtype=np.float32), fov) - fov / np.float32(2.0)
        self.angle = np.float32(math.radians(float(np.fmod(current + sweep, fov))))
        pitch = np.radians(self.laser_pitch.astype(np.float64))[:, None]
        yaw = np.radians(yaw.astype(np.float64))[None, :]
        return np.stack(np.broadcast_arrays(np.cos(pitch) * np.cos(yaw), np.cos(pitch) * np.sin(yaw),
                                            np.sin(pitch)), axis=-1)

    def _cast(self, world, pose, local: np.ndarray) -> raycast.Hits:
        """Hits of rays given in the sensor frame (flattened), cast in blocks to bound memory."""
        location, axes = np.asarray(pose[0], dtype=np.float64), rotation(pose[1])
        world_dirs = local @ axes.T
        parts = [raycast.cast(world, location, world_dirs[i:i + RAYS_PER_CAST], self.range)
                 for i in range(0, len(world_dirs), RAYS_PER_CAST)]
        if len(parts) == 1:
            return parts[0]
        return raycast.Hits(*(np.concatenate([getattr(p, f) for p in parts])
                              for f in ("distance", "normal", "tag", "actor_id", "velocity")))

    def _header(self, counts: np.ndarray) -> bytes:
        head = np.empty(2 + self.channels, dtype=np.uint32)
        head[0] = np.array([self.angle], dtype=np.float32).view(np.uint32)[0]
        head[1] = self.channels
        head[2:] = counts
        return head.tobytes()

    def measure(self, world, dt: float, pose) -> bytes:
        pattern = self._pattern(dt)
        if pattern is None:
            return self._header(np.zeros(self.channels, np.uint32))
        local = pattern.reshape(-1, 3)
        hits = self._cast(world, pose, local)
        found = np.isfinite(hits.distance)
        channel = np.repeat(np.arange(self.channels), pattern.shape[1])[found]
        points = np.zeros(int(found.sum()), dtype=SEMANTIC_POINT)
        xyz = local[found] * hits.distance[found, None]
        points["x"], points["y"], points["z"] = xyz[:, 0], xyz[:, 1], xyz[:, 2]
        world_dirs = local[found] @ rotation(pose[1]).T
        points["cos_inc_angle"] = np.abs(np.einsum("ij,ij->i", world_dirs, hits.normal[found]))
        points["object_idx"] = hits.actor_id[found]
        points["object_tag"] = hits.tag[found]
        counts = np.bincount(channel, minlength=self.channels)
        return self._header(counts) + points.tobytes()


class RayCastLidar(SemanticLidar):
    sensor_type = LIDAR_SENSOR_TYPE

    def __init__(self, actor, stream_id: int, world):
        super().__init__(actor, stream_id, world)
        a = self.attributes
        self.attenuation = a.number("atmosphere_attenuation_rate", 0.004, 0.0)
        self.general_drop = a.number("dropoff_general_rate", 0.45, 0.0, 1.0)
        self.intensity_limit = a.number("dropoff_intensity_limit", 0.8, 0.0, 1.0)
        self.zero_intensity_drop = a.number("dropoff_zero_intensity", 0.4, 0.0, 1.0)
        self.noise_stddev = a.number("noise_stddev", 0.0, 0.0)
        self.rng = random_engine(a)

    def measure(self, world, dt: float, pose) -> bytes:
        pattern = self._pattern(dt)
        if pattern is None:
            return self._header(np.zeros(self.channels, np.uint32))
        local = pattern.reshape(-1, 3)
        channel = np.repeat(np.arange(self.channels), pattern.shape[1])
        if self.general_drop > np.finfo(np.float32).eps:
            cast = self.rng.random(len(local)) >= self.general_drop
            local, channel = local[cast], channel[cast]
        hits = self._cast(world, pose, local)
        found = np.isfinite(hits.distance)
        local, channel, distance = local[found], channel[found], hits.distance[found]
        intensity = np.exp(-np.float32(self.attenuation) * distance.astype(np.float32))
        if self.noise_stddev > np.finfo(np.float32).eps:
            distance = distance + self.rng.normal(0.0, self.noise_stddev, len(distance))
        kept = intensity > self.intensity_limit
        doubtful = ~kept
        if doubtful.any():
            slope = self.zero_intensity_drop / self.intensity_limit if self.intensity_limit > 0 else 0.0
            chance = slope * intensity[doubtful] + (1.0 - self.zero_intensity_drop)
            kept[doubtful] = self.rng.random(int(doubtful.sum())) < chance
        points = np.empty((int(kept.sum()), 4), dtype=np.float32)
        points[:, :3] = local[kept] * distance[kept, None]
        points[:, 3] = intensity[kept]
        counts = np.bincount(channel[kept], minlength=self.channels)
        return self._header(counts) + points.tobytes()


register("sensor.lidar.ray_cast_semantic", SemanticLidar)
register("sensor.lidar.ray_cast", RayCastLidar)
