"""What is in the way of each autopiloted vehicle: the leader in its swept corridor, and traffic in the lane
it wants to change to. Vectorised over candidate pairs (agent, actor) from ``proximity.nearby_pairs``.

The corridor is the path ahead (lane-centre samples, moved by the vehicle's lateral offset while it
converges to the lane), as wide as the vehicle plus a margin; in curves it grows on the outer side by the
swing of the vehicle's front (about half length^2 * curvature / 2). An actor is in the way when its box
comes into the corridor ahead of the front bumper; walkers count where they will be during the next
moments (CARLA's walker time extension). Of two vehicles abreast, only the one behind gives way.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from engine.traffic.lane_graph import SPACING
from engine.traffic.proximity import band_entry, nearby_pairs

LATERAL_MARGIN = 0.3          # m added to the half width of the swept corridor
SIDE_CLEARANCE = 0.1          # m kept between the sides of two vehicles driving abreast in a curve
WALKER_MARGIN = 0.6           # m more around walkers
WALKER_TIME = 1.5             # s, walkers are checked along where they go this long
SHORT_REACH = 25.0            # m: leader reach of the agents whose pairs are tested on a shorter stretch
VERTICAL_OVERLAP = 4.0        # m, actors further apart in height never collide (bridges)
DEFAULT_EXTENT = (2.4, 1.0)
DEFAULT_WALKER_RADIUS = 0.3


class Extents:
    """Half length and width of every vehicle slot, radius of every walker slot, read once per actor."""

    def __init__(self):
        self.vehicle = np.zeros((0, 2))
        self._vehicle_id = np.zeros(0, dtype=np.uint32)
        self.walker = np.zeros(0)
        self._walker_id = np.zeros(0, dtype=np.uint32)

    def refresh(self, world) -> None:
        self.vehicle, self._vehicle_id = self._update(world, world.vehicle_ids, self.vehicle, self._vehicle_id,
                                                      np.array(DEFAULT_EXTENT), lambda e: e[:2])
        self.walker, self._walker_id = self._update(world, world.walker_ids, self.walker, self._walker_id,
                                                    DEFAULT_WALKER_RADIUS, lambda e: max(e[0], e[1]))

    @staticmethod
    def _update(world, ids, values, known, default, pick):
        if len(known) < len(ids):
            grown = np.zeros(len(ids), dtype=np.uint32)
            grown[:len(known)] = known
            more = np.empty((len(ids),) + values.shape[1:])
            more[:] = default
            more[:len(values)] = values
            values, known = more, grown
        for slot in (known[:len(ids)] != ids).nonzero()[0].tolist():
            actor = world.actors.get(int(ids[slot]))
            values[slot] = pick(actor.extent) if actor is not None and actor.extent[0] > 0 else default
            known[slot] = ids[slot]
        return values, known


@dataclasses.dataclass
class Actors:
    """Every vehicle and walker this tick as arrays: vehicles first (in slot order), then walkers."""
    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    cos: np.ndarray
    sin: np.ndarray
    half_length: np.ndarray
    half_width: np.ndarray
    vx: np.ndarray
    vy: np.ndarray
    bend: np.ndarray                 # curvature of the lane under an autopiloted vehicle, else 0
    slot: np.ndarray                 # vehicle slot, -1 for walkers
    ids: np.ndarray                  # actor ids
    is_vehicle: np.ndarray

    @classmethod
    def gather(cls, world, extents: Extents, bend_by_slot) -> "Actors":
        V, W = world.vehicles, world.walkers
        vs, ws = V.slots(), W.slots()
        wv = W.vel[ws]
        ahead = 0.5 * WALKER_TIME
        radius = extents.walker[ws]
        yaw_v = np.radians(V.rot[vs, 1])
        yaw_w = np.arctan2(wv[:, 1], wv[:, 0])
        return cls(
            x=np.concatenate([V.loc[vs, 0], W.loc[ws, 0] + wv[:, 0] * ahead]),
            y=np.concatenate([V.loc[vs, 1], W.loc[ws, 1] + wv[:, 1] * ahead]),
            z=np.concatenate([V.loc[vs, 2], W.loc[ws, 2]]),
            cos=np.concatenate([np.cos(yaw_v), np.cos(yaw_w)]),
            sin=np.concatenate([np.sin(yaw_v), np.sin(yaw_w)]),
            half_length=np.concatenate([extents.vehicle[vs, 0],
                                        radius + np.hypot(wv[:, 0], wv[:, 1]) * ahead + WALKER_MARGIN]),
            half_width=np.concatenate([extents.vehicle[vs, 1], radius + WALKER_MARGIN]),
            vx=np.concatenate([V.vel[vs, 0], wv[:, 0]]),
            vy=np.concatenate([V.vel[vs, 1], wv[:, 1]]),
            bend=np.concatenate([bend_by_slot(vs), np.zeros(len(ws))]),
            slot=np.concatenate([vs, np.full(len(ws), -1, dtype=np.int64)]),
            ids=np.concatenate([world.vehicle_ids[vs], world.walker_ids[ws]]).astype(np.int64),
            is_vehicle=np.arange(len(vs) + len(ws)) < len(vs),
        )


@dataclasses.dataclass
class Agents:
    """The driven vehicles this tick and their corridors (rows of the horizon arrays)."""
    slots: np.ndarray
    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    cos: np.ndarray
    sin: np.ndarray
    speed: np.ndarray
    half_length: np.ndarray
    half_width: np.ndarray
    s: np.ndarray                    # (n, H) distance along the path to each corridor sample
    valid: np.ndarray                # (n, H)
    tx: np.ndarray                   # (n, H) corridor samples
    ty: np.ndarray
    tcos: np.ndarray                 # (n, H) lane direction at each sample
    tsin: np.ndarray
    curvature: np.ndarray            # (n, H) signed, positive to the right
    off_centre: np.ndarray           # lateral offset from the lane centre (less the lane offset)


@dataclasses.dataclass
class Leaders:
    gap: np.ndarray                  # front bumper to the leader, inf for none
    speed: np.ndarray                # the leader's speed along the path
    slot: np.ndarray                 # its vehicle slot, -1 for a walker or none


def candidate_pairs(agents: Agents, actors: Actors, reach, ignore_vehicles, ignore_walkers, ignored, rows=None,
                    ahead=False):
    """Pairs (agent row, actor index) close enough to matter, without each agent itself, actors at another
    height, and what the agent ignores this tick (``ignored(a, o) -> keep mask`` for per-actor choices);
    only for the agent ``rows`` given, if any; with ``ahead``, only the actors find_leaders can count."""
    rows = np.arange(len(agents.slots)) if rows is None else rows
    radius = np.hypot(actors.half_length, actors.half_width)
    front = None
    if ahead:
        # find_leaders looks at actors reaching past the agent's front less a metre (lon + ext_lon > ex - 1)
        # or abreast with their centre ahead of the agent's (lon > 0); ext_lon is never more than the radius.
        cut = np.minimum(agents.half_length[rows] - 1.0, 0.0) - 1e-6
        front = (agents.cos[rows], agents.sin[rows], cut)
    a, o = nearby_pairs(agents.x[rows], agents.y[rows], reach[rows], actors.x, actors.y, radius, front)
    a = rows[a]
    keep = (actors.slot[o] != agents.slots[a]) & (np.abs(actors.z[o] - agents.z[a]) < VERTICAL_OVERLAP)
    keep &= ~np.where(actors.is_vehicle[o], ignore_vehicles[a], ignore_walkers[a])
    if ignored is not None:
        keep &= ignored(a, o)
    return a[keep], o[keep]


def find_leaders(agents: Agents, actors: Actors, a, o, lead_reach) -> Leaders:
    """The nearest actor in each agent's corridor within ``lead_reach``."""
    n = len(agents.slots)
    leaders = Leaders(np.full(n, np.inf), np.zeros(n), np.full(n, -1, dtype=np.int64))
    if len(a) == 0:
        return leaders
    # Only the corridor samples within the leader reach matter.
    furthest = agents.s.max(axis=0)
    columns = min(int(furthest.searchsorted(lead_reach.max())) + 2, agents.s.shape[1])
    tx, ty = agents.tx[:, :columns], agents.ty[:, :columns]
    s, valid = agents.s[:, :columns], agents.valid[:, :columns]
    tcos, tsin = agents.tcos[:, :columns], agents.tsin[:, :columns]
    ex, ey = agents.half_length, agents.half_width
    swing = 0.5 * (ex * ex)[:, None] * agents.curvature[:, :columns]
    band = ey + LATERAL_MARGIN

    # Cheap filter in each agent's own frame: the actor's box overlaps the box that holds the corridor.
    ca, sa = agents.cos[a], agents.sin[a]
    dx, dy = actors.x[o] - agents.x[a], actors.y[o] - agents.y[a]
    lon = dx * ca + dy * sa
    lat = dy * ca - dx * sa
    cos_rel = actors.cos[o] * ca + actors.sin[o] * sa
    sin_rel = actors.sin[o] * ca - actors.cos[o] * sa
    oex, oey = actors.half_length[o], actors.half_width[o]
    ext_lon = oex * np.abs(cos_rel) + oey * np.abs(sin_rel)
    ext_lat = oex * np.abs(sin_rel) + oey * np.abs(cos_rel)
    within = s < lead_reach[:, None]
    corridor_lat = (ty - agents.y[:, None]) * agents.cos[:, None] - (tx - agents.x[:, None]) * agents.sin[:, None]
    widest = band + np.where(within, np.abs(swing), 0.0).max(axis=1) + 1.0
    lat_low = np.where(within, corridor_lat, np.inf).min(axis=1) - widest
    lat_high = np.where(within, corridor_lat, -np.inf).max(axis=1) + widest
    near = ((lon + ext_lon > ex[a] - 1.0) & (lon - ext_lon < lead_reach[a])
            & (lat + ext_lat > lat_low[a]) & (lat - ext_lat < lat_high[a]))
    near &= (lon > 0.0) | ~actors.is_vehicle[o]          # of two abreast, the one behind gives way

    # Abreast in a curve, long bodies swing their ends toward each other: the one behind falls back when
    # the gap between their sides would close (only behind one that moves on: two waiting abreast could
    # be waiting for each other).
    abreast = (actors.is_vehicle[o] & (cos_rel > 0.5) & (lon > 0.0) & (lon - ext_lon < ex[a])).nonzero()[0]
    ba, bo = a[abreast], o[abreast]
    side_gap, bend = _side_gap(agents, actors, ba, bo, lat[abreast], ext_lat[abreast])
    moving = actors.vx[bo] * ca[abreast] + actors.vy[bo] * sa[abreast] > 1.0
    beside = abreast[moving & (bend > 0.01) & (side_gap < SIDE_CLEARANCE)]

    # The corridor samples against each box: a sample is blocked when the box comes within the corridor's
    # half width of it (grown to cover the corridor between samples; in curves moved outward by half the
    # swing and grown by the other half). Oncoming vehicles count without the margin: of two passing each
    # other, only the one whose body swings toward the other gives way.
    pa, po = a[near], o[near]
    sx, sy = tx + 0.5 * swing * tsin, ty - 0.5 * swing * tcos
    half = band[:, None] + 0.5 * np.abs(swing)
    half_oncoming = ey[:, None] + 0.5 * np.abs(swing)
    eligible = valid & (s > (ex - 1.0)[:, None]) & (s < lead_reach[:, None])
    oncoming = cos_rel[near] < -0.5
    # Agents looking far ahead are few: the pairs of the others are tested on their own, shorter stretch.
    short = min(int(furthest.searchsorted(SHORT_REACH)) + 2, columns)
    groups = [np.arange(len(pa))]
    if len(pa) > 2000 and short < columns:
        near_only = lead_reach[pa] <= SHORT_REACH
        groups = [near_only.nonzero()[0], (~near_only).nonzero()[0]]
    hit = np.zeros(len(pa), dtype=bool)
    j = np.zeros(len(pa), dtype=np.int64)
    for group, width in zip(groups, (short, columns) if len(groups) == 2 else (columns,)):
        ga, go = pa[group], po[group]
        rx = sx[ga, :width] - actors.x[go][:, None]
        ry = sy[ga, :width] - actors.y[go][:, None]
        oc, osn = actors.cos[go][:, None], actors.sin[go][:, None]
        qx = np.maximum(np.abs(rx * oc + ry * osn) - actors.half_length[go][:, None], 0.0)
        qy = np.maximum(np.abs(ry * oc - rx * osn) - actors.half_width[go][:, None], 0.0)
        reach = np.where(oncoming[group][:, None], half_oncoming[ga, :width], half[ga, :width])
        blocked = (qx * qx + qy * qy < reach * reach + (0.5 * SPACING) ** 2) & eligible[ga, :width]
        hit[group] = blocked.any(axis=1)
        j[group] = blocked.argmax(axis=1)
    pa, po, j = pa[hit], po[hit], j[hit]
    c, sn = agents.tcos[pa, j], agents.tsin[pa, j]
    rx, ry = actors.x[po] - tx[pa, j], actors.y[po] - ty[pa, j]
    entry = band_entry(rx * c + ry * sn, ry * c - rx * sn, actors.cos[po] * c + actors.sin[po] * sn,
                       actors.sin[po] * c - actors.cos[po] * sn, actors.half_length[po], actors.half_width[po],
                       band[pa])
    entry = np.where(np.isfinite(entry), np.maximum(entry, -0.5 * SPACING), 0.0)
    gap = s[pa, j] + entry - ex[pa]
    ahead = gap > -0.5                                    # actors beside the body are not in the way
    hit_a = [pa[ahead], a[beside]]
    hit_o = [po[ahead], o[beside]]
    gaps = [gap[ahead], np.zeros(len(beside))]
    speeds = [actors.vx[po[ahead]] * c[ahead] + actors.vy[po[ahead]] * sn[ahead], np.zeros(len(beside))]

    # Off the lane centre (changing lanes) the body still sweeps straight ahead for a moment.
    aside = near & (np.abs(agents.off_centre[a]) > 0.5)
    if aside.any():
        sa_, so = a[aside], o[aside]
        entry = band_entry(lon[aside], lat[aside], cos_rel[aside], sin_rel[aside], actors.half_length[so],
                           actors.half_width[so], band[sa_])
        gap = entry - ex[sa_]
        straight = np.isfinite(entry) & (gap > -0.5) & (gap < 3.0 + agents.speed[sa_])
        hit_a.append(sa_[straight])
        hit_o.append(so[straight])
        gaps.append(gap[straight])
        speeds.append(actors.vx[so[straight]] * agents.cos[sa_[straight]]
                      + actors.vy[so[straight]] * agents.sin[sa_[straight]])
    hit_a, hit_o = np.concatenate(hit_a), np.concatenate(hit_o)
    if len(hit_a) == 0:
        return leaders
    gap, speed = np.concatenate(gaps), np.concatenate(speeds)
    keep = _not_waiting_on_each_other(agents, actors, hit_a, hit_o, gap)
    hit_a, hit_o, gap, speed = hit_a[keep], hit_o[keep], gap[keep], speed[keep]
    np.minimum.at(leaders.gap, hit_a, gap)
    nearest = gap == leaders.gap[hit_a]
    leaders.speed[hit_a[nearest]] = speed[nearest]
    leaders.slot[hit_a[nearest]] = actors.slot[hit_o[nearest]]
    return leaders


def _side_gap(agents: Agents, actors: Actors, a, o, lat, ext_lat) -> tuple:
    """(gap between the sides of agents ``a`` and actors ``o`` side by side, less how far their ends swing
    toward each other in a curve; that curvature): ``lat`` is the actor's centre across the agent's heading,
    ``ext_lat`` its half extent across it."""
    bend = np.maximum(np.abs(agents.curvature[a, 0]), actors.bend[o])
    swing = 0.5 * (agents.half_length[a] ** 2 + actors.half_length[o] ** 2) * bend
    gap = np.abs(lat) - ext_lat - agents.half_width[a] - swing
    return gap, bend


def _not_waiting_on_each_other(agents: Agents, actors: Actors, hit_a, hit_o, gap) -> np.ndarray:
    """Of two oncoming vehicles standing in each other's way (each a hazard of the other: wide bodies on
    narrow roads) that can still pass each other, the one with the larger actor id looks past the other;
    else both would wait for ever."""
    keep = np.ones(len(hit_a), dtype=bool)
    # The cheap tests first, on all hits; the geometry only for the few close, slow, facing vehicles.
    close = (actors.is_vehicle[hit_o] & (gap < 2.0)).nonzero()[0]
    slot_o = actors.slot[hit_o[close]]
    other_row = np.minimum(agents.slots.searchsorted(slot_o), len(agents.slots) - 1)
    me = hit_a[close]
    is_agent = agents.slots[other_row] == slot_o
    facing = agents.cos[me] * agents.cos[other_row] + agents.sin[me] * agents.sin[other_row] < -0.5
    slow = (agents.speed[me] < 0.5) & (agents.speed[other_row] < 0.5)
    pick = (is_agent & facing & slow).nonzero()[0]
    if len(pick) == 0:
        return keep
    close, me, other_row = close[pick], me[pick], other_row[pick]
    o = hit_o[close]
    # Only where they can pass: their sides clear of each other across the road, swing in curves included.
    ca, sa = agents.cos[me], agents.sin[me]
    dx, dy = actors.x[o] - agents.x[me], actors.y[o] - agents.y[me]
    cos_rel = actors.cos[o] * ca + actors.sin[o] * sa
    sin_rel = actors.sin[o] * ca - actors.cos[o] * sa
    ext_lat = actors.half_length[o] * np.abs(sin_rel) + actors.half_width[o] * np.abs(cos_rel)
    passing = _side_gap(agents, actors, me, o, dy * ca - dx * sa, ext_lat)[0] > SIDE_CLEARANCE
    if not passing.any():
        return keep
    candidate, me, other_row = close[passing], me[passing], other_row[passing]
    pairs = set(zip(me.tolist(), other_row.tolist()))
    own_ids = actors.ids[actors.slot[actors.is_vehicle].searchsorted(agents.slots)]
    for i, mine, other in zip(candidate.tolist(), me.tolist(), other_row.tolist()):
        if (other, mine) in pairs and own_ids[mine] > own_ids[other]:
            keep[i] = False
    return keep


def target_lane_free(candidates, side, width, agents: Agents, actors: Actors, a, o) -> np.ndarray:
    """For the agents in ``candidates`` (rows) changing lanes to ``side`` (-1 left, +1 right): no vehicle in
    the target lane within the gaps a lane change needs, ahead and behind."""
    position = np.full(len(agents.slots), -1, dtype=np.int64)
    position[candidates] = np.arange(len(candidates))
    pick = position[a] >= 0
    a, o = a[pick], o[pick]
    k = position[a]
    ca, sa = agents.cos[a], agents.sin[a]
    dx, dy = actors.x[o] - agents.x[a], actors.y[o] - agents.y[a]
    lon = dx * ca + dy * sa
    lat = dy * ca - dx * sa
    other_speed = actors.vx[o] * ca + actors.vy[o] * sa
    v = agents.speed[a]
    in_lane = np.abs(lat - side[k] * width[k]) < 0.5 * width[k] + actors.half_width[o]
    front_gap = 5.0 + np.maximum(v - other_speed, 0.0) * 2.0
    rear_gap = 5.0 + np.maximum(other_speed - v, 0.0) * 3.0
    reach = agents.half_length[a] + actors.half_length[o]
    blocking = in_lane & (lon < reach + front_gap) & (lon > -reach - rear_gap)
    free = np.ones(len(candidates), dtype=bool)
    free[k[blocking]] = False
    return free
