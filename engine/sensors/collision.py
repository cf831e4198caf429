"""``sensor.other.collision``: CARLA's CollisionEvent for every contact of the sensor's parent that began
this tick (engine.world.collisions finds them).

The message body is msgpack of [self actor, other actor, normal impulse [x, y, z]] (CollisionEventSerializer):
the actors as rpc::Actor, the self actor being the parent that was hit, the other one a vehicle, a walker or a
prop (id 0, type 'static.building', 'static.pole', ...), the impulse in N*s on the parent.
"""
from __future__ import annotations

import msgpack

from engine.sensors.periodic import parent_of
from engine.sensors.registry import register
from engine.world.episode_state import sensor_header

COLLISION_SENSOR_TYPE = 0      # position in the 0.9.16 client's sensor registry
_PACKER = msgpack.Packer(use_bin_type=True, use_single_float=True)


class CollisionSensor:
    needs_listener = True

    def __init__(self, actor, stream_id: int, world):
        if getattr(world, "collisions", None) is None:
            raise RuntimeError("sensor.other.collision needs the world's collision system (engine.world.collisions)")
        self.actor = actor
        self.stream_id = stream_id

    def messages(self, world, dt: float) -> list:
        parent = parent_of(world, self.actor) if self.actor.id in world.actors else None
        if parent is None or not world.collision_events:
            return []
        system = world.collisions
        header = None
        out = []
        for (actor_id, _other_id, impulse), other_key in zip(world.collision_events, system.event_others):
            if actor_id != parent.id:
                continue
            if header is None:
                header = sensor_header(COLLISION_SENSOR_TYPE, world.frame, world.elapsed_seconds,
                                       world.world_pose(self.actor))
            body = _PACKER.pack([system.wire_of(parent), system.other_wire(other_key), list(impulse)])
            out.append((header, body))
        return out


register("sensor.other.collision", CollisionSensor)
