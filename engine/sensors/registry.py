"""Sensors computed on the CPU (everything but cameras): blueprint id -> builder.

A builder is `build(actor, stream_id, world) -> sensor`; the sensor answers `messages(world, dt)` after
every tick with the messages to publish on its stream (a list of buffer tuples, possibly empty). A sensor
whose ``needs_listener`` is true is asked only while a client reads its stream, as CARLA's tick-driven
sensors measure only then.
Modules that define sensors add their builders here when imported by `engine.sensors.catalog`.
"""
from __future__ import annotations

from typing import Callable, Dict

SENSOR_BUILDERS: Dict[str, Callable] = {}


def register(type_id: str, builder: Callable) -> None:
    SENSOR_BUILDERS[type_id] = builder
