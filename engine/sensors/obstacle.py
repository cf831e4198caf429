"""``sensor.other.obstacle``: CARLA's ObstacleDetectionEvent, the first thing in front of the sensor.

As CARLA's AObstacleDetectionSensor, a sphere of ``hit_radius`` is swept from the sensor ``distance`` metres
along its forward axis; the first vehicle, walker or (unless ``only_dynamics``) prop it touches, other than
the sensor's parent, is reported with the distance the sphere travelled. Nothing is sent when nothing is hit.
The body is msgpack of [self actor (the sensor), other actor, distance] (ObstacleDetectionEventSerializer).
The ground is not an obstacle here; ``debug_linetrace`` draws nothing.
"""
from __future__ import annotations

import numpy as np
import msgpack

from engine.sensors.periodic import PeriodicSensor, rotation
from engine.sensors.registry import register
from engine.world import obb
from engine.world.episode_state import sensor_header

OBSTACLE_SENSOR_TYPE = 7       # position in the 0.9.16 client's sensor registry
_PACKER = msgpack.Packer(use_bin_type=True, use_single_float=True)


class ObstacleSensor(PeriodicSensor):
    sensor_type = OBSTACLE_SENSOR_TYPE

    def __init__(self, actor, stream_id: int, world):
        if getattr(world, "collisions", None) is None:
            raise RuntimeError("sensor.other.obstacle needs the world's collision system (engine.world.collisions)")
        super().__init__(actor, stream_id, world)
        a = self.attributes
        self.distance = a.number("distance", 5.0, 0.0)
        self.hit_radius = a.number("hit_radius", 0.5, 0.0)
        self.only_dynamics = str(actor.attributes.get("only_dynamics", "false")).lower() == "true"

    def messages(self, world, dt: float) -> list:
        if self.actor.id not in world.actors or not self._due(dt):
            return []
        pose = world.world_pose(self.actor)
        found = self.first_hit(world, pose)
        if found is None:
            return []
        other_wire, distance = found
        system = world.collisions
        body = _PACKER.pack([system.wire_of(self.actor), other_wire, float(distance)])
        return [(sensor_header(self.sensor_type, world.frame, world.elapsed_seconds, pose), body)]

    def first_hit(self, world, pose):
        """(other actor's rpc::Actor, distance) of the nearest obstacle, or None."""
        location, rot = pose
        start = np.asarray(location, dtype=np.float64)
        forward = rotation(rot)[:, 0]
        system = world.collisions
        bodies = system.bodies()
        ignored = (self.actor.id, self.actor.parent_id)
        keep = ~np.isin(bodies.ids, ignored)
        reach = obb.sphere_sweep(start, forward, self.distance, self.hit_radius, bodies.center[keep],
                                 bodies.half[keep], bodies.yaw[keep], bodies.z_lo[keep], bodies.z_hi[keep])
        best, wire = np.inf, None
        if len(reach) and reach.min() < best:
            k = int(reach.argmin())
            best, wire = float(reach[k]), system.wire_of(world.actors[int(bodies.ids[keep][k])])
        if not self.only_dynamics:
            props = system.props
            reach = obb.sphere_sweep(start, forward, self.distance, self.hit_radius, props.center[:, :2], props.half,
                                     props.yaw, props.center[:, 2] - props.half[:, 2],
                                     props.center[:, 2] + props.half[:, 2])
            if len(reach) and reach.min() < best:
                k = int(reach.argmin())
                best, wire = float(reach[k]), system.prop_wire(k)
        return None if wire is None else (wire, best)


register("sensor.other.obstacle", ObstacleSensor)
