"""The Traffic Manager's autopilot: throttle, steer and brake for every autopiloted vehicle, each tick.

All registered vehicles are driven together with array operations (numpy); per-vehicle Python runs only
for rare events: choosing the next lane at a lane end, (re)locating a vehicle on the lane graph, a lane
change, a junction reservation, a custom path point reached. The world's physics integrates the controls
like any client's.

Per tick, following CARLA's Traffic Manager stages:

- Localization: each vehicle holds a plan of lanes (current lane first) and the lane sample just ahead
  of it; its horizon is the next ``HORIZON`` samples along the plan (about 60 m). At a lane end the next
  lane is a successor picked by the route option, the custom path, or a seeded random draw.
- Collision (``hazards``): other vehicles and walkers are tested against the corridor the vehicle will
  sweep; the nearest one inside is the leader.
- Traffic lights and signs (``stop_lines``): red and yellow lights stop the vehicle at the stop line (a
  yellow only when it can still stop); a stop sign needs a full stop at the line.
- Junctions (``junctions``): a vehicle enters a junction lane only with a reservation, granted first come
  first served among lanes that cross or merge and only when the lane after the junction has room.
- Motion (``control``): the target speed is the lane's speed limit less the percentage speed difference
  (or the desired speed), capped in curves; an IDM law follows the leader at ``distance_to_leader`` and
  stops at stop points; pure pursuit steers along the lane centre (shifted by ``lane_offset``).
- Lane changes: to pass a slower leader (``auto_lane_change``), on ``force_lane_change``, by the keep-right
  and random lane-change percentages, or when the route says so; only across marks that permit it, away
  from junctions and stops, and when the target lane is free ahead and behind.

Same inputs give the same controls: one seeded ``numpy.random.Generator``, draws in a fixed order, no
dict or set order and no clock.
"""
from __future__ import annotations

import math

import numpy as np

from engine.traffic import hazards, slot_arrays
from engine.traffic.control import B_COMFORT, HEADWAY, MIN_LEADER_GAP, apply_pedals, idm_acceleration, \
    pure_pursuit_steer
from engine.traffic.junctions import SAFE_AFTER_JUNCTION, Reservations
from engine.traffic.lane_graph import LaneGraph, lane_graph
from engine.traffic.stop_lines import StopLines
from engine.traffic.tm_parameters import TrafficParameters

PLAN = 12                     # lanes a plan holds (current one first)
HORIZON = 40                  # samples looked ahead (about 60 m)
ADVANCE = 6                   # samples a vehicle may pass in one tick
RELOCATE_DISTANCE = 8.0       # a vehicle this far from its sample was moved: find it again
RELOCATE_MOVE = 1.0           # m: ... once it has moved this far from where it was last looked for,
RELOCATE_MOVE_SHARE = 0.1     # or this share of how far its sample was then, if more
LATERAL_ACCEL = 2.5           # m/s^2 allowed in curves
STOP_MARGIN = 0.6             # m between the front bumper and a stop line
STOP_SIGN_SPEED = 0.3         # m/s counts as stopped at a stop sign
STOP_SIGN_REACH = 4.0         # m from the line within which the stop counts
LANE_CHANGE_COOLDOWN = 25.0   # m driven between two lane changes
LANE_CHANGE_LENGTH = 15.0     # m driven while steering over into the new lane
LANE_CHANGE_MIN_SPEED = 1.0   # m/s
LANE_CHANGE_JUNCTION_GAP = 20.0   # m: no lane change this close to a junction
LANE_CHANGE_REMAINING = 20.0  # m of target lane needed ahead
LANE_CHANGE_REACH = 15.0      # m around a vehicle searched for traffic in the target lane
OVERTAKE_DISTANCE = 20.0      # m: a slower leader this close makes the vehicle look for a faster lane
OVERTAKE_SPEED_GAIN = 2.0     # m/s slower than the target speed counts as slow
LINK_PATIENCE = 200           # ticks a vehicle waits on a jammed link between junctions before leaving it
PATH_POINT_REACHED = 4.0      # m: a custom path point this close is done

TURNS = {"Left": -1, "Right": 1, "Straight": 0, "LaneFollow": 0}
LANE_CHANGE_OPTIONS = {"ChangeLaneLeft": -1, "ChangeLaneRight": 1}
SKIPPED_OPTIONS = ("Void", "RoadEnd")
# Columns of the per-tick random draws.
U_LIGHTS, U_SIGNS, U_VEHICLES, U_WALKERS, U_KEEP_RIGHT, U_LEFT, U_RIGHT = range(7)
# Columns of the per-sample table gathered along the horizon each tick.
T_X, T_Y, T_COS, T_SIN, T_SEG, T_CURVE_SPEED2, T_JUNCTION, T_SETBACK, T_CURVATURE = range(9)


def _row_take(array: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Per row of a C-ordered 2-D array, the entries at that row's ``columns`` (one row of them each). One
    flat take: numpy's two-array fancy indexing costs several times more."""
    return array.ravel().take(np.arange(len(array))[:, None] * array.shape[1] + columns)


def _row_windows(array: np.ndarray, starts: np.ndarray, width: int) -> np.ndarray:
    """Per row of a C-ordered 2-D array, the ``width`` entries from that row's own start column."""
    return _row_take(array, starts[:, None] + np.arange(width))


class AutopilotDriver:
    """Drives the vehicles registered with a Traffic Manager in one world; see the module docstring."""

    def __init__(self, town, seed=0):
        self.town = town
        self.graph: LaneGraph = lane_graph(town)
        self.params = TrafficParameters()
        self.params.seed = seed
        self._seed_in_use = object()
        self._rng = None
        self._sync_seed()
        self._tick = 0
        self._capacity = 0
        self._reservations = Reservations(self.graph, STOP_MARGIN)
        self._stops = StopLines(self.graph)
        self._extents = hazards.Extents()
        self._slot_fields = {"_plan": ((PLAN,), np.int64, self.graph.sentinel), "_cur": ((), np.int64, -1),
                             "_stop_served": ((), np.int64, -1), "_cooldown": ((), np.float64, 0.0),
                             "_located_at": ((3,), np.float64, np.nan)}
        self._grow(64)
        g = self.graph
        junction = (g.lane_junction[g.lane] >= 0).astype(np.float64)
        self._table = np.stack([g.x, g.y, g.cos, g.sin, g.seg, LATERAL_ACCEL / np.maximum(g.curvature, 1e-6),
                                junction, g.stop_setback, g.signed_curvature], axis=1)

    # -- registration ------------------------------------------------------------------------------------------
    def register(self, slot: int, actor_id: int) -> None:
        """Drive the vehicle in physics ``slot`` (actor ``actor_id``) from the next tick on."""
        slot = int(slot)
        if slot < 0:
            raise ValueError(f"vehicle slot must be >= 0, got {slot}")
        self.params.claim(slot, int(actor_id))
        self.params.registered[slot] = True
        self._ensure(slot)
        self._reset(slot)

    def unregister(self, slot: int) -> None:
        """Stop driving ``slot``; its last control stays applied, as in CARLA."""
        slot = int(slot)
        if slot < self.params.capacity:
            self.params.registered[slot] = False
        if slot < self._capacity:
            self._reset(slot)

    def attach(self, world) -> None:
        """Run ``step`` before the physics of every tick of ``world``."""
        if self.step not in world.before_physics:
            world.before_physics.append(self.step)

    # -- per-slot state ----------------------------------------------------------------------------------------
    def _grow(self, capacity: int) -> None:
        self._reservations.grow(capacity)
        slot_arrays.grow(self, self._slot_fields, capacity)
        self._capacity = capacity

    def _ensure(self, slot: int) -> None:
        if slot >= self._capacity:
            self._grow(slot_arrays.capacity_for(self._capacity, slot))

    def _reset(self, slot: int) -> None:
        self._reservations.reset(slot)
        slot_arrays.reset(self, self._slot_fields, slot)

    def _sync_seed(self) -> None:
        """A new seed (set_random_device_seed) restarts the random sequence, as in CARLA."""
        seed = self.params.seed
        if seed is not self._seed_in_use and seed != self._seed_in_use:
            self._rng = np.random.default_rng(0 if seed is None else int(seed) & 0xFFFFFFFFFFFFFFFF)
            self._seed_in_use = seed

    # -- the tick ----------------------------------------------------------------------------------------------
    def step(self, world, dt: float) -> None:
        """Compute and store the controls of every registered vehicle for this tick."""
        if dt <= 0:
            return
        self._sync_seed()
        slots = self._driven_slots(world)
        if len(slots) == 0:
            return
        self._tick += 1
        self._extents.refresh(world)
        self._stops.refresh(world)
        self._reservations.minor = self._stops.minor
        g, p, V = self.graph, self.params, world.vehicles
        n = len(slots)
        rows = np.arange(n)
        loc = V.loc[slots]
        px, py = loc[:, 0], loc[:, 1]
        yaw = np.radians(V.rot[slots, 1])
        cos_y, sin_y = np.cos(yaw), np.sin(yaw)
        v = np.maximum(V.speed[slots], 0.0)
        ex, ey = self._extents.vehicle[slots, 0], self._extents.vehicle[slots, 1]
        draws = self._rng.random((n, 7))
        self._locate(slots, px, py, yaw)
        self._follow_custom_paths(slots, px, py)
        self._extend_plans(slots)

        # -- localization: advance along the plan -----------------------------------------------------------
        plan, cur = self._plan[slots], self._cur[slots]
        idx, valid, lane_pos = self._horizon_indices(plan, cur, HORIZON + ADVANCE)
        first = self._table.take(idx[:, :ADVANCE], axis=0)
        passed = ((px[:, None] - first[..., T_X]) * first[..., T_COS]
                  + (py[:, None] - first[..., T_Y]) * first[..., T_SIN] >= 0.0) & valid[:, :ADVANCE]
        ahead = np.minimum(passed.cumprod(axis=1).sum(axis=1), valid.sum(axis=1) - 1)
        hidx = _row_windows(idx, ahead, HORIZON)
        hval = _row_windows(valid, ahead, HORIZON)
        shift = lane_pos[rows, ahead]
        if shift.any():
            padded = np.concatenate([plan, np.full_like(plan, g.sentinel)], axis=1)
            plan = _row_windows(padded, shift, PLAN)
            self._plan[slots] = plan
        cur = hidx[:, 0]
        self._cur[slots] = cur

        # -- path geometry ---------------------------------------------------------------------------------
        table = self._table.take(hidx, axis=0)          # take: several times faster than [hidx]
        hx, hy, hc, hs = table[..., T_X], table[..., T_Y], table[..., T_COS], table[..., T_SIN]
        seg = np.where(hval, table[..., T_SEG], 0.0)
        seg[:, 0] = 0.0
        d0 = (hx[:, 0] - px) * hc[:, 0] + (hy[:, 0] - py) * hs[:, 0]
        s = np.maximum(d0, 0.0)[:, None] + seg.cumsum(axis=1)
        offset = p.lane_offsets(slots)
        off_centre = (py - hy[:, 0]) * hc[:, 0] - (px - hx[:, 0]) * hs[:, 0] - offset
        # Pure pursuit looks close ahead to keep the lane tightly, further while changing lanes.
        changing = self._cooldown[slots] > LANE_CHANGE_COOLDOWN - LANE_CHANGE_LENGTH
        look = np.where(changing, np.clip(v + 6.0, 8.0, 16.0), np.clip(0.4 * v + 2.5, 3.0, 14.0))
        # Where the body will sweep: from its lateral offset now to the lane centre (plus lane offset).
        lateral = offset[:, None] + off_centre[:, None] * np.clip(1.0 - s / (1.5 * look)[:, None], 0.0, 1.0)
        n_valid = hval.sum(axis=1)
        end_s = np.where(n_valid == HORIZON, np.inf, s[rows, n_valid - 1])

        # -- target speed ----------------------------------------------------------------------------------
        target = np.maximum(p.target_speed(g.lane_speed[plan[:, 0]], slots), 0.0)
        reach_curve = np.maximum(s - ex[:, None], 0.0)
        v0 = np.minimum(target, np.sqrt((table[..., T_CURVE_SPEED2] + 2.0 * B_COMFORT * reach_curve).min(axis=1)))

        # -- leader: the nearest actor in the swept corridor --------------------------------------------------
        agents = hazards.Agents(slots, px, py, loc[:, 2], cos_y, sin_y, v, ex, ey, s, hval,
                                hx - lateral * hs, hy + lateral * hc, hc, hs, table[..., T_CURVATURE], off_centre)
        actors = hazards.Actors.gather(world, self._extents, self._bend_by_slot)
        s0 = np.maximum(p.leader_distance(slots), MIN_LEADER_GAP)
        lead_reach = np.minimum(v * v / (2.0 * B_COMFORT) + 1.5 * HEADWAY * v + s0 + ex + 8.0, s[:, -1])
        ignored = self._ignored_pairs(slots, actors) if not p.collision_detection[slots].all() else None
        ignoring = (draws[:, U_VEHICLES] * 100.0 < p.ignore_vehicles_pct[slots],
                    draws[:, U_WALKERS] * 100.0 < p.ignore_walkers_pct[slots], ignored)
        a, o = hazards.candidate_pairs(agents, actors, lead_reach, *ignoring, ahead=True)
        lead = hazards.find_leaders(agents, actors, a, o, lead_reach)

        # -- traffic lights and signs ------------------------------------------------------------------------
        setback = table[..., T_SETBACK]
        brake_reach = v * v / (2.0 * 0.8 * V.p_brake[slots])
        light_s = self._stops.light_stops(world, hidx, hval, s, setback, ex, brake_reach,
                                          draws[:, U_LIGHTS] * 100.0 < p.ignore_lights_pct[slots], v)
        sign_s, sign_point = self._stops.sign_stops(hidx, hval, s, setback, self._stop_served[slots],
                                                    draws[:, U_SIGNS] * 100.0 < p.ignore_signs_pct[slots])
        served = np.isfinite(sign_s) & (v < STOP_SIGN_SPEED) & (sign_s - ex < STOP_SIGN_REACH)
        if served.any():
            self._stop_served[slots[served]] = sign_point[served]
            sign_s = np.where(served, np.inf, sign_s)
        rule_s = np.minimum(light_s, sign_s)

        # -- junction reservations --------------------------------------------------------------------------
        in_junction = table[..., T_JUNCTION] > 0.5
        junction_s = self._reservations.update(self._tick, slots, p.actor_id[slots], plan, cur,
                                               in_junction, hval, hidx, s, setback, px, py, v, ex,
                                               B_COMFORT, HEADWAY, rule_s, lead.gap, lead.speed, lead.slot)
        self._leave_jammed_links(slots, plan, v, junction_s)

        # -- control ---------------------------------------------------------------------------------------
        stop_s = np.minimum(np.minimum(rule_s, junction_s), end_s)
        accel = idm_acceleration(v, v0, lead.gap, lead.speed, s0, stop_s - ex - STOP_MARGIN, V.p_brake[slots])
        j = np.minimum((s < look[:, None]).sum(axis=1), HORIZON - 1)
        steer = pure_pursuit_steer(px, py, cos_y, sin_y, hx[rows, j] - offset * hs[rows, j],
                                   hy[rows, j] + offset * hc[rows, j], V.p_wheelbase[slots], V.p_max_steer[slots])
        apply_pedals(V, slots, v, accel, steer)

        # -- lane changes (take effect next tick) ------------------------------------------------------------
        self._cooldown[slots] = np.maximum(self._cooldown[slots] - v * dt, 0.0)
        self._lane_changes(agents, actors, ignoring, plan, cur, target, lead, in_junction, stop_s, draws)

    # -- which vehicles ----------------------------------------------------------------------------------------
    def _driven_slots(self, world) -> np.ndarray:
        p = self.params
        V = world.vehicles
        limit = min(p.capacity, len(world.vehicle_ids), V.capacity)
        slots = p.registered[:limit].nonzero()[0]
        if len(slots) == 0:
            return slots
        ok = V.alive[slots] & (world.vehicle_ids[slots] == p.actor_id[slots])
        self._ensure(int(slots[-1]))
        for gone in slots[~ok].tolist():         # destroyed under us: forget its lane and reservation
            self._reset(gone)
        return slots[ok]

    def _bend_by_slot(self, vehicle_slots) -> np.ndarray:
        """Curvature of the lane under each of these vehicles where this driver drives them, else 0."""
        known = vehicle_slots < self._capacity
        cur = np.full(len(vehicle_slots), -1, dtype=np.int64)
        cur[known] = self._cur[vehicle_slots[known]]
        return np.where(cur >= 0, np.abs(self._table[np.maximum(cur, 0), T_CURVATURE]), 0.0)

    def _ignored_pairs(self, slots, actors):
        """A pair filter for the vehicles that ignore given actors (set_collision_detection(False))."""
        rules = []
        for k in (~self.params.collision_detection[slots]).nonzero()[0].tolist():
            ignored = self.params.ignored_actors.get(int(slots[k]))
            if ignored:
                rules.append((k, np.fromiter(sorted(ignored), dtype=np.int64, count=len(ignored))))

        def keep(a, o):
            mask = np.ones(len(a), dtype=bool)
            for k, ids in rules:
                mine = a == k
                mask[mine] = ~np.isin(actors.ids[o[mine]], ids)
            return mask
        return keep

    # -- localization and plans --------------------------------------------------------------------------------
    def _locate(self, slots, px, py, yaw) -> None:
        """Put new or moved vehicles on the lane graph: the nearest sample of a lane heading their way."""
        g = self.graph
        cur = self._cur[slots]
        safe = np.maximum(cur, 0)
        # One far from every lane (off the road) stays far from its sample: it is looked for again only
        # after it has moved, not every tick.
        located = self._located_at[slots]
        lost = (cur < 0) | ((np.hypot(px - g.x[safe], py - g.y[safe]) > RELOCATE_DISTANCE)
                            & ~(np.hypot(px - located[:, 0], py - located[:, 1]) <= located[:, 2]))
        if not lost.any():
            return
        which = lost.nonzero()[0]
        points = g.nearest_points(px[which], py[which], yaw[which])
        gap = np.hypot(px[which] - g.x[points], py[which] - g.y[points])
        self._located_at[slots[which]] = np.stack(
            [px[which], py[which], np.maximum(RELOCATE_MOVE, RELOCATE_MOVE_SHARE * gap)], axis=1)
        for k, point in zip(which.tolist(), points.tolist()):
            slot = int(slots[k])
            self._plan[slot] = g.sentinel
            self._plan[slot, 0] = g.lane[point]
            self._cur[slot] = point

    def _extend_plans(self, slots) -> None:
        """Append successor lanes until each plan covers the horizon and does not end inside a junction or
        on a short link between junctions (a reservation needs to see past them); one choice per lane end."""
        g = self.graph
        plan, cur = self._plan[slots], self._cur[slots]
        counts = g.lane_count[plan]
        counts[:, 0] = g.lane_last[plan[:, 0]] - cur + 1
        filled = (plan != g.sentinel).sum(axis=1)
        last = plan[np.arange(len(slots)), filled - 1]
        open_end = (g.lane_junction[last] >= 0) | g.short_link[last]
        short = ((counts.sum(axis=1) < HORIZON + ADVANCE) | (open_end & (filled < PLAN))).nonzero()[0]
        for k in short.tolist():
            slot = int(slots[k])
            row = self._plan[slot]
            total = int(counts[k].sum())
            end = int(filled[k])
            while end < PLAN:
                lane = int(row[end - 1])
                if total >= HORIZON + ADVANCE and g.lane_junction[lane] < 0 and not g.short_link[lane]:
                    break
                following = self._choose_successor(slot, lane)
                if following < 0:
                    break
                row[end] = following
                total += int(g.lane_count[following])
                end += 1

    def _choose_successor(self, slot: int, lane: int) -> int:
        """The lane after ``lane``: by custom path, then route option at a junction, else at random among
        the lanes not in the plan yet."""
        g = self.graph
        options = g.successors[lane]
        if not options:
            return -1
        if len(options) == 1:
            return options[0]
        path = self.params.path.get(slot)
        if path:
            tx, ty = float(path[0][0]), float(path[0][1])

            def distance(l):
                span = slice(g.lane_first[l], g.lane_last[l] + 1)
                return float(np.min(np.hypot(g.x[span] - tx, g.y[span] - ty))), l
            return min(options, key=distance)
        route = self.params.route.get(slot)
        if route and g.lane_junction[options[0]] >= 0:
            while route and route[0] in SKIPPED_OPTIONS:
                route.pop(0)
            if route and route[0] in TURNS:
                want = TURNS[route.pop(0)]
                options = [l for l in options if g.lane_turn[l] == want] or options
        # Never round a loop (a roundabout) twice within one plan when another way exists, nor take a long
        # vehicle onto a link between junctions too short to hold it (it would need all of them at once).
        options = [l for l in options if l not in self._plan[slot]] or options
        length = 2.0 * self._extents.vehicle[slot, 0] if slot < len(self._extents.vehicle) else 0.0
        room = self._reservations.lane_room[g.junction_exit[options]]
        options = [l for l, r in zip(options, room.tolist())
                   if not (g.short_link[g.junction_exit[l]] and r < length + SAFE_AFTER_JUNCTION)] or options
        return options[int(self._rng.integers(len(options)))] if len(options) > 1 else options[0]

    def _leave_jammed_links(self, slots, plan, v, junction_s) -> None:
        """A vehicle kept waiting on a link between junctions (a roundabout ring that has filled up) for
        ``LINK_PATIENCE`` ticks takes the next way out of the ring instead of going on around."""
        g = self.graph
        arrival = self._reservations.arrival[slots]
        jammed = np.flatnonzero(g.short_link[plan[:, 0]] & np.isfinite(junction_s) & (v < 0.1)
                                & (arrival >= 0) & (self._tick - arrival > LINK_PATIENCE))
        for k in jammed.tolist():
            slot = int(slots[k])
            if self.params.path.get(slot) or self.params.route.get(slot):
                continue
            if not g.short_link[g.junction_exit[int(plan[k, 1])]]:
                continue                          # already leaving the ring here
            ways_out = [l for l in g.successors[int(plan[k, 0])] if not g.short_link[g.junction_exit[l]]]
            if ways_out:
                self._plan[slot, 1:] = g.sentinel
                self._plan[slot, 1] = ways_out[0]

    def _follow_custom_paths(self, slots, px, py) -> None:
        """Drop the custom path points a vehicle has reached."""
        paths = self.params.path
        for slot in sorted(paths):
            k = int(slots.searchsorted(slot))
            if k == len(slots) or slots[k] != slot:
                continue
            path = paths[slot]
            while path and math.hypot(px[k] - path[0][0], py[k] - path[0][1]) < PATH_POINT_REACHED:
                path.pop(0)

    def _horizon_indices(self, plan, cur, length: int):
        """Samples along each plan from ``cur``: (indices, valid mask, position of each one's lane in the
        plan); past the plan's end the last sample repeats and is marked invalid."""
        g = self.graph
        rows = np.arange(len(cur))
        counts = g.lane_count[plan]
        counts[:, 0] = g.lane_last[plan[:, 0]] - cur + 1
        starts = g.lane_first[plan]
        starts[:, 0] = cur
        cum = counts.cumsum(axis=1)
        steps = np.arange(length)
        # Each lane's column repeated once per sample of it within the horizon; past the plan's end the
        # last column fills the row (those samples are replaced below).
        reached = np.minimum(cum, length)
        spans = reached.copy()
        spans[:, 1:] -= reached[:, :-1]
        spans[:, -1] += length - reached[:, -1]
        lane_pos = (np.arange(spans.size) % PLAN).repeat(spans.ravel()).reshape(len(cur), length)
        first_sample = starts - (cum - counts)    # per plan lane: its first sample less the steps before it
        idx = _row_take(first_sample, lane_pos) + steps
        total = np.minimum(cum[:, -1], length)
        valid = steps[None, :] < total[:, None]
        idx = np.where(valid, idx, idx[rows, total - 1][:, None])
        lane_pos = np.where(valid, lane_pos, lane_pos[rows, total - 1][:, None])
        return idx, valid, lane_pos

    # -- lane changes ------------------------------------------------------------------------------------------
    def _lane_changes(self, agents, actors, ignoring, plan, cur, target, lead, in_junction, stop_s, draws) -> None:
        g, p = self.graph, self.params
        slots, v, ex, s = agents.slots, agents.speed, agents.half_length, agents.s
        lane = plan[:, 0]
        forced = p.force_lane_change[slots].astype(np.int64)
        routed = np.zeros(len(slots), dtype=np.int64)
        for slot in sorted(p.route):
            route = p.route[slot]
            k = int(slots.searchsorted(slot))
            if route and route[0] in LANE_CHANGE_OPTIONS and k < len(slots) and slots[k] == slot:
                routed[k] = LANE_CHANGE_OPTIONS[route[0]]
        choice = np.zeros(len(slots), dtype=np.int64)
        choice = np.where(draws[:, U_RIGHT] * 100.0 < p.random_right_pct[slots], 1, choice)
        choice = np.where(draws[:, U_LEFT] * 100.0 < p.random_left_pct[slots], -1, choice)
        choice = np.where(draws[:, U_KEEP_RIGHT] * 100.0 < p.keep_right_pct[slots], 1, choice)
        overtake = (p.auto_lane_change[slots] & (lead.slot >= 0) & (lead.gap < OVERTAKE_DISTANCE)
                    & (lead.speed < target - OVERTAKE_SPEED_GAIN))
        choice = np.where(overtake & (g.lane_left[lane] >= 0), -1,
                          np.where(overtake & (g.lane_right[lane] >= 0) & (choice == 0), 1, choice))
        want = np.where(forced != 0, forced, np.where(routed != 0, routed, choice))
        # Never close to a junction, and finished before the next stop: never left half done at a light.
        blocked = (in_junction & agents.valid & (s < LANE_CHANGE_JUNCTION_GAP + ex[:, None])).any(axis=1)
        blocked |= stop_s < LANE_CHANGE_JUNCTION_GAP + LANE_CHANGE_LENGTH + ex
        free_to_change = ((self._cooldown[slots] <= 0.0) | (forced != 0)) & ~blocked
        free_to_change &= (v >= LANE_CHANGE_MIN_SPEED) | (forced != 0)
        target_lane = np.where(want < 0, g.lane_left[lane], np.where(want > 0, g.lane_right[lane], -1))
        permitted = np.where(want < 0, g.can_left[cur], g.can_right[cur])
        candidates = ((want != 0) & (target_lane >= 0) & permitted & free_to_change).nonzero()[0]
        if len(candidates) == 0:
            return
        new_lane = target_lane[candidates]
        offset = cur[candidates] - g.lane_first[lane[candidates]]
        new_cur = g.lane_first[new_lane] + np.minimum(offset, g.lane_count[new_lane] - 1)
        ok = (g.lane_length[new_lane] - g.along[new_cur] > LANE_CHANGE_REMAINING) | g.has_successor[new_lane]
        a, o = hazards.candidate_pairs(agents, actors, LANE_CHANGE_REACH + ex, *ignoring, rows=candidates)
        ok &= hazards.target_lane_free(candidates, want[candidates], g.width[cur[candidates]], agents, actors, a, o)
        for k, lane_new, point in zip(candidates[ok].tolist(), new_lane[ok].tolist(), new_cur[ok].tolist()):
            slot = int(slots[k])
            self._plan[slot] = g.sentinel
            self._plan[slot, 0] = lane_new
            self._cur[slot] = point
            self._cooldown[slot] = LANE_CHANGE_COOLDOWN
            if forced[k] != 0:
                p.force_lane_change[slot] = 0
            elif routed[k] != 0:
                p.route[slot].pop(0)
