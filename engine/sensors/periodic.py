"""What the tick-driven CPU sensors (GNSS, IMU, lidars, radar) share: attributes, sensor_tick, the message.

As CARLA's ASensor, such a sensor measures only while a client listens to its stream, at most once per
world tick and only when ``sensor_tick`` seconds have passed since its last measurement; the time step it
measures over is the world's delta of that tick.
"""
from __future__ import annotations

import math

import numpy as np

from engine.errors import RequestError
from engine.world.actors import rotation_matrix
from engine.world.episode_state import sensor_header


class SensorAttributes:
    """Typed reads of a sensor actor's attribute strings; a bad value is a RequestError naming it."""

    def __init__(self, type_id: str, values: dict):
        self.type_id = type_id
        self.values = values

    def _text(self, name: str, default: str) -> str:
        value = self.values.get(name, default)
        return value if isinstance(value, str) else str(value)

    def number(self, name: str, default: float, low: float = -math.inf, high: float = math.inf) -> float:
        text = self._text(name, str(default))
        try:
            value = float(text)
        except ValueError:
            raise RequestError(f"{self.type_id}: attribute {name} must be a number, got '{text}'") from None
        if not (math.isfinite(value) and low <= value <= high):
            raise RequestError(f"{self.type_id}: attribute {name} must be between {low:g} and {high:g}, got {text}")
        return value

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        text = self._text(name, str(default))
        try:
            value = int(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if not value.is_integer():
                raise RequestError(f"{self.type_id}: attribute {name} must be an integer, got '{text}'") from None
            value = int(value)
        if not low <= value <= high:
            raise RequestError(f"{self.type_id}: attribute {name} must be between {low} and {high}, got {text}")
        return value


def random_engine(attributes: SensorAttributes) -> np.random.Generator:
    """The sensor's own random stream, seeded by its noise_seed (CARLA's URandomEngine plays this part)."""
    return np.random.default_rng(attributes.integer("noise_seed", 0, -2**31, 2**32 - 1) & 0xFFFFFFFF)


def sensor_tick_due(since_last: float, dt: float, sensor_tick: float) -> tuple:
    """CARLA's sensor_tick: (whether the sensor measures this tick, simulated seconds since it last did), a
    measurement being due once at least sensor_tick seconds have passed (0: every tick)."""
    since_last += dt
    if since_last + 1e-9 >= sensor_tick:
        return True, 0.0
    return False, since_last


class PeriodicSensor:
    """Base of the tick-driven sensors: subclasses set ``sensor_type`` and implement ``measure``."""

    sensor_type = -1
    needs_listener = True          # measured only while a client reads the stream (engine.sensors.registry)

    def __init__(self, actor, stream_id: int, world):
        self.actor = actor
        self.stream_id = stream_id
        self.attributes = SensorAttributes(actor.type_id, actor.attributes)
        self.sensor_tick = self.attributes.number("sensor_tick", 0.0, 0.0)
        self._since_last = 0.0

    def _due(self, dt: float) -> bool:
        due, self._since_last = sensor_tick_due(self._since_last, dt, self.sensor_tick)
        return due

    def messages(self, world, dt: float) -> list:
        if self.actor.id not in world.actors or not self._due(dt):
            return []
        pose = world.world_pose(self.actor)
        payload = self.measure(world, dt, pose)
        header = sensor_header(self.sensor_type, world.frame, world.elapsed_seconds, pose)
        return [(header, payload)]

    def measure(self, world, dt: float, pose) -> bytes:
        """The payload after the 48-byte header, for the sensor at world pose (location, rotation)."""
        raise NotImplementedError(f"{type(self).__name__} does not define its measurement")


def rotation(rot) -> np.ndarray:
    """3x3 CARLA rotation matrix (columns: the frame's forward, right and up axes in world coordinates)."""
    return np.array(rotation_matrix(rot), dtype=np.float64)


def parent_of(world, actor):
    """The actor's parent, or None when it has none (or the parent is gone)."""
    return world.actors.get(actor.parent_id) if actor.parent_id else None
