"""Contacts between vehicles, walkers and the town's static props, found and resolved every tick.

After the physics step every vehicle and walker is an upright box turned by its yaw. A grid broad phase
finds the pairs that may touch (moving with moving, moving with the props' boxes), a swept
separating-axis test the ones that touched during the step. Each contact is resolved at once: the boxes
are pushed apart along the contact normal (in inverse proportion to their masses; props and actors
without physics do not move) and the velocity with which they approach each other along the normal is
removed, as a perfectly inelastic impulse. A vehicle driven into a wall stops at it; one driven into a
parked car pushes it along.

``world.collision_events`` lists, for the last tick, (actor id, other actor id, normal impulse (x, y, z)) of
every contact that began in it, once from each side (the other id is 0 for a prop, as CARLA reports a
building, or the traffic light's for the post of one). Contacts that go on from one tick to the next are not
reported again.
"""
from __future__ import annotations

import numpy as np

from engine.map.props import PropBoxes, prop_boxes, town_props
from engine.world import obb
from engine.world.world import WALKER_MASS_KG

CONTACT_SLOP = 0.02          # m: boxes this close count as still touching (a resting contact goes on)
STATIC_CELL = 4.0            # m: grid cell of the props' broad phase
STATIC_MARGIN = 4.0          # m: how far from its centre a moving box's swept bounds may reach before a rebuild
_PROP_BIT = np.int64(1) << 31  # the "other" half of a contact key: actor id, or this bit + prop index
_NO_CONTACTS = (np.zeros(0, np.int64), np.zeros((0, 2)))
# Columns of the box table (CollisionSystem._box_table): swept bounds, centre, half extents, axis, step
# displacement, height interval, inverse mass and ground velocity.
_LO, _HI, _CENTER, _HALF = slice(0, 2), slice(2, 4), slice(4, 6), slice(6, 8)
_COS, _SIN, _DISP, _Z_LO, _Z_HI, _INV, _VEL = 8, 9, slice(10, 12), 12, 13, 14, slice(15, 17)
_COLUMNS = 17
_LO_X, _LO_Y = range(_LO.start, _LO.stop)       # the single columns of those slices
_HI_X, _HI_Y = range(_HI.start, _HI.stop)
_VEL_X, _VEL_Y = range(_VEL.start, _VEL.stop)
# CARLA's "static.<tag>" names of the props' semantic tags.
_STATIC_NAMES = {3: "building", 4: "wall", 5: "fence", 6: "pole", 9: "vegetation"}


class Bodies:
    """The moving side of one tick, as arrays: every live vehicle, then every live walker."""

    def __init__(self, ids, kind_vehicle, slots, center, z_lo, z_hi, half, yaw, start, vel, inv_mass):
        self.ids = ids                    # (n,) actor ids
        self.is_vehicle = kind_vehicle    # (n,) bool
        self.slots = slots                # (n,) slot in the vehicle or walker arrays
        self.center = center              # (n, 2) x, y at the end of the step
        self.z_lo, self.z_hi = z_lo, z_hi
        self.half = half                  # (n, 2)
        self.yaw = yaw                    # (n,) degrees
        self.start = start                # (n, 2) x, y before the step
        self.vel = vel                    # (n, 3)
        self.inv_mass = inv_mass          # (n,) 0 for actors without physics

    def __len__(self) -> int:
        return len(self.ids)


class CollisionSystem:
    """Per-world collision state: the props' boxes, the contacts of the last tick and the events."""

    def __init__(self, world, actor_wire=None):
        self.world = world
        self.actor_wire = actor_wire      # service's rpc::Actor encoder; None outside a server
        self._props: PropBoxes = None
        self._grid: obb.StaticGrid = None
        self._static: dict = {}
        self._contacts = np.zeros(0, np.int64)       # sorted keys of the contacts of the last tick
        self._start = {"vehicle": np.zeros((0, 2)), "walker": np.zeros((0, 2))}
        self._roster_key, self._roster_value = None, None
        self._table, self._table_props, self._table_for = None, 0, None
        self._static_pairs_kept = None    # (grid, cells of the bodies, (body, prop) pairs) of the last tick
        self.event_others: list = []
        self.disabled: set = set()        # actor ids whose collisions set_actor_collisions turned off

    # -- props ----------------------------------------------------------------------------------------------
    @property
    def props(self) -> PropBoxes:
        """The props' boxes, planned on first use (the town's layout is shared with the renderer)."""
        if self._props is None:
            props = prop_boxes(town_props(self.world.town))
            cos, sin = obb.cos_sin(props.yaw)
            lo, hi = obb.aabb(props.center[:, :2], props.half[:, :2], cos, sin)
            self._static = {
                "center": props.center[:, :2], "half": props.half[:, :2], "cos": cos, "sin": sin, "lo": lo, "hi": hi,
                "z_lo": props.center[:, 2] - props.half[:, 2], "z_hi": props.center[:, 2] + props.half[:, 2]}
            self._props = props
        return self._props

    def prop_actor(self, index: int):
        """The actor a prop belongs to: the traffic light of a traffic-light post; None for the others."""
        signal_id = self.props.signal_id[index]
        lights = self.world.traffic_lights
        if not signal_id or lights is None or signal_id not in lights.sign_ids:
            return None
        return self.world.actors.get(int(lights.actor_ids[lights.sign_ids.index(signal_id)]))

    def prop_wire(self, index: int) -> list:
        """rpc::Actor of a prop: its actor's (a traffic light), else as CARLA serialises an actor it does not
        register: id 0, type 'static.<tag>'."""
        actor = self.prop_actor(index)
        if actor is not None:
            return self.wire_of(actor)
        tag = int(self.props.tag[index])
        hx, hy, hz = (float(v) for v in self.props.half[index])
        box = [[0.0, 0.0, hz], [hx, hy, hz], [0.0, 0.0, 0.0], 0]
        return [0, 0, [0, "static." + _STATIC_NAMES.get(tag, "unknown"), []], box, bytes([tag]), b""]

    def other_wire(self, other_key: int) -> list:
        """rpc::Actor of the other side of a contact key (an actor, or a prop)."""
        if other_key & _PROP_BIT:
            return self.prop_wire(int(other_key & ~_PROP_BIT))
        return self.wire_of(self.world.actors[int(other_key)])

    def wire_of(self, actor) -> list:
        if self.actor_wire is not None:
            return self.actor_wire(actor)
        return [actor.id, actor.parent_id, actor.description, actor.bounding_box_wire(), actor.semantic_tags, b""]

    # -- the tick ---------------------------------------------------------------------------------------------
    def before_physics(self, world, dt: float) -> None:
        world.collision_events = []
        self.event_others = []
        self._start["vehicle"] = world.vehicles.loc[:, :2].copy()
        self._start["walker"] = world.walkers.loc[:, :2].copy()

    def after_physics(self, world, dt: float) -> None:
        bodies = self.bodies(moved=True)
        keys, impulses = self._resolve(bodies, dt) if len(bodies) else _NO_CONTACTS
        known = self._contacts
        at = np.minimum(known.searchsorted(keys), max(len(known) - 1, 0))
        began = (known[at] != keys) if len(known) else np.ones(len(keys), bool)
        self._contacts = keys
        events, others = [], []
        for k in began.nonzero()[0]:
            a, other = int(keys[k] >> 32), int(keys[k] & 0xFFFFFFFF)
            impulse = (float(impulses[k, 0]), float(impulses[k, 1]), 0.0)
            if other & _PROP_BIT:
                owner = self.prop_actor(int(other & ~_PROP_BIT))
                events.append((a, 0 if owner is None else owner.id, impulse))
            else:
                events.append((a, other, impulse))
            others.append(other)
            if not other & _PROP_BIT:
                events.append((other, a, (-impulse[0], -impulse[1], 0.0)))
                others.append(a)
        world.collision_events = events
        self.event_others = others      # the other side of each event as a contact key (props by index)

    def bodies(self, moved: bool = False) -> Bodies:
        """Every live vehicle and walker as boxes (``moved``: with where it stood before the step)."""
        roster = self._roster()
        if roster is None:
            empty2 = np.zeros((0, 2))
            return Bodies(np.zeros(0, np.int64), np.zeros(0, bool), np.zeros(0, np.int64), empty2, np.zeros(0),
                          np.zeros(0), empty2, np.zeros(0), empty2, np.zeros((0, 3)), np.zeros(0))
        ids, is_vehicle, slots, half, z_offset, inv_mass, parts = roster
        moving = []
        for kind, state, rows in parts:
            kind_slots = slots[rows]
            loc = state.loc[kind_slots]
            start = self._start[kind]
            start = start[kind_slots] if moved and len(start) > kind_slots.max() else loc[:, :2]
            moving.append((loc, state.rot[kind_slots, 1], start, state.vel[kind_slots]))
        loc, yaw, start, vel = moving[0] if len(moving) == 1 else [np.concatenate(c) for c in zip(*moving)]
        base = loc[:, 2] - z_offset                     # a vehicle's origin is on the ground, a walker's mid-body
        return Bodies(ids, is_vehicle, slots, loc[:, :2], base, base + 2 * half[:, 2], half[:, :2], yaw, start, vel,
                      inv_mass)

    def _roster(self):
        """What changes only when actors come, go or change: (ids, is-vehicle, slots, half extents, z offset of the
        origin, inverse masses, [(kind, state, rows of that kind)]), or None without bodies; rebuilt when the
        live slots, their actors, masses, physics switches or the disabled set change."""
        world = self.world
        key = (world.vehicles.alive.tobytes(), world.vehicles.simulate_physics.tobytes(), world.vehicle_ids.tobytes(),
               world.vehicles.p_mass.tobytes(), world.walkers.alive.tobytes(),
               world.walkers.simulate_physics.tobytes(), world.walker_ids.tobytes(), frozenset(self.disabled))
        if key == self._roster_key:
            return self._roster_value
        columns = []
        for kind, state, ids in (("vehicle", world.vehicles, world.vehicle_ids),
                                 ("walker", world.walkers, world.walker_ids)):
            slots = state.slots()
            if self.disabled:
                slots = slots[~np.isin(ids[slots].astype(np.int64), np.fromiter(self.disabled, np.int64))]
            if len(slots) == 0:
                continue
            half = np.array([world.actors[int(i)].extent if int(i) in world.actors else (0.0, 0.0, 0.0)
                             for i in ids[slots]], dtype=np.float64).reshape(-1, 3)
            mass = state.p_mass[slots] if kind == "vehicle" else np.full(len(slots), WALKER_MASS_KG)
            columns.append((kind, state, ids[slots].astype(np.int64), slots, half,
                            np.zeros(len(slots)) if kind == "vehicle" else half[:, 2],
                            np.where(state.simulate_physics[slots], 1.0 / mass, 0.0)))
        value = None
        if columns:
            sizes = np.cumsum([0] + [len(c[2]) for c in columns])
            parts = [(c[0], c[1], np.arange(sizes[k], sizes[k + 1])) for k, c in enumerate(columns)]
            ids, slots, half, z_offset, inv_mass = (np.concatenate([c[i] for c in columns]) for i in range(2, 7))
            is_vehicle = np.concatenate([np.full(len(c[2]), c[0] == "vehicle") for c in columns])
            value = (ids, is_vehicle, slots, half, z_offset, inv_mass, parts)
        self._roster_key, self._roster_value = key, value
        return value

    # -- detection and response --------------------------------------------------------------------------------
    def _resolve(self, b: Bodies, dt: float) -> tuple:
        """Find this step's contacts, push the boxes apart, remove approaching velocity.

        Returns the sorted contact keys (lower actor id << 32 | other) and the normal impulse on the first."""
        n = len(b)
        table, props = self._box_table(n)
        moving = table[props:]
        cos, sin = obb.cos_sin(b.yaw)
        lo, hi = obb.aabb(b.center, b.half, cos, sin)
        disp = b.center - b.start
        moving[:, _LO] = np.minimum(lo, lo - disp) - CONTACT_SLOP          # bounds of the whole sweep
        moving[:, _HI] = np.maximum(hi, hi - disp) + CONTACT_SLOP
        moving[:, _CENTER] = b.center
        moving[:, _COS], moving[:, _SIN] = cos, sin
        moving[:, _DISP] = disp
        moving[:, _Z_LO], moving[:, _Z_HI] = b.z_lo, b.z_hi
        moving[:, _VEL] = b.vel[:, :2]
        lo, hi = moving[:, _LO], moving[:, _HI]
        grid = self._static_grid(0.5 * float((hi - lo).max()))
        i, j = obb.moving_pairs(lo, hi)
        p, q = self._static_pairs(lo, hi, grid)
        # Table rows: the props (which do not move and never give way), then the moving boxes.
        first, second = np.concatenate([i, p]) + props, np.concatenate([j + props, q])
        a, o = table[first], table[second]
        keep = (((a[:, _INV] + o[:, _INV]) > 0) & (a[:, _Z_LO] < o[:, _Z_HI]) & (o[:, _Z_LO] < a[:, _Z_HI])
                & (a[:, _LO_X] <= o[:, _HI_X]) & (a[:, _LO_Y] <= o[:, _HI_Y])
                & (o[:, _LO_X] <= a[:, _HI_X]) & (o[:, _LO_Y] <= a[:, _HI_Y]))
        if not keep.any():
            return _NO_CONTACTS
        first, second, a, o = first[keep], second[keep], a[keep], o[keep]
        contacts = obb.swept_contacts(a[:, _CENTER], a[:, _HALF], a[:, _COS], a[:, _SIN], a[:, _DISP],
                                      o[:, _CENTER], o[:, _HALF], o[:, _COS], o[:, _SIN], o[:, _DISP],
                                      slop=CONTACT_SLOP)
        hit = contacts.hit
        if not hit.any():
            return _NO_CONTACTS
        first, second, normal = first[hit], second[hit], contacts.normal[hit]
        a, o = a[hit], o[hit]
        inv_a, inv_b = a[:, _INV], o[:, _INV]
        inv_total = inv_a + inv_b
        closing = ((o[:, _VEL_X] - a[:, _VEL_X]) * normal[:, 0]
                   + (o[:, _VEL_Y] - a[:, _VEL_Y]) * normal[:, 1])   # < 0: closing in
        impulse = np.where(closing < 0, -closing / inv_total, 0.0)              # on the second; minus it on the first
        push = np.maximum(contacts.depth[hit], 0.0) / inv_total                 # split in inverse proportion to mass

        # Each body's share of every contact, summed (props' shares land in their rows and are dropped): the
        # position shift and the velocity change, each along the contact normal, as four columns per row.
        rows = np.concatenate([first, second])
        normals = np.concatenate([normal, normal])
        weights = np.empty((len(rows), 4))
        weights[:, :2] = normals * np.concatenate([-push * inv_a, push * inv_b])[:, None]
        weights[:, 2:] = normals * np.concatenate([-impulse * inv_a, impulse * inv_b])[:, None]
        cells = (rows[:, None] * 4 + np.arange(4)).ravel()
        change = np.bincount(cells, weights.ravel(), 4 * len(table)).reshape(-1, 4)[props:]
        touched = (change != 0.0).any(axis=1).nonzero()[0]
        if len(touched):
            self._apply(b, touched, change[touched, :2], change[touched, 2:], dt)

        # Contact keys name the lower actor id first (props always second); the impulse is the one on it.
        a_id = b.ids[first - props]
        is_moving = second >= props
        other = np.where(is_moving, b.ids[np.maximum(second - props, 0)], second | _PROP_BIT)
        on_first = -impulse[:, None] * normal
        swap = is_moving & (other < a_id)
        a_id, other = np.where(swap, other, a_id), np.where(swap, a_id, other)
        on_first[swap] *= -1.0
        keys = (a_id << 32) | other
        order = keys.argsort(kind="stable")
        return keys[order], on_first[order]

    def _static_pairs(self, lo, hi, grid) -> tuple:
        """obb.static_pairs, kept from the last tick while every body's centre stays in its grid cell."""
        cells = obb.static_cells(lo, hi, grid)
        kept = self._static_pairs_kept
        if kept is None or kept[0] is not grid or not np.array_equal(kept[1], cells):
            kept = self._static_pairs_kept = (grid, cells, obb.static_pairs_in(cells, grid))
        return kept[2]

    def _box_table(self, n: int) -> tuple:
        """(table, number of prop rows): one row of _COLUMNS per prop, then one per moving body; the props'
        rows and the moving bodies' half extents and inverse masses are written when the roster changes,
        the rest of the moving rows every tick."""
        self.props
        roster = self._roster_value
        if self._table_for is not roster:
            s = self._static
            props = len(s["lo"])
            table = np.zeros((props + n, _COLUMNS))
            table[:props, _LO], table[:props, _HI] = s["lo"], s["hi"]
            table[:props, _CENTER], table[:props, _HALF] = s["center"], s["half"]
            table[:props, _COS], table[:props, _SIN] = s["cos"], s["sin"]
            table[:props, _Z_LO], table[:props, _Z_HI] = s["z_lo"], s["z_hi"]
            table[props:, _HALF] = roster[3][:, :2]
            table[props:, _INV] = roster[5]
            self._table, self._table_props, self._table_for = table, props, roster
        return self._table, self._table_props

    def _static_grid(self, reach: float) -> obb.StaticGrid:
        """The props' grid, rebuilt with a wider margin when a moving box reaches further than it allows."""
        self.props
        if self._grid is None or reach > self._grid.margin:
            margin = max(STATIC_MARGIN, 2.0 * reach)
            self._grid = obb.StaticGrid.build(self._static["lo"], self._static["hi"], STATIC_CELL, margin)
        return self._grid

    def _apply(self, b: Bodies, rows: np.ndarray, shift: np.ndarray, dv: np.ndarray, dt: float) -> None:
        """Move the bodies of ``rows`` by ``shift`` and change their velocity by ``dv`` (both (k, 2))."""
        for is_vehicle, state in ((True, self.world.vehicles), (False, self.world.walkers)):
            mine = b.is_vehicle[rows] == is_vehicle
            if not mine.any():
                continue
            slots = b.slots[rows[mine]]
            state.loc[slots, :2] += shift[mine]
            old = state.vel[slots]
            if is_vehicle:
                # The vehicle model keeps only the speed along the heading: project the new velocity on it.
                pitch, yaw = np.radians(state.rot[slots, 0]), np.radians(state.rot[slots, 1])
                cos_p, cos_y, sin_y = np.cos(pitch), np.cos(yaw), np.sin(yaw)
                speed = state.speed[slots] + (dv[mine, 0] * cos_y + dv[mine, 1] * sin_y) / np.maximum(cos_p, 1e-6)
                state.speed[slots] = speed
                vel = np.empty_like(old)
                vel[:, 0] = speed * cos_p * cos_y
                vel[:, 1] = speed * cos_p * sin_y
                vel[:, 2] = speed * np.sin(pitch)
            else:
                vel = old.copy()
                vel[:, :2] += dv[mine]
            state.vel[slots] = vel
            if dt > 0:
                state.acc[slots] += (vel - old) / dt


def attach(service, world) -> None:
    """Give a new world its collision system (service.actor_wire encodes the actors of the events)."""
    system = CollisionSystem(world, actor_wire=getattr(service, "actor_wire", None))
    world.collisions = system
    world.before_physics.append(system.before_physics)
    world.after_physics.append(system.after_physics)


def register_calls(service) -> None:
    """set_actor_collisions; collisions themselves reach clients through the sensors and the recorder."""
    from engine.server import wire
    from engine.server.rpc import VOID

    def set_actor_collisions(actor_id, enabled):
        world = service.world
        actor = world.physical_actor(wire.integer(actor_id, "actor id"))
        disabled = world.collisions.disabled
        if wire.boolean(enabled, "enabled"):
            disabled.discard(actor.id)
        else:
            disabled.add(actor.id)

    service.dispatcher.register("set_actor_collisions", set_actor_collisions, VOID)
