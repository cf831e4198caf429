"""Junction reservations for the autopilot: who may enter which junction lanes, deterministically.

A vehicle enters a junction lane only while it holds it. It asks when it comes within braking distance
of the junction, free of red lights and unserved stop signs, with no waiting vehicle between it and the
junction. A request is for a chain: the junction lane, and when the lane after it is a link into another
junction (a roundabout ring) too short to hold the vehicle, the next junction lane as well, and so on; so
nobody ever has to stop on a link with its body in a junction.

Requests are granted in priority order: a major approach before a minor one (a roundabout entry, a yield
or stop sign) that has not waited ``MINOR_PATIENCE`` ticks yet, then the tick of arrival, then the actor
id. A request waits while any lane of its chain conflicts (crosses, merges: ``LaneGraph.conflict``, or
``conflict_long`` when either vehicle is long) with a lane someone holds or with the chain of an earlier
request (unless that one waits for room elsewhere), and while the lane after the chain has no room for
the vehicle, counting the vehicles granted into it that are not on it yet. A lane is let go once the
vehicle's rear is clear of it; a grant not used yet is dropped when the path no longer leads through it
or a light or sign holds the vehicle.
"""
from __future__ import annotations

import numpy as np

from engine.traffic import slot_arrays

CHAIN = 6                       # junction lanes one reservation may hold
SAFE_AFTER_JUNCTION = 1.5       # m of room, beyond the vehicle's length, needed after a junction
MINOR_RESERVE = 6.0             # m more room a minor approach leaves after it
JUNCTION_ZONE = 5.0             # m beyond the braking distance where a vehicle asks
CLEAR_MARGIN = 1.5              # m between a vehicle's rear and the end of a lane it lets go
AFTER_JUNCTION_MIN_SPEED = 5.0 / 3.6
MINOR_PATIENCE = 600            # ticks a minor approach gives way before it queues as a major one
STUCK_GAP = 4.0                 # m: a vehicle standing this close behind another is held up by it
LONG_VEHICLE = 3.0              # m half length above which a vehicle counts as long (swings wide in turns)

# Per vehicle slot: the junction lanes it holds, whether its grant is still unused, the entry lane of that
# grant, the lane after its chain, the tick it came to ask and the lane it asked for.
_SLOT_FIELDS = {"held": ((CHAIN,), np.int64, -1), "unused": ((), np.bool_, False),
                "first": ((), np.int64, -1), "exit": ((), np.int64, -1),
                "arrival": ((), np.int64, -1), "asked_lane": ((), np.int64, -1)}


def held_columns(held: np.ndarray) -> np.ndarray:
    """``held`` without the columns past the last one that holds a lane in some row: those hold nothing
    anywhere (most vehicles hold one lane or none), so comparisons with lanes can leave them out."""
    used = (held >= 0).any(axis=0).nonzero()[0]
    return held[:, :int(used[-1]) + 1] if len(used) else held[:, :0]


def held_in(held: np.ndarray, lanes: np.ndarray) -> np.ndarray:
    """(n, CHAIN) bool: which lanes of each row of ``held`` appear in the same row of ``lanes`` (lanes or the
    sentinel, never -1)."""
    found = np.zeros(held.shape, dtype=bool)
    some = held_columns(held)
    found[:, :some.shape[1]] = (some[:, :, None] == lanes[:, None, :]).any(axis=2)
    return found


class Reservations:
    """Junction lanes held per vehicle slot, and the requests of each tick."""

    def __init__(self, graph, stop_margin: float):
        self.graph = graph
        self.minor = graph.lane_minor.copy()          # junction lanes that give way; signs add to it
        g = graph
        # Room a lane offers a vehicle that may have to wait at its end.
        ends_in_junction = np.array([bool(g.successors[l]) and g.lane_junction[g.successors[l][0]] >= 0
                                     for l in range(g.n_lanes)] + [False])
        setback = g.stop_setback[g.lane_last]
        self.lane_room = np.where(ends_in_junction, g.lane_length - setback - stop_margin, g.lane_length)
        self._capacity = 0
        self.grow(64)

    # -- per-slot state --------------------------------------------------------------------------------------
    def grow(self, capacity: int) -> None:
        if capacity > self._capacity:
            slot_arrays.grow(self, _SLOT_FIELDS, capacity)
            self._capacity = capacity

    def reset(self, slot: int) -> None:
        slot_arrays.reset(self, _SLOT_FIELDS, slot)

    def holds_any(self, slots: np.ndarray) -> np.ndarray:
        return (self.held[slots] >= 0).any(axis=1)

    # -- the tick ------------------------------------------------------------------------------------------------
    def update(self, tick, slots, actor_ids, plan, cur, in_junction, hval, hidx, s, setback, px, py, v, ex,
               b_comfort, headway, rule_s, lead_d, lead_v, lead_slot) -> np.ndarray:
        """Release, request and grant for this tick; per vehicle, the distance along its path to the junction
        entry where it must wait (inf where it may go on)."""
        g = self.graph
        n = len(slots)
        rows = np.arange(n)
        inside = in_junction[:, 0]
        entering = in_junction & ~inside[:, None] & hval
        has_entry = entering.any(axis=1)
        first = entering.argmax(axis=1)
        before = np.maximum(first - 1, 0)
        entry_s = np.where(has_entry, s[rows, first] - np.where(first > 0, setback[rows, before], 0.0), np.inf)
        entry_lane = np.where(has_entry, g.lane[hidx[rows, first]], -1)
        after = ~in_junction & hval & (np.arange(in_junction.shape[1])[None, :] > first[:, None])
        exit_s = np.where(has_entry & after.any(axis=1), s[rows, after.argmax(axis=1)], np.inf)

        held = self.held[slots]
        unused = self.unused[slots]
        lane_now = plan[:, 0]
        # A vehicle inside a junction lane it holds nothing for (placed there) takes it as it is.
        holds_now = (held == lane_now[:, None]).any(axis=1)
        adopt = (inside & ~holds_now).nonzero()[0]
        for k in adopt.tolist():
            free = (held[k] < 0).nonzero()[0]
            held[k, free[0] if len(free) else CHAIN - 1] = lane_now[k]
        unused &= ~inside
        # Let go: lanes behind the vehicle once its rear is clear; an unused grant whose lanes the path
        # left, or that a light or sign holds before its junction.
        in_plan = held_in(held, plan)
        last = g.lane_last[np.maximum(held, 0)]
        clear = np.hypot(px[:, None] - g.x[last], py[:, None] - g.y[last]) > (ex + CLEAR_MARGIN)[:, None]
        waiting_rule = rule_s <= entry_s + 1.0
        stale = unused & ((self.first[slots] != entry_lane) | waiting_rule)
        held = np.where((held >= 0) & ((~in_plan & (clear | unused[:, None])) | (in_plan & stale[:, None])),
                        -1, held)
        unused &= ~stale
        self._give_way_to_waiting(slots, held, unused, plan, v, ex, has_entry, entry_lane, lead_d, lead_slot)
        exit_lane = self.exit[slots]
        exit_lane = np.where((lane_now == exit_lane) | ~(held >= 0).any(axis=1), -1, exit_lane)

        # Requests.
        front = entry_s - ex
        zone = has_entry & (front <= v * v / (2.0 * b_comfort) + v * headway + JUNCTION_ZONE)
        leader_holds = np.zeros(n, dtype=bool)
        has_leader = lead_slot >= 0
        if has_leader.any():
            leaders = lead_slot[has_leader]
            known = leaders < self._capacity
            holds = np.zeros(len(leaders), dtype=bool)
            holds[known] = self.holds_any(leaders[known])
            leader_holds[has_leader] = holds
        leader_ok = (lead_d >= front) | leader_holds
        both = np.isfinite(lead_d) & np.isfinite(exit_s)
        room_ahead = np.where(both, np.where(both, lead_d, 0.0) + ex - np.where(both, exit_s, 0.0), np.inf)
        safe_after = (room_ahead >= 2.0 * ex + SAFE_AFTER_JUNCTION) | (lead_v > AFTER_JUNCTION_MIN_SPEED)
        already = (held == entry_lane[:, None]).any(axis=1)
        request = zone & ~waiting_rule & leader_ok & safe_after & ~unused & ~already

        arrival = self.arrival[slots]
        renew = (entry_lane != self.asked_lane[slots]) | (arrival < 0)
        arrival = np.where(has_entry & renew, tick, arrival)
        arrival = np.where(has_entry, arrival, -1)
        self.asked_lane[slots] = entry_lane

        if request.any():
            self._grant(tick, request.nonzero()[0], held, unused, exit_lane, arrival, entry_lane, actor_ids,
                        plan, cur, ex, slots)
        self.held[slots] = held
        self.unused[slots] = unused
        self.first[slots] = np.where(unused, np.where(request & unused, entry_lane, self.first[slots]), -1)
        self.exit[slots] = exit_lane
        self.arrival[slots] = arrival
        must_wait = has_entry & ~(held == entry_lane[:, None]).any(axis=1)
        return np.where(must_wait, entry_s, np.inf)

    def _give_way_to_waiting(self, slots, held, unused, plan, v, ex, has_entry, entry_lane, lead_d, lead_slot):
        """A vehicle stopped right behind one that waits to enter a lane conflicting with the lanes it holds
        ahead lets those go and asks again after it: otherwise each would wait for the other for ever (long
        vehicles swinging in curves can block one another across lanes)."""
        g = self.graph
        ahead = (held >= 0) & held_in(held, plan[:, 1:])
        stuck = ((v < 0.1) & (lead_d < STUCK_GAP) & (lead_slot >= 0) & ahead.any(axis=1)).nonzero()[0]
        for k in stuck.tolist():
            b = int(slots.searchsorted(lead_slot[k]))
            if b >= len(slots) or slots[b] != lead_slot[k] or not has_entry[b]:
                continue
            if (held[b] == entry_lane[b]).any():
                continue                                   # the one in front may go: no wait
            matrix = g.conflict_long if max(ex[k], ex[b]) > LONG_VEHICLE else g.conflict
            mine = g.conflict_index[held[k][ahead[k]]]
            if matrix[g.conflict_index[entry_lane[b]], mine].any():
                held[k][ahead[k]] = -1
                unused[k] = False
                self.asked_lane[slots[k]] = -1             # its next request queues anew

    def _chains(self, plans, entry_lanes, lengths):
        """For requests along ``plans`` (one per row): the junction lanes each takes, from its entry lane
        through every link between junctions too short to hold a vehicle of its ``length`` (-1 padded),
        and the lane after them."""
        g = self.graph
        rows = np.arange(len(plans))
        padded = np.concatenate([plans, np.full((len(plans), 2), g.sentinel, dtype=plans.dtype)], axis=1)
        position = (plans == entry_lanes[:, None]).argmax(axis=1)
        chains = np.full((len(plans), CHAIN), -1, dtype=np.int64)
        chains[:, 0] = entry_lanes
        after = padded[rows, position + 1]
        going = np.ones(len(plans), dtype=bool)
        for column in range(1, CHAIN):
            following = padded[rows, position + 2]
            going &= (g.short_link[after] & (self.lane_room[after] < lengths + SAFE_AFTER_JUNCTION)
                      & (following != g.sentinel) & (g.lane_junction[following] >= 0))
            if not going.any():
                break
            chains[going, column] = following[going]
            position = np.where(going, position + 2, position)
            after = padded[rows, position + 1]
        return chains, after

    def _grant(self, tick, asked, held, unused, exit_lane, arrival, entry_lane, actor_ids, plan, cur, ex, slots):
        g = self.graph
        ci = g.conflict_index
        none = len(g.conflict) - 1                   # the conflict matrix's row of "no junction lane"
        lanes, exits = self._chains(plan[asked], entry_lane[asked], 2.0 * ex[asked])
        # Chains fill their columns from the first; past the longest one only "no lane" is left, which
        # conflicts with nothing.
        longest = int((lanes >= 0).sum(axis=1).max())
        chains = np.where(lanes[:, :longest] >= 0, ci[np.maximum(lanes[:, :longest], 0)], none)
        owner, column = (held >= 0).nonzero()
        taken = ci[held[owner, column]]
        # Long vehicles swing wide in turns: lanes close to each other conflict when either one is long.
        long = ex > LONG_VEHICLE
        either_long = long[asked][:, None] | long[owner][None, :]
        clash = np.where(either_long[:, None, :], g.conflict_long[chains[:, :, None], taken[None, None, :]],
                         g.conflict[chains[:, :, None], taken[None, None, :]]).any(axis=1)
        blocked = (clash & (owner[None, :] != asked[:, None])).any(axis=1)
        # A chain goes through its links without stopping: none may hold a vehicle that still has to wait
        # for its own way on...
        lane_now = plan[:, 0]
        some = held_columns(held)
        same = some[:, :, None] == plan[:, None, :]        # held lane c is plan lane j (-1 never is)
        goes_on = (same[:, :, 1:].any(axis=2) & (some >= 0)).any(axis=1)
        waiting_on = np.zeros(g.n_lanes + 1, dtype=bool)
        waiting_on[lane_now[~goes_on]] = True
        waiting_on[exit_lane[exit_lane >= 0]] = True             # ... or one granted into it
        links = np.where(lanes[:, 1:] >= 0, g.junction_exit[np.maximum(lanes[:, :-1], 0)], g.sentinel)
        links_clear = ~waiting_on[links].any(axis=1)
        blocked |= ~links_clear
        minor = self.minor[entry_lane[asked]]
        # A minor approach gives way, but not for ever: after a while it queues like everybody.
        gives_way = minor & (tick - arrival[asked] < MINOR_PATIENCE)
        order = np.lexsort((actor_ids[asked].astype(np.int64), arrival[asked], gives_way))
        rank = np.empty(len(asked), dtype=np.int64)
        rank[order] = np.arange(len(asked))
        earlier = rank[None, :] < rank[:, None]
        both_long = long[asked][:, None] | long[asked][None, :]
        crossing = np.where(both_long,
                            g.conflict_long[chains[:, :, None, None], chains[None, None, :, :]].any(axis=(1, 3)),
                            g.conflict[chains[:, :, None, None], chains[None, None, :, :]].any(axis=(1, 3)))
        # Room after the chain: from the lane's start to the rear of its last vehicle, less what the
        # vehicles granted into it but not on it yet need.
        room = self.lane_room.copy()
        np.minimum.at(room, lane_now, g.along[cur] - ex - g.seg.max())
        coming = exit_lane >= 0
        np.subtract.at(room, exit_lane[coming], 2.0 * ex[coming] + SAFE_AFTER_JUNCTION)
        # The links inside the chains already held are taken whole.
        on_plan = same.any(axis=1) & (plan != g.sentinel)
        through = on_plan[:, :-2] & on_plan[:, 2:]
        room[plan[:, 1:-1][through]] = -np.inf
        room[g.sentinel] = np.inf
        need = np.minimum(2.0 * ex[asked] + SAFE_AFTER_JUNCTION + np.where(minor, MINOR_RESERVE, 0.0),
                          self.lane_room[exits] - 0.5)
        # An earlier request holds back the later ones it conflicts with, unless it waits for room on
        # another lane than theirs or for a link to clear (it could wait on a vehicle that waits on them).
        holds_back = (((room[exits] >= need)[None, :] | (exits[None, :] == exits[:, None]))
                      & links_clear[None, :])
        blocked |= (crossing & earlier & holds_back).any(axis=1)
        for i in (~blocked).nonzero()[0][rank[~blocked].argsort(kind="stable")].tolist():
            lane = exits[i]
            if room[lane] < need[i]:
                continue
            room[lane] -= 2.0 * ex[asked[i]] + SAFE_AFTER_JUNCTION
            k = asked[i]
            free = (held[k] < 0).nonzero()[0]
            chain = lanes[i][lanes[i] >= 0][:len(free)]
            held[k, free[:len(chain)]] = chain
            unused[k] = True
            exit_lane[k] = lane if lane != g.sentinel else -1
