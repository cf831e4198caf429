"""Recording a running world into a CARLA recorder file, one frame per tick (spec: recorder-format.md).

A RecordingSession hooks into World.step: before physics it notes the actors spawned, destroyed or
re-parented since the last tick (their spawn pose, as CARLA records it); after physics it writes the frame:
events, hero collisions, positions, traffic light states, vehicle and walker animation, vehicle lights and,
with additional data, kinematics, bounding boxes, platform time, physics controls and traffic light times.
The file is flushed after every frame. Traffic lights come from `world.traffic_lights` (engine.traffic.lights),
collisions from `world.collision_events`; a world without them records none.
"""

from __future__ import annotations

import time

import numpy as np

from engine.recorder.packets import (
    GEAR_DTYPE, PHYSICS_SCALARS_DTYPE, RECORD_DTYPES, TORQUE_POINT_DTYPE, WHEEL_PHYSICS_DTYPE, ActorAdd,
    ActorAttribute, ActorType, PacketId, PhysicsControlRecord,
)
from engine.recorder.writer import RecordingWriter, standard_frame_packets
from engine.world.actors import compose
from engine.world.physics_control import physics_control_wire

CM = 100.0
NOT_AN_ACTOR = 0xFFFFFFFF
COLLISION_SENSOR = "sensor.other.collision"


def recorded_type(actor) -> int:
    """CARLA's actor type byte of an actor (sensors are INVALID, as in CARLA's files)."""
    kind, type_id = actor.kind, actor.type_id
    if kind == "vehicle":
        return ActorType.VEHICLE
    if kind == "walker":
        return ActorType.WALKER
    if kind == "traffic_light" or type_id.startswith("traffic.traffic_light"):
        return ActorType.TRAFFIC_LIGHT
    if kind == "traffic_sign" or type_id.startswith("traffic."):
        return ActorType.TRAFFIC_SIGN
    if kind == "sensor":
        return ActorType.INVALID
    return ActorType.OTHER


def to_recorded_rotation(rotation) -> tuple:
    """(pitch, yaw, roll) -> the file's (roll, pitch, yaw)."""
    pitch, yaw, roll = rotation
    return float(roll), float(pitch), float(yaw)


def _cm(location) -> tuple:
    return tuple(float(c) * CM for c in location)


def actor_add_record(world, actor) -> ActorAdd:
    """The EventAdd record of an actor: its spawn pose (relative to its parent when attached)."""
    if actor.parent_id:
        location, rotation = actor.location, actor.rotation
    else:
        location, rotation = world.world_pose(actor)
    uid, type_id = actor.description[0], actor.description[1]
    attributes = tuple(ActorAttribute(max(int(kind) - 1, 0), str(name), str(value))
                       for name, kind, value in (actor.description[2] if len(actor.description) > 2 else [])
                       if name)
    return ActorAdd(actor.id, recorded_type(actor), _cm(location), to_recorded_rotation(rotation), int(uid),
                    type_id, attributes)


def physics_control_record(world, actor) -> PhysicsControlRecord:
    """A vehicle's physics control as the recorder stores it."""
    location, rotation = world.world_pose(actor)
    (torque, max_rpm, moi, damping_full, damping_engaged, damping_disengaged, autobox, _switch_time,
     clutch, final_ratio, gears, mass, drag, centre, steering, wheels, *_rest) = \
        physics_control_wire(world.vehicles.params[actor.slot], location, rotation)
    scalars = np.zeros(1, PHYSICS_SCALARS_DTYPE)[0]
    for name, value in (("id", actor.id), ("max_rpm", max_rpm), ("moi", moi),
                        ("damping_rate_full_throttle", damping_full),
                        ("damping_rate_zero_throttle_clutch_engaged", damping_engaged),
                        ("damping_rate_zero_throttle_clutch_disengaged", damping_disengaged),
                        ("use_gear_autobox", autobox), ("clutch_strength", clutch), ("final_ratio", final_ratio),
                        ("mass", mass), ("drag_coefficient", drag), ("center_of_mass", centre)):
        scalars[name] = value
    wheel_array = np.zeros(len(wheels), WHEEL_PHYSICS_DTYPE)
    for i, wheel in enumerate(wheels):
        wheel_array[i] = tuple(wheel[:9]) + (tuple(wheel[9]),)
    return PhysicsControlRecord(
        scalars, np.array([tuple(p) for p in torque], TORQUE_POINT_DTYPE),
        np.array([tuple(g) for g in gears], GEAR_DTYPE), np.array([tuple(p) for p in steering], TORQUE_POINT_DTYPE),
        wheel_array, len(wheels))


class RecordingSession:
    """One recording of one world: attach() hooks it into the tick, close() unhooks it and closes the file."""

    def __init__(self, world, path, additional_data: bool = False, date: int | None = None):
        self.world = world
        self.additional_data = bool(additional_data)
        self.writer = RecordingWriter(path, world.town.name, date=date)
        self.path = self.writer.path
        self._started = time.monotonic()
        self._known: set = set()
        self._parents: dict = {}
        self._collision_count = 0
        self._pending = self._empty_events()
        self._note_changes(world)

    @staticmethod
    def _empty_events() -> dict:
        return {"add": [], "del": [], "parent": [], "bbox": [], "trigger": [], "physics": [], "tl_time": []}

    # -- hooks ------------------------------------------------------------------------------------------------
    def attach(self) -> None:
        self.world.before_physics.append(self._before_physics)
        self.world.after_physics.append(self._after_physics)

    def close(self) -> None:
        for hooks, hook in ((self.world.before_physics, self._before_physics),
                            (self.world.after_physics, self._after_physics)):
            if hook in hooks:
                hooks.remove(hook)
        self.writer.close()

    @property
    def closed(self) -> bool:
        return self.writer.closed

    def _before_physics(self, world, dt) -> None:
        self._note_changes(world)

    def _after_physics(self, world, dt) -> None:
        self._note_changes(world)  # actors spawned by other hooks during this tick
        self.writer.write_frame(self.frame_packets(world), dt)

    # -- events -----------------------------------------------------------------------------------------------
    def _note_changes(self, world) -> None:
        events = self._pending
        actors = world.actors
        gone = [i for i in self._known if i not in actors]
        if gone:
            gone.sort()
            events["del"].extend(gone)
            self._known.difference_update(gone)
            for i in gone:
                self._parents.pop(i, None)
        if len(actors) != len(self._known):
            for actor_id, actor in actors.items():
                if actor_id not in self._known:
                    self._known.add(actor_id)
                    self._add_event(world, actor)
        for actor_id, actor in actors.items():
            if actor.parent_id != self._parents.get(actor_id, 0):
                self._parents[actor_id] = actor.parent_id
                if actor.parent_id:
                    events["parent"].append((actor_id, actor.parent_id))

    def _add_event(self, world, actor) -> None:
        events = self._pending
        record = actor_add_record(world, actor)
        events["add"].append(record)
        if not self.additional_data:
            return
        if record.type in (ActorType.TRAFFIC_LIGHT, ActorType.TRAFFIC_SIGN):
            # lights are signs in CARLA: a trigger volume in world coordinates instead of a bounding box
            volume = getattr(actor, "trigger_volume", None)
            if volume is not None and any(volume[1]):
                location, rotation = world.world_pose(actor)
                origin = compose(location, rotation, volume[0], (0.0, 0.0, 0.0))[0]
                events["trigger"].append((actor.id, _cm(origin), _cm(volume[1])))
            lights = getattr(world, "traffic_lights", None)
            if record.type == ActorType.TRAFFIC_LIGHT and lights is not None:
                index = lights.index_of_actor.get(actor.id)
                if index is not None:
                    events["tl_time"].append((actor.id, lights.green_time[index], lights.yellow_time[index],
                                              lights.red_time[index]))
            return
        origin, extent = actor.bounding_box_wire()[:2]
        events["bbox"].append((actor.id, _cm(origin), _cm(extent)))
        if record.type == ActorType.VEHICLE:
            events["physics"].append(physics_control_record(world, actor))

    # -- one frame --------------------------------------------------------------------------------------------
    def frame_packets(self, world) -> list:
        """The packets of the current frame in CARLA's order; clears the pending events."""
        events, self._pending = self._pending, self._empty_events()
        vslots, wslots = world.vehicles.slots(), world.walkers.slots()
        payloads = {
            PacketId.EVENT_ADD: events["add"],
            PacketId.EVENT_DEL: np.array([(i,) for i in events["del"]], RECORD_DTYPES[PacketId.EVENT_DEL]),
            PacketId.EVENT_PARENT: np.array(events["parent"], RECORD_DTYPES[PacketId.EVENT_PARENT]),
            PacketId.COLLISION: self._collisions(world),
            PacketId.POSITION: self._positions(world, vslots, wslots),
            PacketId.STATE: self._traffic_light_states(world),
            PacketId.ANIM_VEHICLE: self._vehicle_animation(world, vslots),
            PacketId.ANIM_WALKER: self._walker_animation(world, wslots),
            PacketId.VEHICLE_LIGHT: self._vehicle_lights(world, vslots),
        }
        if self.additional_data:
            payloads[PacketId.KINEMATICS] = self._kinematics(world, vslots, wslots)
            payloads[PacketId.BOUNDING_BOX] = np.array(events["bbox"], RECORD_DTYPES[PacketId.BOUNDING_BOX])
            payloads[PacketId.TRIGGER_VOLUME] = np.array(events["trigger"], RECORD_DTYPES[PacketId.TRIGGER_VOLUME])
            payloads[PacketId.PLATFORM_TIME] = time.monotonic() - self._started
            payloads[PacketId.PHYSICS_CONTROL] = events["physics"]
            payloads[PacketId.TRAFFIC_LIGHT_TIME] = np.array(events["tl_time"],
                                                             RECORD_DTYPES[PacketId.TRAFFIC_LIGHT_TIME])
        return standard_frame_packets(payloads, self.additional_data)

    def _collisions(self, world) -> np.ndarray:
        """Collisions reported by actors that carry a collision sensor (the hero, in practice), once per pair."""
        reported = getattr(world, "collision_events", None) or []
        if not reported:
            return np.zeros(0, RECORD_DTYPES[PacketId.COLLISION])
        actors = world.actors
        sensing = {a.parent_id for a in actors.values() if a.type_id == COLLISION_SENSOR and a.parent_id}
        rows, seen = [], set()
        for event in reported:
            id1, id2 = int(event[0]), int(event[1])
            if id1 not in sensing:
                continue
            id2 = id2 if id2 in actors else NOT_AN_ACTOR
            if (id1, id2) in seen:
                continue
            seen.add((id1, id2))
            hero2 = id2 in actors and actors[id2].role_name == "hero"
            rows.append((self._collision_count, id1, id2, actors[id1].role_name == "hero", hero2))
            self._collision_count += 1
        return np.array(rows, RECORD_DTYPES[PacketId.COLLISION])

    @staticmethod
    def _positions(world, vslots: np.ndarray, wslots: np.ndarray) -> np.ndarray:
        others = [a for a in world.actors.values() if a.slot < 0 and recorded_type(a) == ActorType.OTHER]
        out = np.zeros(len(vslots) + len(wslots) + len(others), RECORD_DTYPES[PacketId.POSITION])
        n_v, n_w = len(vslots), len(wslots)
        for part, ids, state, slots in ((out[:n_v], world.vehicle_ids, world.vehicles, vslots),
                                        (out[n_v:n_v + n_w], world.walker_ids, world.walkers, wslots)):
            part["id"] = ids[slots]
            part["location"] = state.loc[slots] * CM
            part["rotation"] = state.rot[slots][:, [2, 0, 1]]
        for record, actor in zip(out[n_v + n_w:], others):
            location, rotation = world.world_pose(actor)
            record["id"] = actor.id
            record["location"] = _cm(location)
            record["rotation"] = to_recorded_rotation(rotation)
        return out

    @staticmethod
    def _traffic_light_states(world) -> np.ndarray:
        """State, time in the state and frozen flag of every traffic light (world.traffic_lights)."""
        lights = getattr(world, "traffic_lights", None)
        if lights is None or not len(lights.actor_ids):
            return np.zeros(0, RECORD_DTYPES[PacketId.STATE])
        alive = np.fromiter((int(i) in world.actors for i in lights.actor_ids), bool, len(lights.actor_ids))
        return _records(PacketId.STATE, id=lights.actor_ids[alive], frozen=lights.frozen[alive],
                        elapsed_time=lights.elapsed[alive], state=lights.state[alive])

    @staticmethod
    def _vehicle_animation(world, vslots: np.ndarray) -> np.ndarray:
        v = world.vehicles
        return _records(PacketId.ANIM_VEHICLE, id=world.vehicle_ids[vslots], steering=v.steer[vslots],
                        throttle=v.throttle[vslots], brake=v.brake[vslots], handbrake=v.hand_brake[vslots],
                        gear=v.gear[vslots])

    @staticmethod
    def _walker_animation(world, wslots: np.ndarray) -> np.ndarray:
        return _records(PacketId.ANIM_WALKER, id=world.walker_ids[wslots], speed=world.walkers.speed[wslots])

    @staticmethod
    def _vehicle_lights(world, vslots: np.ndarray) -> np.ndarray:
        ids = world.vehicle_ids[vslots]
        actors = world.actors
        return _records(PacketId.VEHICLE_LIGHT, id=ids, state=[actors[i].light_state for i in ids.tolist()])

    @staticmethod
    def _kinematics(world, vslots: np.ndarray, wslots: np.ndarray) -> np.ndarray:
        v, w = world.vehicles, world.walkers
        return _records(PacketId.KINEMATICS, id=np.concatenate([world.vehicle_ids[vslots], world.walker_ids[wslots]]),
                        linear_velocity=np.concatenate([v.vel[vslots], w.vel[wslots]]),
                        angular_velocity=np.concatenate([v.angvel[vslots], w.angvel[wslots]]))


def _records(packet_id: int, **columns) -> np.ndarray:
    """The records of a fixed-record packet with these columns (all of one length; the other fields zero)."""
    out = np.zeros(len(columns["id"]), RECORD_DTYPES[packet_id])
    for name, values in columns.items():
        out[name] = values
    return out
