"""Playing a recording back into a running world, one step per tick (spec: recorder-format.md, section 9).

The whole file is parsed once; each tick advances the replay clock by `dt * time_factor`, applies the events
(spawn, destroy, parent) of every frame passed over, and places each recorded actor between the frame that
holds the replay time and the next one. Replayed vehicles and walkers have physics off while playing. When
the stop time is reached, vehicles get physics back and go on autopilot, walkers stop.

Interpolation: at replay time t with E[k] <= t < E[k+1], an actor is at lerp(pos[k], pos[k+1], (t - E[k]) / D[k]),
so the replay shows exactly the recorded pose at every recorded frame. (CARLA's replayer lerps between
frames k-1 and k instead, which shows each pose one frame late.) At time factors of 2 and more there is no
interpolation: pos[k] is set.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from engine.errors import RequestError
from engine.recorder.packets import PacketId
from engine.recorder.reader import Recording
from engine.world.actors import compose

log = logging.getLogger("carla.replayer")

CM = 100.0
FAST_PLAYBACK = 2.0          # time factors from here on set frames without interpolation (CARLA's code)
FRAME_TIME_SLACK = 1e-6      # s: see _frame_at
DEFAULT_FOLLOW_OFFSET = ((-10.0, 0.0, 5.0), (-25.0, 0.0, 0.0))


@dataclass
class ReplayerSettings:
    """What set_replayer_* set; they stay for later replays, as in CARLA."""
    time_factor: float = 1.0
    ignore_hero: bool = False
    ignore_spectator: bool = False


def from_recorded_rotation(rotation: np.ndarray) -> np.ndarray:
    """The file's (roll, pitch, yaw) -> (pitch, yaw, roll), for one rotation or rows of them."""
    return np.asarray(rotation, np.float64)[..., [1, 2, 0]]


def lerp_angles(a: np.ndarray, b: np.ndarray, alpha) -> np.ndarray:
    """Per-component angle interpolation the short way round (Unreal's rotator lerp)."""
    delta = np.mod(b - a + 180.0, 360.0) - 180.0
    return a + delta * alpha


def _packet_of_frame(recording: Recording, packet_id: int) -> np.ndarray:
    """Index of the packet of this id in each frame (-1 where a frame has none; the last one wins)."""
    out = np.full(len(recording.frames), -1, np.int64)
    frames = recording.table(packet_id).frames
    valid = frames >= 0
    out[frames[valid]] = np.flatnonzero(valid)
    return out


class ReplaySession:
    """One playback of one recording into `world`.

    `spawn(description, location, rotation)` creates an actor anywhere (no overlap check) and returns it;
    `destroy(actor_id)` removes one; `autopilot(actor_id, on)` hands a vehicle to the Traffic Manager, or is
    None when the server has none.
    """

    def __init__(self, world, recording: Recording, settings: ReplayerSettings, spawn, destroy, autopilot=None,
                 follow_id: int = 0, follow_offset=DEFAULT_FOLLOW_OFFSET, replay_sensors: bool = False):
        if not len(recording.frames):
            raise RequestError("the recording holds no frame to replay")
        self.world = world
        self.recording = recording
        self.settings = settings
        self._spawn, self._destroy, self._autopilot = spawn, destroy, autopilot
        self.follow_id = int(follow_id)
        self.follow_offset = follow_offset
        self.replay_sensors = bool(replay_sensors)
        self.elapsed = recording.frames["elapsed"].astype(np.float64)
        self.duration = recording.frames["duration_this"].astype(np.float64)
        self.total_time = recording.duration
        self.enabled = False
        self.current_time = 0.0
        self.stop_time = 0.0
        self._events_done = -1           # frame index up to which events were applied
        self.mapped: dict[int, int] = {}  # recorded id -> live id
        self.heroes: set = set()          # live ids of recorded heroes
        self.replayed: set = set()        # live vehicles and walkers this replay moves
        self._placement = None            # cached arrays for the mapped ids (see _placement_arrays)
        self._packet_index = {pid: _packet_of_frame(recording, pid) for pid in
                              (PacketId.EVENT_DEL, PacketId.EVENT_PARENT, PacketId.POSITION, PacketId.STATE,
                               PacketId.ANIM_VEHICLE, PacketId.ANIM_WALKER, PacketId.VEHICLE_LIGHT)}
        add_packets = recording.packets[recording.packets["id"] == PacketId.EVENT_ADD]
        self._adds_by_frame: dict[int, list] = {}
        for frame, item in zip(add_packets["frame"].tolist(), add_packets["item"].tolist()):
            if frame >= 0:
                self._adds_by_frame.setdefault(frame, []).extend(recording.objects(PacketId.EVENT_ADD)[item])
        self._traffic_index = None

    # -- control ----------------------------------------------------------------------------------------------
    def start(self, time_start: float, duration: float) -> tuple[float, float]:
        """Go to `time_start` at once (events applied, poses of that frame set); returns (start, stop)."""
        start = float(time_start)
        if start < 0.0:
            start = max(self.total_time + start, 0.0)
        self.stop_time = start + float(duration) if duration > 0.0 else self.total_time
        self.enabled = True
        self.current_time = start
        k = self._frame_at(start)
        self._apply_events_to(k)
        self._apply_frame(k, None, 0.0, 0.0)
        if self.current_time >= self.stop_time:
            self.finish()
        return start, self.stop_time

    def tick(self, world, dt: float) -> None:
        """after_physics hook: advance the replay clock by dt * time factor."""
        if not self.enabled or world is not self.world:
            return
        factor = self.settings.time_factor
        t = self.current_time + dt * factor
        k = self._frame_at(t)
        self._apply_events_to(k)
        alpha = 0.0
        following = None
        if factor < FAST_PLAYBACK and k + 1 < len(self.elapsed) and self.duration[k] > 0.0:
            alpha = min(max((t - self.elapsed[k]) / self.duration[k], 0.0), 1.0)
            following = k + 1
        self._apply_frame(k, following, alpha, factor)
        self.current_time = t
        if t >= self.stop_time:
            self.finish()

    def stop(self, keep_actors: bool) -> None:
        """stop_replayer: without keep_actors the rest of the file's events are applied first."""
        if not self.enabled:
            return
        if not keep_actors:
            self._apply_events_to(len(self.elapsed) - 1)
        self.finish()

    def finish(self) -> None:
        """End of playback: vehicles get physics back and go on autopilot (keeping their velocity); walkers stop."""
        if not self.enabled:
            return
        self.enabled = False
        world = self.world
        for live_id in sorted(self.replayed):
            actor = world.actors.get(live_id)
            if actor is None or (self.settings.ignore_hero and live_id in self.heroes):
                continue
            state = world.state_of(actor)
            velocity = state.vel[actor.slot].copy()
            state.set_simulate_physics(actor.slot, True)
            self._set_collisions(live_id, True)
            if actor.kind == "vehicle":
                state.set_target_velocity(actor.slot, velocity)
                if self._autopilot is not None:
                    try:
                        self._autopilot(live_id, True)
                    except RequestError as error:
                        log.warning("replayed vehicle %d keeps its last control: %s", live_id, error)
            else:
                state.set_control(actor.slot, tuple(state.direction[actor.slot]), 0.0, False)

    def _set_collisions(self, actor_id: int, on: bool) -> None:
        """Replayed actors go through others, as in CARLA (the world's collision system, when it has one)."""
        disabled = getattr(getattr(self.world, "collisions", None), "disabled", None)
        if disabled is not None:
            (disabled.discard if on else disabled.add)(actor_id)

    # -- time -------------------------------------------------------------------------------------------------
    def _frame_at(self, t: float) -> int:
        """Index of the frame holding replay time t (the last frame once t is past it). A time within a
        microsecond of a frame's counts as that frame: the replay clock and the recorded times are sums of the
        same deltas in a different order, and a clock a rounding error short of a frame would show the one
        before it (its traffic light states with the next frame's poses)."""
        return max(int(np.searchsorted(self.elapsed, t + FRAME_TIME_SLACK, side="right")) - 1, 0)

    def _packet(self, packet_id: int, k: int):
        """The records of frame k's packet of this id; None when the frame has none."""
        packet = self._packet_index[packet_id][k]
        return None if packet < 0 else self.recording.table(packet_id).packet(packet)

    # -- events -----------------------------------------------------------------------------------------------
    def _apply_events_to(self, last: int) -> None:
        for k in range(self._events_done + 1, last + 1):
            for record in self._adds_by_frame.get(k, ()):
                self._add(record)
            records = self._packet(PacketId.EVENT_DEL, k)
            if records is not None:
                for recorded in records["id"].tolist():
                    self._delete(recorded)
            records = self._packet(PacketId.EVENT_PARENT, k)
            if records is not None:
                for child, parent in zip(records["id"].tolist(), records["parent"].tolist()):
                    self._parent(child, parent)
        self._events_done = max(self._events_done, last)

    def _add(self, record) -> None:
        world = self.world
        blueprint = record.blueprint_id
        is_hero = any(a.id == "role_name" and a.value == "hero" for a in record.attributes)
        if (self.settings.ignore_hero and is_hero) or (self.settings.ignore_spectator
                                                       and blueprint.startswith("spectator")):
            return
        location = np.asarray(record.location, np.float64) / CM
        rotation = from_recorded_rotation(record.rotation)
        if blueprint.startswith("traffic."):
            actor = self._traffic_actor_at(record.location)
        elif blueprint.startswith("sensor.") and not self.replay_sensors:
            return
        else:
            actor = world.actors.get(record.database_id)
            if actor is not None and actor.type_id == blueprint:
                world.set_transform(actor.id, tuple(location), tuple(rotation))
            else:
                description = [record.uid, blueprint, [[a.id, a.type + 1, a.value] for a in record.attributes]]
                try:
                    actor = self._spawn(description, tuple(location.tolist()), tuple(rotation.tolist()))
                except RequestError as error:
                    log.info("replayer: actor %d (%s) could not be created: %s", record.database_id, blueprint, error)
                    return
        if actor is None:
            return
        self.mapped[record.database_id] = actor.id
        self._placement = None
        if is_hero:
            self.heroes.add(actor.id)
        if actor.kind in ("vehicle", "walker"):
            self.replayed.add(actor.id)
            if self._autopilot is not None and actor.kind == "vehicle":
                try:
                    self._autopilot(actor.id, False)
                except RequestError:
                    pass
            world.state_of(actor).set_simulate_physics(actor.slot, False)
            self._set_collisions(actor.id, False)

    def _traffic_actor_at(self, location_cm):
        """The existing traffic light or sign at this recorded position (cm, truncated), as CARLA matches them."""
        if self._traffic_index is None:
            index = {}
            for actor in self.world.actors.values():
                if actor.type_id.startswith("traffic."):
                    loc = self.world.world_pose(actor)[0]
                    index[tuple(int(np.float32(c * CM)) for c in loc)] = actor   # as the file holds it
            self._traffic_index = index
        return self._traffic_index.get(tuple(int(c) for c in location_cm))

    def _delete(self, recorded_id: int) -> None:
        live = self.mapped.pop(recorded_id, None)
        self._placement = None
        if live is None or live not in self.world.actors or self.world.actors[live].kind == "spectator":
            return
        self.replayed.discard(live)
        try:
            self._destroy(live)
        except RequestError as error:
            log.info("replayer: actor %d could not be destroyed: %s", live, error)

    def _parent(self, recorded_child: int, recorded_parent: int) -> None:
        child = self.world.actors.get(self.mapped.get(recorded_child, -1))
        parent = self.world.actors.get(self.mapped.get(recorded_parent, -1))
        if child is None or parent is None or child.slot >= 0 or child.id == parent.id:
            return
        child.parent_id = parent.id   # the recorded spawn pose is relative to the parent: it stays as set

    # -- poses and animation ----------------------------------------------------------------------------------
    def _placement_arrays(self):
        """(sorted recorded ids, their live ids, kinds, slots) of the mapped actors that can be placed."""
        if self._placement is None:
            world = self.world
            recorded, live, kinds, slots = [], [], [], []
            spectator_id = world.spectator.id
            for rec_id, live_id in sorted(self.mapped.items()):
                actor = world.actors.get(live_id)
                if actor is None:
                    continue
                if self.settings.ignore_hero and live_id in self.heroes:
                    continue
                if self.settings.ignore_spectator and live_id == spectator_id:
                    continue
                recorded.append(rec_id)
                live.append(live_id)
                kinds.append({"vehicle": 1, "walker": 2}.get(actor.kind, 0))
                slots.append(actor.slot)
            self._placement = (np.array(recorded, np.int64), np.array(live, np.int64),
                               np.array(kinds, np.int8), np.array(slots, np.int64))
        return self._placement

    def _lookup(self, recorded_ids: np.ndarray):
        """Positions in the placement arrays of these recorded ids, and which of them are placeable."""
        keys = self._placement_arrays()[0]
        if not len(keys):
            return np.zeros(len(recorded_ids), np.int64), np.zeros(len(recorded_ids), bool)
        where = np.minimum(np.searchsorted(keys, recorded_ids), len(keys) - 1)
        return where, keys[where] == recorded_ids

    def _apply_frame(self, k: int, following, alpha: float, factor: float) -> None:
        records = self._packet(PacketId.POSITION, k)
        if records is not None:
            self._apply_positions(records, following, alpha, factor)
        self._apply_animation(k)

    def _apply_positions(self, records: np.ndarray, following, alpha: float, factor: float) -> None:
        where, found = self._lookup(records["id"].astype(np.int64))
        records, where = records[found], where[found]
        if not len(records):
            return
        location = records["location"].astype(np.float64) / CM
        rotation = from_recorded_rotation(records["rotation"])
        velocity = np.zeros_like(location)
        nxt = None if following is None else self._packet(PacketId.POSITION, following)
        if nxt is not None:
            order = np.argsort(nxt["id"], kind="stable")
            ids_sorted = nxt["id"][order]
            at = np.minimum(np.searchsorted(ids_sorted, records["id"]), max(len(ids_sorted) - 1, 0))
            has_next = (ids_sorted[at] == records["id"]) if len(ids_sorted) else np.zeros(len(records), bool)
            if has_next.any():
                rows = order[at[has_next]]
                next_location = nxt["location"][rows].astype(np.float64) / CM
                next_rotation = from_recorded_rotation(nxt["rotation"][rows])
                velocity[has_next] = (next_location - location[has_next]) * (factor / self.duration[following - 1])
                location[has_next] += (next_location - location[has_next]) * alpha
                rotation[has_next] = lerp_angles(rotation[has_next], next_rotation, alpha)
        _, live, kinds, slots = self._placement_arrays()
        world = self.world
        for kind, state in ((1, world.vehicles), (2, world.walkers)):
            mask = kinds[where] == kind
            if mask.any():
                s = slots[where[mask]]
                state.loc[s] = location[mask]
                state.rot[s] = rotation[mask]
                state.vel[s] = velocity[mask]
        for row in np.flatnonzero(kinds[where] == 0).tolist():
            actor = world.actors[int(live[where[row]])]
            if not actor.parent_id:
                actor.location, actor.rotation = tuple(location[row].tolist()), tuple(rotation[row].tolist())
        self._follow(records["id"], location, rotation)

    def _follow(self, recorded_ids: np.ndarray, location: np.ndarray, rotation: np.ndarray) -> None:
        if not self.follow_id or self.follow_id not in self.mapped:
            return
        rows = np.flatnonzero(recorded_ids == self.follow_id)
        if not len(rows):
            return
        offset_location, offset_rotation = self.follow_offset
        spectator = self.world.spectator
        spectator.location, spectator.rotation = compose(location[rows[0]], rotation[rows[0]],
                                                         offset_location, offset_rotation)

    def _apply_animation(self, k: int) -> None:
        world = self.world
        _, live, kinds, slots = self._placement_arrays()
        records = self._packet(PacketId.ANIM_VEHICLE, k)
        if records is not None and len(records):
            where, found = self._lookup(records["id"].astype(np.int64))
            ok = found & (kinds[where] == 1)
            v = world.vehicles
            s = slots[where[ok]]
            r = records[ok]
            v.steer[s] = np.clip(r["steering"], -1.0, 1.0)
            v.throttle[s] = np.clip(r["throttle"], 0.0, 1.0)
            v.brake[s] = np.clip(r["brake"], 0.0, 1.0)
            v.hand_brake[s] = r["handbrake"] != 0
            v.reverse[s] = r["gear"] < 0
            v.manual_gear_shift[s] = False
            v.gear[s] = r["gear"]
        records = self._packet(PacketId.ANIM_WALKER, k)
        if records is not None and len(records):
            where, found = self._lookup(records["id"].astype(np.int64))
            ok = found & (kinds[where] == 2)
            world.walkers.speed[slots[where[ok]]] = np.maximum(records["speed"][ok], 0.0)
        records = self._packet(PacketId.VEHICLE_LIGHT, k)
        if records is not None and len(records):
            where, found = self._lookup(records["id"].astype(np.int64))
            for row in np.flatnonzero(found & (kinds[where] == 1)).tolist():
                world.actors[int(live[where[row]])].light_state = int(records["state"][row])
        records = self._packet(PacketId.STATE, k)
        lights = getattr(world, "traffic_lights", None)
        if records is not None and len(records) and lights is not None:
            # as CARLA's ProcessReplayerStateTrafficLight: the state, the controller's elapsed time, the group's
            # frozen flag
            for rec_id, frozen, elapsed, state in records[["id", "frozen", "elapsed_time", "state"]].tolist():
                index = lights.index_of_actor.get(self.mapped.get(rec_id, -1))
                if index is not None and state <= 3:
                    lights.set_state(index, state)
                    lights.set_elapsed(index, elapsed)
                    if bool(lights.frozen[index]) != bool(frozen):
                        lights.freeze_group_of(index, bool(frozen))

