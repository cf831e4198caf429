"""The simulation: one episode of one map, its actors, settings, weather and the tick.

All methods run on the simulation thread. Errors a client caused raise WorldError with a message
that the RPC layer sends back (the client raises it as RuntimeError).
"""
from __future__ import annotations

import math
import time
from typing import Callable, Optional

import numpy as np

from engine.map.town import Town
from engine.errors import RequestError
from engine.world import blueprints, episode_state
from engine.world.actors import (Actor, boxes_overlap_2d, compose, semantic_tags_for)
from engine.world.physics import VehicleState, WalkerState
from engine.world.physics_control import params_from_physics_control_wire, physics_control_wire
from engine.world.settings import EpisodeSettings
from engine.world.weather import CLEAR_NOON

SPAWN_COLLISION = "Spawn failed because of collision at spawn position"
WALKER_MASS_KG = 70.0
DEFAULT_SPEED_LIMIT_KMH = 30.0   # until lanes carry speed records (CARLA's towns default to 30 km/h)


class WorldError(RequestError):
    """A request the world refuses; the message goes back to the client."""


class World:
    def __init__(self, town: Town, episode_id: int, settings: Optional[EpisodeSettings] = None,
                 sensor_factory: Optional[Callable] = None):
        self.town = town
        self.episode_id = episode_id
        self.settings = settings or EpisodeSettings()
        self.weather = CLEAR_NOON
        self.frame = 0
        self.elapsed_seconds = 0.0
        self.delta_seconds = 0.0
        self.platform_timestamp = time.time()
        self.vehicles = VehicleState(sample_slope=not town.flat)
        self.walkers = WalkerState()
        self.actors: dict = {}
        self._posed: dict = {}          # the actors without a physics slot (sensors, lights, ...), by id, in order
        self.vehicle_ids = np.zeros(0, dtype=np.uint32)     # slot -> actor id
        self.walker_ids = np.zeros(0, dtype=np.uint32)
        self._next_id = 1
        self._sensor_factory = sensor_factory
        # Subsystems (traffic, collisions, ...) hook into the tick: callables (world, dt).
        self.before_physics: list = []
        self.after_physics: list = []
        # Bulk writers of the episode-state records of actors without physics: (records, {id: row}).
        self.record_fillers: list = []
        self._static_cache = None
        # (actor id, other actor id, normal impulse) of the contacts that began in the last tick.
        self.collision_events: list = []
        # Traffic lights and signs (engine.traffic), and the filler of the traffic fields of vehicle records:
        # (vehicle slots, their records) -> None.
        self.traffic_lights = None
        self.traffic_signs = None
        self.vehicle_traffic_state: Optional[Callable] = None
        self.spectator = self._register(Actor(
            id=self._new_id(), type_id="spectator", kind="spectator", description=[0, "spectator", []],
            location=_overview_location(town), rotation=(-35.0, 0.0, 0.0)))

    # -- registry ---------------------------------------------------------------------------------------------
    def _new_id(self) -> int:
        actor_id = self._next_id
        self._next_id += 1
        return actor_id

    def _register(self, actor: Actor) -> Actor:
        self.actors[actor.id] = actor
        if actor.slot < 0:
            self._posed[actor.id] = actor
        return actor

    def actor(self, actor_id) -> Actor:
        actor = self.actors.get(actor_id) if isinstance(actor_id, int) else None
        if actor is None:
            raise WorldError(f"actor {actor_id} not found")
        return actor

    def physical_actor(self, actor_id, kinds=("vehicle", "walker")) -> Actor:
        actor = self.actor(actor_id)
        if actor.kind not in kinds:
            raise WorldError(f"actor {actor.id} ({actor.type_id}) is not a {' or '.join(kinds)}")
        return actor

    # -- spawning ---------------------------------------------------------------------------------------------
    def spawn(self, description: list, transform: tuple, parent_id: int = 0, attachment_type: int = 0,
              check_overlap: bool = True) -> Actor:
        uid, type_id, attributes = _parse_description(description)
        bp = blueprints.find_blueprint(type_id)
        if bp is None:
            raise WorldError(f"blueprint '{type_id}' not found")
        values = {a.id: a.value for a in bp.attributes}
        for name, value in attributes.items():
            if name in values:
                values[name] = value
        parent = None
        if parent_id:
            parent = self.actors.get(parent_id)
            if parent is None:
                raise WorldError(f"parent actor {parent_id} not found")
        loc, rot = transform
        if bp.kind == "sensor" and self._sensor_factory is None:
            raise WorldError(f"sensor '{type_id}' is not available in this server yet: "
                             "no sensor of this kind has been built")
        if bp.kind in ("vehicle", "walker"):
            if parent is not None:
                raise WorldError(f"{type_id} cannot be attached to another actor")
            # Actors stand on the surface: a vehicle's origin on the ground, a walker's mid-body.
            ground = float(self.town.ground_z(np.array([loc[0]]), np.array([loc[1]]))[0])
            loc = (loc[0], loc[1], ground + (bp.extent[2] if bp.kind == "walker" else 0.0))
            if check_overlap and self._overlaps(loc, rot[1], bp.extent):
                raise WorldError(SPAWN_COLLISION)
        wire_description = [uid, type_id, [[a.id, a.type, values[a.id]] for a in bp.attributes]]
        actor = Actor(id=self._new_id(), type_id=type_id, kind=bp.kind, description=wire_description,
                      extent=tuple(bp.extent), parent_id=parent.id if parent else 0,
                      attachment_type=attachment_type, location=tuple(loc), rotation=tuple(rot),
                      attributes=values, semantic_tags=semantic_tags_for(bp.kind, values))
        if bp.kind == "vehicle":
            actor.slot = self.vehicles.add(loc, rot, bp.vehicle)
            self.vehicle_ids = _set_slot(self.vehicle_ids, actor.slot, actor.id)
        elif bp.kind == "walker":
            speed = float(values.get("speed", "1.4") or 1.4)
            # A walker's origin is the centre of its body, as in CARLA.
            actor.slot = self.walkers.add(loc, rot, max_speed=max(speed, 3.0), z_offset=bp.extent[2])
            self.walker_ids = _set_slot(self.walker_ids, actor.slot, actor.id)
        elif bp.kind == "sensor":
            actor.stream_id = self._sensor_factory(actor, bp)
        return self._register(actor)

    def _overlaps(self, loc, yaw, extent) -> bool:
        half = np.array(extent[:2], dtype=np.float64) + 0.05
        for state, ids in ((self.vehicles, self.vehicle_ids), (self.walkers, self.walker_ids)):
            slots = state.slots()
            if len(slots) == 0:
                continue
            near = np.abs(state.loc[slots, 2] - loc[2]) < 3.0
            slots = slots[near]
            halves = np.array([self.actors[int(ids[s])].extent[:2] for s in slots]).reshape(-1, 2)
            if boxes_overlap_2d(loc, half, yaw, state.loc[slots], halves, state.rot[slots, 1]).any():
                return True
        return False

    def destroy(self, actor_id) -> None:
        actor = self.actor(actor_id)
        if actor.kind == "spectator":
            raise WorldError("the spectator cannot be destroyed")
        if actor.kind == "vehicle":
            self.vehicles.remove(actor.slot)
            self.vehicle_ids[actor.slot] = 0
        elif actor.kind == "walker":
            self.walkers.remove(actor.slot)
            self.walker_ids[actor.slot] = 0
        for child in self.actors.values():
            if child.parent_id == actor.id:
                child.location, child.rotation = self.world_pose(child)
                child.parent_id = 0
        del self.actors[actor.id]
        self._posed.pop(actor.id, None)

    # -- poses ------------------------------------------------------------------------------------------------
    def world_pose(self, actor: Actor) -> tuple:
        if actor.kind == "vehicle":
            return tuple(self.vehicles.loc[actor.slot]), tuple(self.vehicles.rot[actor.slot])
        if actor.kind == "walker":
            return tuple(self.walkers.loc[actor.slot]), tuple(self.walkers.rot[actor.slot])
        if actor.parent_id:
            parent = self.actors.get(actor.parent_id)
            if parent is not None:
                return compose(*self.world_pose(parent), actor.location, actor.rotation)
        return actor.location, actor.rotation

    def set_transform(self, actor_id, loc, rot) -> None:
        actor = self.actor(actor_id)
        if actor.kind == "vehicle":
            self.vehicles.set_transform(actor.slot, loc, rot)
        elif actor.kind == "walker":
            self.walkers.set_transform(actor.slot, loc, rot)
        else:
            actor.location, actor.rotation = tuple(loc), tuple(rot)

    def set_location(self, actor_id, loc) -> None:
        actor = self.actor(actor_id)
        self.set_transform(actor_id, loc, self.world_pose(actor)[1] if not actor.parent_id else actor.rotation)

    def apply_vehicle_control(self, actor_id, control) -> None:
        actor = self.physical_actor(actor_id, ("vehicle",))
        if not isinstance(control, (list, tuple)) or len(control) < 7:
            raise WorldError("vehicle control: expected [throttle, steer, brake, hand_brake, reverse, "
                             "manual_gear_shift, gear]")
        throttle, steer, brake = (_number_or_zero(v) for v in control[:3])
        hand_brake, reverse, manual = (bool(v) for v in control[3:6])
        gear = control[6] if isinstance(control[6], int) and not isinstance(control[6], bool) else 0
        self.vehicles.set_control(actor.slot, throttle, steer, brake, hand_brake, reverse, manual, gear)

    def apply_walker_control(self, actor_id, control) -> None:
        actor = self.physical_actor(actor_id, ("walker",))
        if not isinstance(control, (list, tuple)) or len(control) < 2 or not isinstance(control[0], (list, tuple)):
            raise WorldError("walker control: expected [[x, y, z], speed, jump]")
        direction = tuple(_number_or_zero(v) for v in control[0][:3])
        if len(direction) != 3:
            raise WorldError("walker control: direction needs x, y and z")
        jump = bool(control[2]) if len(control) > 2 else False
        self.walkers.set_control(actor.slot, direction, max(_number_or_zero(control[1]), 0.0), jump)

    def add_impulse(self, actor_id, impulse) -> None:
        actor = self.physical_actor(actor_id)
        state = self.state_of(actor)
        mass = self._mass(actor)
        state.set_target_velocity(actor.slot, tuple(state.vel[actor.slot] + np.asarray(impulse) / mass))

    def add_angular_impulse(self, actor_id, impulse) -> None:
        actor = self.physical_actor(actor_id)
        state = self.state_of(actor)
        # A box's moment of inertia about z, from its mass and extent; impulse in N*m*s, velocity in deg/s.
        ex, ey, _ = actor.extent
        inertia = self._mass(actor) * ((2 * ex) ** 2 + (2 * ey) ** 2) / 12.0 or 1.0
        change = np.degrees(np.asarray(impulse) / inertia)
        state.set_target_angular_velocity(actor.slot, tuple(state.angvel[actor.slot] + change))

    def _mass(self, actor: Actor) -> float:
        return float(self.vehicles.p_mass[actor.slot]) if actor.kind == "vehicle" else WALKER_MASS_KG

    def physics_control(self, actor_id) -> list:
        actor = self.physical_actor(actor_id, ("vehicle",))
        loc, rot = self.world_pose(actor)
        return physics_control_wire(self.vehicles.params[actor.slot], loc, rot)

    def apply_physics_control(self, actor_id, control) -> None:
        actor = self.physical_actor(actor_id, ("vehicle",))
        try:
            params = params_from_physics_control_wire(control, self.vehicles.params[actor.slot])
        except (TypeError, ValueError, IndexError) as exc:
            raise WorldError(f"vehicle physics control: {exc}") from None
        self.vehicles.set_params(actor.slot, params)

    def state_of(self, actor: Actor):
        return self.vehicles if actor.kind == "vehicle" else self.walkers

    # -- the tick ---------------------------------------------------------------------------------------------
    def step(self, dt: float) -> None:
        """Advance the simulation by dt seconds (split into substeps when substepping is on)."""
        substeps = 1
        if self.settings.substepping and dt > self.settings.max_substep_delta_time > 0:
            substeps = min(int(math.ceil(dt / self.settings.max_substep_delta_time - 1e-9)),
                           self.settings.max_substeps)
        for hook in self.before_physics:
            hook(self, dt)
        self.vehicles.step(dt, self.town.ground_z, substeps)
        self.walkers.step(dt, self.town.ground_z)
        self.frame += 1
        self.elapsed_seconds += dt
        self.delta_seconds = dt
        self.platform_timestamp = time.time()
        for hook in self.after_physics:
            hook(self, dt)

    # -- episode state ----------------------------------------------------------------------------------------
    def encode_state(self) -> bytes:
        records = self._records()
        return episode_state.encode(self.frame, self.elapsed_seconds, self.episode_id, self.platform_timestamp,
                                    self.delta_seconds, records)

    def _records(self) -> np.ndarray:
        v, w = self.vehicles, self.walkers
        vslots, wslots = v.slots(), w.slots()
        static, attached = [], []
        for actor in self._posed.values():
            (attached if actor.parent_id else static).append(actor)
        block, rows = self._static_records(static)
        n_posed, n_v, n_w = len(self._posed), len(vslots), len(wslots)
        records = np.zeros(n_posed + n_v + n_w, dtype=episode_state.RECORD)
        records["state"] = episode_state.ACTOR_ACTIVE
        records[:len(static)] = block
        for fill in self.record_fillers:
            fill(records[:len(static)], rows)
        if n_v:
            r = records[n_posed:n_posed + n_v]
            r["id"] = self.vehicle_ids[vslots]
            r["transform"][:, :3] = v.loc[vslots]
            r["transform"][:, 3:] = v.rot[vslots]
            r["velocity"] = v.vel[vslots]
            r["angular_velocity"] = v.angvel[vslots]
            r["acceleration"] = v.acc[vslots]
            r["throttle"] = v.throttle[vslots]
            r["steer"] = v.steer[vslots]
            r["brake"] = v.brake[vslots]
            r["hand_brake"] = v.hand_brake[vslots]
            r["reverse"] = v.reverse[vslots]
            r["manual_gear_shift"] = v.manual_gear_shift[vslots]
            r["gear"] = v.gear[vslots]
            r["speed_limit"] = DEFAULT_SPEED_LIMIT_KMH
            if self.vehicle_traffic_state is not None:
                self.vehicle_traffic_state(vslots, r)
        if n_w:
            r = records[n_posed + n_v:]
            r["id"] = self.walker_ids[wslots]
            r["transform"][:, :3] = w.loc[wslots]
            r["transform"][:, 3:] = w.rot[wslots]
            r["velocity"] = w.vel[wslots]
            r["angular_velocity"] = w.angvel[wslots]
            r["acceleration"] = w.acc[wslots]
            r["walker_direction"] = w.direction[wslots]
            r["walker_speed"] = w.speed[wslots]
            r["walker_jump"] = w.jump[wslots]
        for i, actor in enumerate(attached, start=len(static)):
            rec = records[i]
            rec["id"] = actor.id
            loc, rot = self.world_pose(actor)
            rec["transform"] = loc + rot
            parent = self.actors.get(actor.parent_id)
            if parent is not None and parent.slot >= 0:
                state = self.state_of(parent)
                rec["velocity"] = state.vel[parent.slot]
                rec["acceleration"] = state.acc[parent.slot]
            if actor.fill_record is not None:
                actor.fill_record(rec)
        return records

    def _static_records(self, static: list) -> tuple:
        """(records, {actor id: row}) of the actors without physics or parent, in ``static``'s order.

        Traffic lights and signs make most of them and never move, so the block is rebuilt only when one is
        added, removed or given a new pose (a new location or rotation tuple); ``record_fillers`` then
        update what changes every tick (light states) in bulk.
        """
        cached = self._static_cache
        if cached is not None and len(cached[0]) == len(static) and all(
                actor is c[0] and actor.location is c[1] and actor.rotation is c[2]
                for actor, c in zip(static, cached[0])):
            return cached[1], cached[2]
        block = np.zeros(len(static), dtype=episode_state.RECORD)
        block["state"] = episode_state.ACTOR_ACTIVE
        for i, actor in enumerate(static):
            rec = block[i]
            rec["id"] = actor.id
            rec["transform"] = actor.location + actor.rotation
            if actor.fill_record is not None:
                actor.fill_record(rec)
        rows = {actor.id: i for i, actor in enumerate(static)}
        self._static_cache = ([(a, a.location, a.rotation) for a in static], block, rows)
        return block, rows


def _overview_location(town: Town) -> tuple:
    """Where the spectator starts: 50 m up, behind the middle of the town, looking along +x at it
    (close enough that Low quality's 150 m draw distance still shows the roads)."""
    points = np.array([p[:3] for p in town.spawn_points]) if town.spawn_points else np.zeros((1, 3))
    centre = (points.min(axis=0) + points.max(axis=0)) / 2
    return float(centre[0]) - 70.0, float(centre[1]), 50.0


def _number_or_zero(value) -> float:
    """Controls may carry NaN (CARLA's Traffic Manager sends it): treat anything not finite as 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return 0.0
    return float(value)


def _set_slot(ids: np.ndarray, slot: int, actor_id: int) -> np.ndarray:
    if slot >= len(ids):
        grown = np.zeros(max(2 * len(ids), slot + 1, 16), dtype=np.uint32)
        grown[:len(ids)] = ids
        ids = grown
    ids[slot] = actor_id
    return ids


def _parse_description(description) -> tuple:
    """ActorDescription [uid, id, [[attr, type, value], ...]] -> (uid, id, {attr: value})."""
    if not isinstance(description, (list, tuple)) or len(description) < 2:
        raise WorldError("actor description: expected [uid, id, attributes]")
    uid, type_id = description[0], description[1]
    if isinstance(type_id, bytes):
        type_id = type_id.decode("utf-8", "replace")
    if not isinstance(type_id, str) or not isinstance(uid, int):
        raise WorldError("actor description: expected an integer uid and a string id")
    items = (description[2] if len(description) > 2 else None) or []
    if not isinstance(items, (list, tuple)):
        raise WorldError(f"actor description of '{type_id}': attributes must be an array of [id, type, value]")
    attributes = {}
    for item in items:
        if not isinstance(item, (list, tuple)) or len(item) < 3 or not isinstance(item[0], str):
            raise WorldError(f"actor description of '{type_id}': malformed attribute {item!r:.80}")
        attributes[item[0]] = item[2] if isinstance(item[2], str) else str(item[2])
    return uid, type_id, attributes
