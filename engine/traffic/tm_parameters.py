"""Traffic Manager parameters: per-vehicle arrays indexed by physics slot, plus the TM-wide globals.

Per-vehicle values that CARLA keeps "unset until a setter is called" use NaN here, so the driver can
fall back to the global value with ``np.where(np.isnan(a), global, a)`` over all slots at once.
Defaults follow CARLA's trafficmanager/Constants.h and Parameters.h.
"""

from __future__ import annotations

import numpy as np

from engine.traffic import slot_arrays

DEFAULT_GLOBAL_SPEED_DIFFERENCE_PCT = 30.0   # SpeedThreshold::INITIAL_PERCENTAGE_SPEED_DIFFERENCE
DEFAULT_GLOBAL_DISTANCE_TO_LEADER = 2.0      # Parameters::distance_margin
DEFAULT_HYBRID_RADIUS = 70.0                 # Parameters::hybrid_physics_radius
DEFAULT_RESPAWN_BOUNDS = (100.0, 1000.0)     # Parameters::respawn_lower_bound / respawn_upper_bound
DEFAULT_SYNC_TIMEOUT_MS = 2000.0             # Networking::TM_TIMEOUT

# Route options as CARLA's TrafficManagerRemote accepts them (strings on the Python side).
ROUTE_OPTIONS = ("Void", "Left", "Right", "Straight", "LaneFollow", "ChangeLaneLeft", "ChangeLaneRight",
                 "RoadEnd")

# name -> (trailing shape, dtype, default) of every per-slot array
_SLOT_FIELDS = {name: ((), dtype, fill) for name, (dtype, fill) in {
    "registered": (np.bool_, False),                # on autopilot with this Traffic Manager
    "actor_id": (np.uint32, 0),
    "speed_difference_pct": (np.float64, np.nan),   # NaN: use global_speed_difference_pct
    "desired_speed": (np.float64, np.nan),          # m/s; NaN: follow the speed limit rule
    "distance_to_leader": (np.float64, np.nan),     # m; NaN: use global_distance_to_leader
    "lane_offset": (np.float64, np.nan),            # m, positive to the right; NaN: use global_lane_offset
    "ignore_lights_pct": (np.float64, 0.0),
    "ignore_signs_pct": (np.float64, 0.0),
    "ignore_vehicles_pct": (np.float64, 0.0),
    "ignore_walkers_pct": (np.float64, 0.0),
    "keep_right_pct": (np.float64, 0.0),
    "random_left_pct": (np.float64, 0.0),
    "random_right_pct": (np.float64, 0.0),
    "auto_lane_change": (np.bool_, True),
    # False when this vehicle ignores at least one other actor; ignored_actors says which.
    "collision_detection": (np.bool_, True),
    "force_lane_change": (np.int8, 0),              # -1 left, +1 right, 0 none; the driver clears it
    "update_vehicle_lights": (np.bool_, False),
    "lateral_avoidance": (np.bool_, False),
}.items()}


class TrafficParameters:
    """Per-vehicle and global Traffic Manager parameters shared by the TM calls and the driver."""

    def __init__(self, capacity: int = 64):
        self._capacity = 0
        self._grow(max(1, capacity))
        self.path: dict[int, list[tuple[float, float, float]]] = {}   # slot -> custom path points
        self.route: dict[int, list[str]] = {}                         # slot -> route option strings
        self.ignored_actors: dict[int, set[int]] = {}                 # slot -> actor ids it ignores
        self.global_speed_difference_pct = DEFAULT_GLOBAL_SPEED_DIFFERENCE_PCT
        self.global_distance_to_leader = DEFAULT_GLOBAL_DISTANCE_TO_LEADER
        self.global_lane_offset = 0.0
        self.global_lateral_avoidance = False
        self.seed: int | None = None
        self.synchronous = False
        self.synchronous_timeout_ms = DEFAULT_SYNC_TIMEOUT_MS
        self.hybrid_physics = False
        self.hybrid_radius = DEFAULT_HYBRID_RADIUS
        self.osm_mode = True
        self.respawn_dormant = False
        self.respawn_bounds = DEFAULT_RESPAWN_BOUNDS
        self.respawn_max_bounds = DEFAULT_RESPAWN_BOUNDS

    @property
    def capacity(self) -> int:
        return self._capacity

    def _grow(self, capacity: int) -> None:
        slot_arrays.grow(self, _SLOT_FIELDS, capacity)
        self._capacity = capacity

    def ensure(self, slot: int) -> None:
        """Make the arrays long enough to hold ``slot``."""
        if slot >= self._capacity:
            self._grow(slot_arrays.capacity_for(self._capacity, slot))

    def reset_slot(self, slot: int) -> None:
        """Put every per-vehicle value of ``slot`` back to its default."""
        self.ensure(slot)
        slot_arrays.reset(self, _SLOT_FIELDS, slot)
        self.path.pop(slot, None)
        self.route.pop(slot, None)
        self.ignored_actors.pop(slot, None)

    def claim(self, slot: int, actor_id: int) -> None:
        """Make ``slot`` hold ``actor_id``'s values. A slot left by a destroyed vehicle is reset first;
        values set before registration are kept (CARLA stores them by actor id)."""
        self.ensure(slot)
        if self.actor_id[slot] != actor_id:
            self.reset_slot(slot)
            self.actor_id[slot] = actor_id

    def release(self, slot: int) -> None:
        """The vehicle in ``slot`` is gone: forget all its values."""
        if slot < self._capacity:
            self.reset_slot(slot)

    def copy_globals_from(self, other: "TrafficParameters") -> None:
        """Carry the TM-wide settings over to a new episode's parameters."""
        for name, value in vars(other).items():
            if name.startswith("_") or name in _SLOT_FIELDS or name in ("path", "route", "ignored_actors"):
                continue
            setattr(self, name, value)

    def registered_slots(self) -> np.ndarray:
        return self.registered.nonzero()[0]

    def set_collision_detection(self, slot: int, other_actor_id: int, detect: bool) -> None:
        ignored = self.ignored_actors.setdefault(slot, set())
        if detect:
            ignored.discard(other_actor_id)
        else:
            ignored.add(other_actor_id)
        if not ignored:
            del self.ignored_actors[slot]
        self.collision_detection[slot] = slot not in self.ignored_actors

    def detects_collision(self, slot: int, other_actor_id: int) -> bool:
        return other_actor_id not in self.ignored_actors.get(slot, ())

    def target_speed(self, speed_limit: np.ndarray, slots: np.ndarray) -> np.ndarray:
        """Target speed (m/s) of ``slots`` for their current speed limits (m/s), as CARLA's rule:
        an exact desired speed wins, otherwise limit * (1 - pct/100) with the per-vehicle or global pct."""
        pct = self.speed_difference_pct[slots]
        pct = np.where(np.isnan(pct), self.global_speed_difference_pct, pct)
        by_limit = np.asarray(speed_limit, dtype=np.float64) * (1.0 - pct / 100.0)
        desired = self.desired_speed[slots]
        return np.where(np.isnan(desired), by_limit, desired)

    def leader_distance(self, slots: np.ndarray) -> np.ndarray:
        d = self.distance_to_leader[slots]
        return np.where(np.isnan(d), self.global_distance_to_leader, d)

    def lane_offsets(self, slots: np.ndarray) -> np.ndarray:
        o = self.lane_offset[slots]
        return np.where(np.isnan(o), self.global_lane_offset, o)
