"""Traffic signs: `traffic.stop`, `traffic.yield` and `traffic.speed_limit.<N>` actors from OpenDRIVE signals.

As CARLA's TrafficLightManager::SpawnSignals: stop (206) and yield (205) signals, and speed-limit (274)
signals whose subtype is one of the speed-sign models (30 to 90), each spawn a sign actor at the signal's
pose turned by 90 degrees, unless a sign actor of the same kind already stands within 5 m (the signal then
joins that actor and adds no trigger boxes); stops painted on the road ("Stencil_STOP") spawn none. A sign's
trigger volume spans its effect boxes, one per valid driving lane.
"""
from __future__ import annotations

import math

from engine.traffic.sign_actor import SIGN_UNION, TAG_TRAFFIC_SIGN, SignActor, sign_id_bytes
from engine.traffic.signals import (MAX_SPEED_TYPE, SIGN_MATCH_DISTANCE, SPEED_LIMIT_SUBTYPES, STOP_TYPE,
                                    YIELD_TYPE, RoadContext, combined_box, normalized_yaw, sign_boxes, signal_pose)

STOP, YIELD = "stop", "yield"
_BOX_WIDTH_FACTOR = {STOP: 0.9, YIELD: 0.9, "speed_limit": 0.7}


def sign_kind(signal):
    """'stop', 'yield', 'speed_limit' or None for the signals that become sign actors."""
    if signal.type == STOP_TYPE:
        return STOP
    if signal.type == YIELD_TYPE:
        return YIELD
    if signal.type == MAX_SPEED_TYPE and signal.subtype in SPEED_LIMIT_SUBTYPES:
        return "speed_limit"
    return None


class TrafficSignSystem:
    """Every traffic sign actor of one world, and the stop lines of its stop and yield signals."""

    def __init__(self, world, context: RoadContext):
        self.world = world
        self.actor_ids: list = []
        self.sign_ids: list = []
        self.kinds: list = []
        # (road_id, lane_id, s, kind) of the lane stop line of every stop and yield signal of the map.
        self.stops: list = []
        placed: list = []                     # (location, kind, subtype) of the sign actors so far
        for signal_id in sorted(context.signals):
            signal = context.signals[signal_id]
            kind = sign_kind(signal)
            if kind is None:
                continue
            boxes, lane_stops = sign_boxes(context, signal_id, _BOX_WIDTH_FACTOR[kind])
            if kind in (STOP, YIELD):
                self.stops.extend((stop.road_id, stop.lane_id, stop.s, kind) for stop in lane_stops)
            location, rotation = signal_pose(context, signal)
            if any(k == kind and sub == signal.subtype and math.dist(loc, location) < SIGN_MATCH_DISTANCE
                   for loc, k, sub in placed):
                continue
            if kind == STOP and signal.name == "Stencil_STOP":
                continue
            placed.append((location, kind, signal.subtype))
            self._spawn(signal_id, kind, signal.subtype, location, rotation, boxes)

    def _spawn(self, signal_id: str, kind: str, subtype: str, location, rotation, boxes) -> None:
        type_id = f"traffic.{kind}" if kind != "speed_limit" else f"traffic.speed_limit.{subtype}"
        rotation = (0.0, normalized_yaw(rotation[1] + 90.0), 0.0)
        world = self.world
        actor = SignActor(id=world._new_id(), type_id=type_id, kind="traffic", description=[0, type_id, []],
                          location=location, rotation=rotation, semantic_tags=bytes([TAG_TRAFFIC_SIGN]),
                          sign_id=signal_id, trigger_volume=combined_box(boxes, location, rotation))
        encoded = sign_id_bytes(signal_id)
        actor.fill_record = lambda record: record.view(SIGN_UNION).__setitem__("sign_id", encoded)
        world._register(actor)
        self.actor_ids.append(actor.id)
        self.sign_ids.append(signal_id)
        self.kinds.append(kind)
