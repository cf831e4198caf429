"""The traffic fields of vehicle records: the light a vehicle waits at, its state, and the speed limit.

A vehicle is at a traffic light while its bounding box overlaps one of the light's trigger boxes; it then
reports that light's id and state, and otherwise Green without a light, as CARLA's vehicle controllers do.

The speed limit comes from the OpenDRIVE speed record of the driving lane nearest the vehicle (the lane's
own record, else its road's). Where the map gives none (typically the roads inside junctions), or no driving
lane lies within 8 m (off the road), the vehicle keeps the limit it had, as CARLA's controllers keep the
last speed-sign value; a vehicle that has met no record yet has 30 km/h. The lane is looked up again once
the vehicle has moved 5 m, for all moved vehicles at once; such a lookup also takes every vehicle that has
moved half as far, so that in steady traffic lookups come every few ticks for many vehicles instead of
every tick for a few (each batch costs about as much as one vehicle alone).
"""
from __future__ import annotations

import numpy as np

from carla_odr.network import DRIVING

from engine.traffic import slot_arrays
from engine.traffic.lights import GREEN, TrafficLightSystem
from engine.traffic.signals import RoadContext
from engine.world import obb

DEFAULT_SPEED_LIMIT_KMH = 30.0
MPS_TO_KMH = 3.6
SPEED_LOOKUP_MOVE = 5.0        # metres a vehicle moves before its lane is looked up again
SPEED_LOOKUP_JOIN = 2.5        # metres moved that bring a vehicle into a lookup another one triggered
LIGHT_LOOKUP_TOLERANCE = np.array([0.01, 0.01, 0.01, 0.1])   # m, m, m, degrees of yaw: still where it was

# Per vehicle slot: the actor it was filled for, its half extents, its speed limit and where that was looked
# up; the pose (x, y, z, yaw) its light was last found at, that light (-1: none), and how far it may move
# before it can reach a trigger box.
_SLOT_FIELDS = {"_actor": ((), np.uint32, 0), "_extent": ((3,), np.float64, 0.0),
                "_speed": ((), np.float32, 0.0), "_speed_at": ((2,), np.float64, 0.0),
                "_light_pose": ((4,), np.float64, np.nan), "_light": ((), np.int64, -1),
                "_light_clear": ((), np.float64, 0.0)}


class VehicleTraffic:
    def __init__(self, world, lights: TrafficLightSystem, context: RoadContext):
        self.world = world
        self.lights = lights
        self.context = context
        boxes = [(i, box) for i, light_boxes in enumerate(lights.trigger_boxes) for box in light_boxes]
        self.box_light = np.array([i for i, _ in boxes], dtype=np.int64)
        self.box_centre = np.array([b.location for _, b in boxes], dtype=np.float64).reshape(-1, 3)
        self.box_half = np.array([b.extent for _, b in boxes], dtype=np.float64).reshape(-1, 3)
        self.box_yaw = np.radians(np.array([b.rotation[1] for _, b in boxes], dtype=np.float64))
        self.box_reach = np.hypot(self.box_half[:, 0], self.box_half[:, 1])
        slot_arrays.grow(self, _SLOT_FIELDS, 0)
        self._chord_speed = None

    def fill(self, slots: np.ndarray, records: np.ndarray) -> None:
        """Write speed_limit, tl_state, has_tl and tl_id of the vehicle records of these slots."""
        self._track(slots)
        records["speed_limit"] = self._speed_limits(slots)
        light = self.light_of(slots)
        has = light >= 0
        records["has_tl"] = has
        records["tl_state"] = GREEN
        records["tl_id"] = 0
        if has.any():
            records["tl_state"][has] = self.lights.state[light[has]]
            records["tl_id"][has] = self.lights.actor_ids[light[has]]

    def _track(self, slots: np.ndarray) -> None:
        """Start afresh the slots that hold a different vehicle than last time."""
        if len(slots) == 0:
            return
        highest = int(slots.max())
        if highest >= len(self._actor):
            slot_arrays.grow(self, _SLOT_FIELDS, slot_arrays.capacity_for(max(len(self._actor), 16), highest))
        world = self.world
        for slot in slots[self._actor[slots] != world.vehicle_ids[slots]]:
            actor_id = int(world.vehicle_ids[slot])
            self._actor[slot] = actor_id
            self._extent[slot] = world.actors[actor_id].extent
            self._speed[slot] = DEFAULT_SPEED_LIMIT_KMH
            self._speed_at[slot] = np.inf          # look the lane up at once
            self._light_pose[slot] = np.nan        # and its light

    # -- traffic lights ------------------------------------------------------------------------------------------
    def light_of(self, slots: np.ndarray) -> np.ndarray:
        """Per slot the index of the light whose trigger box the vehicle overlaps (the first by box order), or -1.

        Only vehicles that moved since their last look are tested again, and of those far from every trigger
        box only the ones that moved far enough to reach one; the others keep their answer."""
        if len(slots) == 0 or len(self.box_light) == 0:
            return np.full(len(slots), -1, dtype=np.int64)
        vehicles = self.world.vehicles
        pose = np.concatenate([vehicles.loc[slots], vehicles.rot[slots, 1:2]], axis=1)
        last = self._light_pose[slots]
        moved = ~(np.abs(pose - last) <= LIGHT_LOOKUP_TOLERANCE).all(axis=1)
        moved &= ~(np.hypot(pose[:, 0] - last[:, 0], pose[:, 1] - last[:, 1]) < self._light_clear[slots])
        if moved.any():
            looked = slots[moved]
            self._light[looked], self._light_clear[looked] = self._overlapped_light(looked)
            self._light_pose[looked] = pose[moved]
        result = self._light[slots].copy()
        found = (result >= 0).nonzero()[0]
        if len(found):
            actors = self.world.actors
            gone = [k for k in found if int(self.lights.actor_ids[result[k]]) not in actors]
            result[gone] = -1
        return result

    def _overlapped_light(self, slots: np.ndarray) -> tuple:
        """(light index or -1, the distance each vehicle can move before its bounds may reach a box)."""
        result = np.full(len(slots), -1, dtype=np.int64)
        loc = self.world.vehicles.loc[slots]
        extents = self._extent[slots]
        reach = np.hypot(extents[:, 0], extents[:, 1])
        dx = loc[:, None, 0] - self.box_centre[None, :, 0]
        dy = loc[:, None, 1] - self.box_centre[None, :, 1]
        gap = np.sqrt(dx * dx + dy * dy) - (reach[:, None] + self.box_reach[None, :])
        clearance = np.maximum(gap.min(axis=1), 0.0)
        v_index, b_index = (gap <= 0.0).nonzero()
        if len(v_index) == 0:
            return result, clearance
        low, high = loc[v_index, 2], loc[v_index, 2] + 2.0 * extents[v_index, 2]
        box_z, box_half_z = self.box_centre[b_index, 2], self.box_half[b_index, 2]
        hits = (low <= box_z + box_half_z) & (high >= box_z - box_half_z)
        yaw = np.radians(self.world.vehicles.rot[slots, 1])
        box_yaw = self.box_yaw[b_index]
        hits &= obb.overlapping(loc[v_index, :2], extents[v_index, :2], np.cos(yaw[v_index]), np.sin(yaw[v_index]),
                                self.box_centre[b_index, :2], self.box_half[b_index, :2], np.cos(box_yaw),
                                np.sin(box_yaw))
        actors = self.world.actors
        for v, b in zip(v_index[hits][::-1], b_index[hits][::-1]):
            light = self.box_light[b]
            if int(self.lights.actor_ids[light]) in actors:
                result[v] = light
        return result, clearance

    # -- speed limits --------------------------------------------------------------------------------------------
    def _speed_limits(self, slots: np.ndarray) -> np.ndarray:
        if len(slots) == 0:
            return np.zeros(0, dtype=np.float32)
        loc = self.world.vehicles.loc[slots]
        distance = np.hypot(*(loc[:, :2] - self._speed_at[slots]).T)
        if distance.max() >= SPEED_LOOKUP_MOVE:
            moved = distance >= SPEED_LOOKUP_JOIN
            looked = slots[moved]
            found = self.context.index.nearest_near(loc[moved], DRIVING)
            speed = self._segment_speeds()[np.maximum(found, 0)]
            known = (found >= 0) & ~np.isnan(speed)
            self._speed[looked[known]] = speed[known]
            self._speed_at[looked] = loc[moved, :2]
        return self._speed[slots]

    def _segment_speeds(self) -> np.ndarray:
        """km/h of each lane chord's speed record (the lane's, else its road's); NaN where there is none."""
        if self._chord_speed is None:
            network = self.context.network
            by_lane = np.full(len(network.lanes), np.nan)
            for index, lane in enumerate(network.lanes):
                road = lane.road.source
                source_lane = road.lane_sections[lane.section.id].lanes.get(lane.id)
                speed = source_lane.speed_max if source_lane is not None and source_lane.speed_max is not None \
                    else road.speed_max
                if speed is not None:
                    by_lane[index] = speed * MPS_TO_KMH
            self._chord_speed = by_lane[self.context.segments.lane]
        return self._chord_speed
