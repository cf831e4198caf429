"""Traffic lights: one actor per OpenDRIVE light signal, cycling the way CARLA's Unreal plugin cycles them.

Placement follows CARLA's TrafficLightManager for maps whose lights come from the OpenDRIVE: every light
signal of a controller, and every uncontrolled light signal outside junctions, becomes a
`traffic.traffic_light` actor at the signal's pose turned by 90 degrees. A light belongs to the smallest
(by id) of its controllers that a junction references, and that controller to the group of the smallest
such junction; a light without one gets a controller and a group of its own, with a 10 s red.

Cycling follows UTrafficLightController and ATrafficLightGroup: a controller walks the stages Green (10 s),
Yellow (3 s), Red (2 s), timing them in float32 as Unreal does; in each group one controller runs its
stages while the others stay on their last one (Red), and when the running one finishes Red the next
controller of the group starts Green. A frozen group does not advance. `set_state` sets one light only,
until its controller next changes stage.

State is per light and per controller in numpy arrays; the cycle advances in the world's
`before_physics` hook.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from engine.traffic.sign_actor import TAG_TRAFFIC_LIGHT, SignActor, sign_id_bytes
from engine.traffic.signals import (RoadContext, combined_box, is_traffic_light, light_boxes, normalized_yaw,
                                    signal_pose)

RED, YELLOW, GREEN, OFF, UNKNOWN = 0, 1, 2, 3, 4
STATE_NAMES = {RED: "Red", YELLOW: "Yellow", GREEN: "Green", OFF: "Off", UNKNOWN: "Unknown"}
STAGES = np.array((GREEN, YELLOW, RED), dtype=np.uint8)         # a controller's stages, in order
LAST_STAGE = len(STAGES) - 1
DEFAULT_STAGE_TIMES = (10.0, 3.0, 2.0)
UNGROUPED_RED_TIME = 10.0
TRAFFIC_LIGHT_TYPE_ID = "traffic.traffic_light"

# The traffic-light union of an episode-state record (offset 65, 54 bytes).
LIGHT_UNION = np.dtype({
    "names": ["sign_id", "green_time", "yellow_time", "red_time", "elapsed_time", "pole_index", "time_is_frozen",
              "state"],
    "formats": ["S32", "<f4", "<f4", "<f4", "<f4", "<u4", "u1", "u1"],
    "offsets": [0, 32, 36, 40, 44, 48, 52, 53],
    "itemsize": 54,
})
_RECORD_LIGHT_UNION = np.dtype({"names": ["union"], "formats": ["V54"], "offsets": [65], "itemsize": 119})


@dataclasses.dataclass(frozen=True)
class LightPlan:
    signal_id: str
    controller: str          # key of the controller the light belongs to
    group: tuple             # key of the group of that controller
    red_time: float


def plan_lights(context: RoadContext) -> list:
    """The lights CARLA spawns for a map, in spawn order, with their controller and group."""
    junctions_of: dict = {}                 # controller id -> ids of the junctions that reference it
    for junction_id, junction in context.opendrive.junctions.items():
        for controller_id in junction.controllers:
            junctions_of.setdefault(controller_id, set()).add(junction_id)
    signals = context.signals
    order: list = []
    for controller_id in sorted(context.controllers):
        for signal_id in context.controllers[controller_id]:
            signal = signals.get(signal_id)
            if signal is not None and is_traffic_light(signal) and signal_id not in order:
                order.append(signal_id)
    for signal_id in sorted(signals):
        signal = signals[signal_id]
        if (not signal.controllers and context.opendrive.roads[signal.road_id].junction == -1
                and is_traffic_light(signal) and signal_id not in order):
            order.append(signal_id)

    plans = []
    for signal_id in order:
        signal = signals[signal_id]
        controllers = [c for c in signal.controllers if c in junctions_of]
        if controllers:
            controller = min(controllers)
            plans.append(LightPlan(signal_id, controller, ("junction", min(junctions_of[controller])),
                                   DEFAULT_STAGE_TIMES[2]))
        else:
            plans.append(LightPlan(signal_id, "signal " + signal_id, ("signal", signal_id), UNGROUPED_RED_TIME))
    return plans


class TrafficLightSystem:
    """Every traffic light of one world: actors, groups, controllers and their cycle.

    By light index: `actor_ids`, `sign_ids`, `state` (uint8: 0 Red, 1 Yellow, 2 Green, 3 Off), `light_group`,
    `pole_index`, and the views `elapsed`, `green_time`, `yellow_time`, `red_time`, `frozen`; `stops` lists the
    (road_id, lane_id, s, light index) stop lines. Other modules read these; changes go through the methods.
    """

    def __init__(self, world, context: RoadContext):
        self.world = world
        plans = plan_lights(context)
        n = len(plans)
        self.sign_ids = [p.signal_id for p in plans]
        self.actor_ids = np.zeros(n, dtype=np.uint32)
        self.state = np.full(n, RED, dtype=np.uint8)
        self.index_of_actor: dict = {}
        self.trigger_boxes: list = []          # per light, [TriggerBox]
        # (road_id, lane_id, s, light_index) of every lane stop line a light governs.
        self.stops: list = []
        self.heads = None                      # engine.traffic.light_heads.LightHeads, set by the subsystem
        self._version = 0                      # bumped by every change; the record bytes follow it
        self._union_version = -1
        self._rows_for = None                  # the row map fill_records last indexed

        controller_keys = list(dict.fromkeys(p.controller for p in plans))
        group_keys = list(dict.fromkeys(p.group for p in plans))
        controller_index = {key: i for i, key in enumerate(controller_keys)}
        group_index = {key: i for i, key in enumerate(group_keys)}
        self.light_controller = np.array([controller_index[p.controller] for p in plans], dtype=np.int64)
        self.light_group = np.array([group_index[p.group] for p in plans], dtype=np.int64)

        nc = len(controller_keys)
        self.controller_lights = [np.flatnonzero(self.light_controller == c) for c in range(nc)]
        self.controller_stage = np.full(nc, LAST_STAGE, dtype=np.int64)
        self.controller_elapsed = np.zeros(nc, dtype=np.float32)
        self.stage_times = np.tile(np.array(DEFAULT_STAGE_TIMES, dtype=np.float32), (nc, 1))
        for plan in plans:
            self.stage_times[controller_index[plan.controller], LAST_STAGE] = plan.red_time

        ng = len(group_keys)
        self.group_controllers = [list(dict.fromkeys(int(c) for c in self.light_controller[self.light_group == g]))
                                  for g in range(ng)]
        self.group_position = np.zeros(ng, dtype=np.int64)     # which of its controllers runs
        self.group_frozen = np.zeros(ng, dtype=bool)
        self.group_lights = [[int(i) for c in self.group_controllers[g] for i in self.controller_lights[c]]
                             for g in range(ng)]
        self.pole_index = np.zeros(n, dtype=np.uint32)
        for lights in self.group_lights:
            self.pole_index[lights] = np.arange(len(lights), dtype=np.uint32)

        for index, plan in enumerate(plans):
            self._spawn(index, plan, context)
        for g in range(ng):
            self.reset_group(g)
        self._union = np.zeros(n, dtype=LIGHT_UNION)
        self._union["sign_id"] = [sign_id_bytes(s) for s in self.sign_ids]
        self._union["pole_index"] = self.pole_index

    # -- actors --------------------------------------------------------------------------------------------------
    def _spawn(self, index: int, plan: LightPlan, context: RoadContext) -> None:
        location, rotation = signal_pose(context, context.signals[plan.signal_id])
        rotation = (0.0, normalized_yaw(rotation[1] + 90.0), 0.0)
        boxes, stops = light_boxes(context, plan.signal_id)
        world = self.world
        actor = SignActor(id=world._new_id(), type_id=TRAFFIC_LIGHT_TYPE_ID, kind="traffic",
                          description=[0, TRAFFIC_LIGHT_TYPE_ID, []], location=location, rotation=rotation,
                          semantic_tags=bytes([TAG_TRAFFIC_LIGHT]), sign_id=plan.signal_id,
                          trigger_volume=combined_box(boxes, location, rotation))
        actor.fill_record = lambda record, i=index: self._fill_record(i, record)
        world._register(actor)
        self.actor_ids[index] = actor.id
        self.index_of_actor[actor.id] = index
        self.trigger_boxes.append(boxes)
        self.stops.extend((stop.road_id, stop.lane_id, stop.s, index) for stop in stops)

    def fill_records(self, records, rows: dict) -> None:
        """Every light's union in the world's block of static records, in one assignment."""
        if self._union_version != self._version:
            self._build_unions()
        if self._rows_for is not rows:
            found = [(index, rows[int(actor_id)]) for index, actor_id in enumerate(self.actor_ids)
                     if int(actor_id) in rows]
            self._light_index = np.array([i for i, _ in found], dtype=np.int64)
            self._light_rows = np.array([r for _, r in found], dtype=np.int64)
            self._rows_for = rows
        records.view(_RECORD_LIGHT_UNION)["union"][self._light_rows] = \
            self._union.view("V54")[self._light_index]

    def _fill_record(self, index: int, record) -> None:
        if self._union_version != self._version:
            self._build_unions()
        record.view(_RECORD_LIGHT_UNION)["union"] = self._union[index].tobytes()

    def _build_unions(self) -> None:
        """Every light's record union at once."""
        union, c = self._union, self.light_controller
        union["green_time"] = self.stage_times[c, 0]
        union["yellow_time"] = self.stage_times[c, 1]
        union["red_time"] = self.stage_times[c, LAST_STAGE]
        union["elapsed_time"] = self.controller_elapsed[c]
        union["time_is_frozen"] = self.group_frozen[self.light_group]
        union["state"] = self.state
        self._union_version = self._version

    def light_index(self, actor_id) -> int:
        """The index of a light by actor id; anything else raises LookupError saying what it is."""
        index = self.index_of_actor.get(actor_id) if isinstance(actor_id, int) else None
        if index is None or actor_id not in self.world.actors:
            actor = self.world.actors.get(actor_id) if isinstance(actor_id, int) else None
            if actor is None:
                raise LookupError(f"actor {actor_id!r} not found")
            raise LookupError(f"actor {actor.id} ({actor.type_id}) is not a traffic light")
        return index

    # -- per-light views -----------------------------------------------------------------------------------------
    @property
    def elapsed(self) -> np.ndarray:
        return self.controller_elapsed[self.light_controller]

    @property
    def green_time(self) -> np.ndarray:
        return self.stage_times[self.light_controller, 0]

    @property
    def yellow_time(self) -> np.ndarray:
        return self.stage_times[self.light_controller, 1]

    @property
    def red_time(self) -> np.ndarray:
        return self.stage_times[self.light_controller, LAST_STAGE]

    @property
    def frozen(self) -> np.ndarray:
        return self.group_frozen[self.light_group]

    # -- the cycle -----------------------------------------------------------------------------------------------
    def advance(self, world, dt: float) -> None:
        """One tick of every group that is not frozen (the world's before_physics hook)."""
        groups = (~self.group_frozen).nonzero()[0]
        if len(groups) == 0:
            return
        self._version += 1
        running = np.array([self.group_controllers[g][self.group_position[g]] for g in groups], dtype=np.int64)
        self.controller_elapsed[running] += np.float32(dt)
        due = self.controller_elapsed[running] > self.stage_times[running, self.controller_stage[running]]
        for group, controller in zip(groups[due], running[due]):
            self._stage_finished(int(group), int(controller))

    def _stage_finished(self, group: int, controller: int) -> None:
        self.controller_elapsed[controller] = 0.0
        if self.controller_stage[controller] == LAST_STAGE:
            controllers = self.group_controllers[group]
            self.group_position[group] = (self.group_position[group] + 1) % len(controllers)
            self._start_cycle(controllers[self.group_position[group]])
        else:
            self.controller_stage[controller] += 1
            self._show_stage(controller)

    def _start_cycle(self, controller: int) -> None:
        self.controller_elapsed[controller] = 0.0
        self.controller_stage[controller] = 0
        self._show_stage(controller)

    def _show_stage(self, controller: int) -> None:
        self.state[self.controller_lights[controller]] = STAGES[self.controller_stage[controller]]

    # -- commands (CARLA's calls) --------------------------------------------------------------------------------
    def reset_group(self, group: int) -> None:
        """Every controller back to Red with no time elapsed, then the first one starts Green."""
        self._version += 1
        for controller in self.group_controllers[group]:
            self.controller_stage[controller] = LAST_STAGE
            self.controller_elapsed[controller] = 0.0
            self._show_stage(controller)
        self.group_position[group] = 0
        self._start_cycle(self.group_controllers[group][0])

    def reset_all(self) -> None:
        for group in range(len(self.group_controllers)):
            self.reset_group(group)

    def set_state(self, index: int, state: int) -> None:
        self._version += 1
        self.state[index] = state

    def set_elapsed(self, index: int, seconds: float) -> None:
        """The time the light's controller has spent in its stage (what CARLA's replayer restores)."""
        self._version += 1
        self.controller_elapsed[self.light_controller[index]] = np.float32(seconds)

    def set_stage_time(self, index: int, state: int, seconds: float) -> None:
        self._version += 1
        stage = int(np.flatnonzero(STAGES == state)[0])
        self.stage_times[self.light_controller[index], stage] = np.float32(seconds)

    def freeze_group_of(self, index: int, frozen: bool) -> None:
        self._version += 1
        self.group_frozen[self.light_group[index]] = frozen

    def freeze_all(self, frozen: bool) -> None:
        self._version += 1
        self.group_frozen[:] = frozen

    def group_actor_ids(self, index: int) -> list:
        """The actor ids of the lights of a light's group, controller by controller."""
        alive = self.world.actors
        return [int(self.actor_ids[i]) for i in self.group_lights[self.light_group[index]]
                if int(self.actor_ids[i]) in alive]
