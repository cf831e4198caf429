"""``sensor.other.lane_invasion``: spawned here, computed by the client.

In CARLA the server's ALaneInvasionSensor never ticks and never sends anything: the client builds the
events itself from its map and the episode state (LibCarla's client LaneInvasionSensor). This server
does the same: the actor gets its stream, as every CARLA sensor does, and nothing is published on it.
"""
from __future__ import annotations

from engine.sensors.registry import register


class LaneInvasionActor:
    """The server side of a lane-invasion sensor: a stream that stays silent."""

    needs_listener = False

    def __init__(self, actor, stream_id: int, world):
        self.actor = actor
        self.stream_id = stream_id

    def messages(self, world, dt: float) -> list:
        return []


register("sensor.other.lane_invasion", LaneInvasionActor)
