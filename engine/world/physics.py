"""Vectorised vehicle and walker physics.

All vehicles (and all walkers) live in numpy arrays indexed by slot. One call of ``step`` moves every
simulated actor of a kind with a fixed number of array operations: no Python loop over actors.

Vehicle model: a kinematic bicycle driven by an engine force through a gearbox.

- Drive force: ``throttle * min(max_engine_force * ratio / first_ratio, max_power / |v|)``, along the
  heading, backwards when ``reverse`` is set (or a manual gear below zero is engaged). The automatic
  gearbox picks the lowest gear whose engine speed is under the up-shift point.
- Resistance: aerodynamic drag ``0.5 * rho * Cd * A * v^2``, rolling resistance, engine braking when
  the throttle is released, service brake and hand brake. They all act toward zero speed and never
  reverse the motion, so a braked vehicle stops and stays stopped.
- Steering: the front wheels turn toward ``steer * max_steer`` at a finite rate; the yaw rate is
  ``v / wheelbase * tan(wheel_angle)``, capped by the tyres' lateral grip. Left-handed frame: positive
  steer turns right, which increases yaw.
- Ground: the actor origin sits on the road (``z = ground_z(x, y)``); pitch and roll follow the
  ground height sampled under the axles and the sides (zero on flat ground).

Coordinates follow CARLA: x forward, y right, z up, metres; rotations (pitch, yaw, roll) in degrees.
Same inputs give bit-identical outputs: only element-wise numpy operations in a fixed order.
"""
from __future__ import annotations

import dataclasses
import heapq
import math
from typing import Callable, Tuple

import numpy as np

GRAVITY = 9.81
AIR_DENSITY = 1.225
MAX_GEARS = 8

GroundZ = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclasses.dataclass(frozen=True)
class VehicleParams:
    """Physical parameters of one vehicle model (SI units, angles in degrees)."""
    wheelbase: float = 2.8
    max_steer_deg: float = 35.0              # front-wheel angle at full steer
    mass: float = 1500.0
    max_engine_force: float = 6000.0         # N at the wheels in first gear, full throttle
    max_brake_decel: float = 8.0             # m/s^2 at full brake
    drag_coefficient: float = 0.3
    max_rpm: float = 6000.0
    forward_gear_ratios: Tuple[float, ...] = (3.6, 2.2, 1.5, 1.1, 0.9)
    final_ratio: float = 4.0
    number_of_wheels: int = 4
    max_power: float = 110e3                 # W: caps the drive force at speed
    frontal_area: float = 2.2                # m^2
    rolling_resistance: float = 0.015        # dimensionless coefficient
    engine_brake_decel: float = 0.4          # m/s^2 when coasting in gear
    hand_brake_decel: float = 6.0            # m/s^2 at full hand brake
    steer_rate_deg: float = 120.0            # how fast the front wheels turn, deg/s
    max_lateral_accel: float = 8.0           # tyre grip limit on v * yaw_rate, m/s^2
    max_speed: float = 50.0                  # m/s
    max_reverse_speed: float = 12.0          # m/s
    wheel_radius: float = 0.35               # m
    track_width: float = 1.6                 # m
    up_shift_ratio: float = 0.85             # fraction of max_rpm at which the gearbox shifts up
    down_shift_ratio: float = 0.5
    use_gear_autobox: bool = True
    gear_switch_time: float = 0.5
    clutch_strength: float = 10.0
    moi: float = 1.0                         # engine moment of inertia, kg m^2
    center_of_mass: Tuple[float, float, float] = (0.0, 0.0, 0.0)
    tire_friction: float = 3.5
    steering_curve: Tuple[Tuple[float, float], ...] = ((0.0, 1.0), (20.0, 0.9), (60.0, 0.8), (120.0, 0.7))

    def __post_init__(self):
        for f in dataclasses.fields(self):
            if f.type == "float":
                object.__setattr__(self, f.name, float(getattr(self, f.name)))
        object.__setattr__(self, "forward_gear_ratios", tuple(float(r) for r in self.forward_gear_ratios))
        object.__setattr__(self, "center_of_mass", tuple(float(c) for c in self.center_of_mass))
        object.__setattr__(self, "steering_curve", tuple((float(x), float(y)) for x, y in self.steering_curve))
        if not 1 <= len(self.forward_gear_ratios) <= MAX_GEARS:
            raise ValueError(f"forward_gear_ratios needs 1 to {MAX_GEARS} gears")
        if self.mass <= 0 or self.wheelbase <= 0 or self.wheel_radius <= 0:
            raise ValueError("mass, wheelbase and wheel_radius must be positive")


def _clean(value: float, low: float, high: float) -> float:
    """Clamp a control input to its range; NaN becomes zero."""
    value = float(value)
    if value != value:
        return 0.0
    return min(max(value, low), high)


def _wrap_degrees(angle: np.ndarray) -> np.ndarray:
    return np.mod(angle + 180.0, 360.0) - 180.0


class _SlotArrays:
    """Slot bookkeeping shared by vehicles and walkers: growth by doubling, freed-slot reuse."""

    def __init__(self, capacity: int):
        self._capacity = 0
        self._free: list = []
        self._high_water = 0                  # slots [0, high_water) have been handed out
        self._grow(max(1, capacity))

    @property
    def capacity(self) -> int:
        return self._capacity

    @property
    def count(self) -> int:
        return int(self.alive[:self._high_water].sum())

    def _fields(self) -> dict:
        """name -> (trailing shape, dtype, fill value) of every per-slot array; each kind defines its own."""
        raise NotImplementedError(f"{type(self).__name__} must define its per-slot arrays")

    def _grow(self, capacity: int) -> None:
        for name, (shape, dtype, fill) in self._fields().items():
            new = np.full((capacity,) + shape, fill, dtype=dtype)
            old = getattr(self, name, None)
            if old is not None:
                new[:len(old)] = old
            setattr(self, name, new)
        self._capacity = capacity

    def _take_slot(self) -> int:
        if self._free:
            return heapq.heappop(self._free)
        if self._high_water == self._capacity:
            self._grow(self._capacity * 2)
        self._high_water += 1
        return self._high_water - 1

    def _reset_slot(self, slot: int) -> None:
        for name, (_shape, _dtype, fill) in self._fields().items():
            getattr(self, name)[slot] = fill

    def _check(self, slot: int) -> None:
        if not (0 <= slot < self._high_water and self.alive[slot]):
            raise KeyError(f"no live slot {slot}")

    def remove(self, slot: int) -> None:
        self._check(slot)
        self._reset_slot(slot)
        heapq.heappush(self._free, slot)

    def slots(self) -> np.ndarray:
        """Indices of the live slots, ascending."""
        return self.alive[:self._high_water].nonzero()[0]

    def set_transform(self, slot: int, loc, rot) -> None:
        self._check(slot)
        self.loc[slot] = loc
        self.rot[slot] = rot

    _FROZEN: tuple = ()                      # fields a step must not change for slots without physics
    _STILL: tuple = ("vel", "angvel", "acc")  # fields zeroed for them

    def _freeze(self, idle: np.ndarray):
        return idle, [getattr(self, name)[idle] for name in self._FROZEN]

    def _restore(self, frozen) -> None:
        """Slots without physics (or free) keep their pose and have no motion."""
        idle, saved = frozen
        for name, values in zip(self._FROZEN, saved):
            getattr(self, name)[idle] = values
        for name in self._STILL:
            getattr(self, name)[idle] = 0.0

    def set_simulate_physics(self, slot: int, on: bool) -> None:
        """Off freezes the actor where it is, as CARLA does."""
        self._check(slot)
        self.simulate_physics[slot] = bool(on)
        if not on:
            self.vel[slot] = 0.0
            self.angvel[slot] = 0.0
            self.acc[slot] = 0.0


class VehicleState(_SlotArrays):
    """All vehicles as arrays indexed by slot; grows by doubling."""

    def __init__(self, capacity: int = 64, sample_slope: bool = True):
        self.sample_slope = sample_slope
        self.params: list = []
        super().__init__(capacity)

    def _fields(self) -> dict:
        d = VehicleParams()
        f8, b1, i4 = np.float64, np.bool_, np.int32
        return {
            "loc": ((3,), f8, 0.0), "rot": ((3,), f8, 0.0), "vel": ((3,), f8, 0.0),
            "angvel": ((3,), f8, 0.0), "acc": ((3,), f8, 0.0),
            "throttle": ((), f8, 0.0), "steer": ((), f8, 0.0), "brake": ((), f8, 0.0),
            "hand_brake": ((), b1, False), "reverse": ((), b1, False), "manual_gear_shift": ((), b1, False),
            "gear": ((), i4, 0), "gear_command": ((), i4, 0),
            "speed": ((), f8, 0.0), "wheel_angle": ((), f8, 0.0),
            "alive": ((), b1, False), "simulate_physics": ((), b1, True),
            "constant_velocity": ((3,), f8, 0.0), "constant_velocity_on": ((), b1, False),
            "pending_angvel": ((3,), f8, 0.0), "pending_angvel_on": ((), b1, False),
            # Per-slot parameters; free slots keep harmless values so whole-range maths stays finite.
            "p_wheelbase": ((), f8, d.wheelbase), "p_max_steer": ((), f8, math.radians(d.max_steer_deg)),
            "p_steer_rate": ((), f8, math.radians(d.steer_rate_deg)), "p_mass": ((), f8, d.mass),
            "p_force": ((), f8, d.max_engine_force), "p_power": ((), f8, d.max_power),
            "p_brake": ((), f8, d.max_brake_decel), "p_hand_brake": ((), f8, d.hand_brake_decel),
            "p_drag": ((), f8, 0.0), "p_roll": ((), f8, 0.0), "p_engine_brake": ((), f8, 0.0),
            "p_max_speed": ((), f8, d.max_speed), "p_max_reverse": ((), f8, d.max_reverse_speed),
            "p_lateral": ((), f8, d.max_lateral_accel), "p_track": ((), f8, d.track_width),
            "p_max_rpm": ((), f8, d.max_rpm), "p_up_rpm": ((), f8, d.max_rpm),
            "p_num_gears": ((), i4, 1), "p_ratios": ((MAX_GEARS,), f8, 1.0),
            "p_rpm_per_mps": ((MAX_GEARS,), f8, 0.0),
        }

    def _grow(self, capacity: int) -> None:
        super()._grow(capacity)
        self.params.extend([None] * (capacity - len(self.params)))
        self._rows = np.arange(capacity)
        self._last_gear_mask = np.arange(MAX_GEARS) >= self.p_num_gears[:, None] - 1

    # -- actors ---------------------------------------------------------------------------------------

    def add(self, loc, rot, params: VehicleParams) -> int:
        slot = self._take_slot()
        self._reset_slot(slot)
        self.alive[slot] = True
        self.loc[slot] = loc
        self.rot[slot] = rot
        self.set_params(slot, params)
        return slot

    def remove(self, slot: int) -> None:
        super().remove(slot)
        self.params[slot] = None

    def set_params(self, slot: int, p: VehicleParams) -> None:
        """Load a model's parameters into the slot (spawn, or apply_physics_control)."""
        self._check(slot)
        self.params[slot] = p
        ratios = np.asarray(p.forward_gear_ratios, dtype=np.float64)
        n = len(ratios)
        self.p_wheelbase[slot] = p.wheelbase
        self.p_max_steer[slot] = math.radians(p.max_steer_deg)
        self.p_steer_rate[slot] = math.radians(p.steer_rate_deg)
        self.p_mass[slot] = p.mass
        self.p_force[slot] = p.max_engine_force
        self.p_power[slot] = p.max_power
        self.p_brake[slot] = p.max_brake_decel
        self.p_hand_brake[slot] = p.hand_brake_decel
        self.p_drag[slot] = 0.5 * AIR_DENSITY * p.drag_coefficient * p.frontal_area
        self.p_roll[slot] = p.rolling_resistance * GRAVITY
        self.p_engine_brake[slot] = p.engine_brake_decel
        self.p_max_speed[slot] = p.max_speed
        self.p_max_reverse[slot] = p.max_reverse_speed
        self.p_lateral[slot] = p.max_lateral_accel
        self.p_track[slot] = p.track_width
        self.p_max_rpm[slot] = p.max_rpm
        self.p_up_rpm[slot] = p.max_rpm * p.up_shift_ratio
        self.p_num_gears[slot] = n
        self._last_gear_mask[slot] = np.arange(MAX_GEARS) >= n - 1
        self.p_ratios[slot, :n] = ratios
        self.p_ratios[slot, n:] = ratios[-1]
        # Engine rpm per m/s of road speed in each gear.
        self.p_rpm_per_mps[slot] = self.p_ratios[slot] * p.final_ratio / p.wheel_radius * 60.0 / (2.0 * math.pi)

    # -- commands ------------------------------------------------------------------------------------

    def set_control(self, slot: int, throttle=0.0, steer=0.0, brake=0.0, hand_brake=False, reverse=False,
                    manual_gear_shift=False, gear=0) -> None:
        """Store a VehicleControl, clamped to CARLA's ranges (NaN becomes zero)."""
        self._check(slot)
        self.throttle[slot] = _clean(throttle, 0.0, 1.0)
        self.steer[slot] = _clean(steer, -1.0, 1.0)
        self.brake[slot] = _clean(brake, 0.0, 1.0)
        self.hand_brake[slot] = bool(hand_brake)
        self.reverse[slot] = bool(reverse)
        self.manual_gear_shift[slot] = bool(manual_gear_shift)
        self.gear_command[slot] = int(_clean(gear, -1, MAX_GEARS))
        if manual_gear_shift:
            self.gear[slot] = self.gear_command[slot]

    def set_target_velocity(self, slot: int, v_world) -> None:
        """Set the velocity now; the kinematic model keeps its component along the heading."""
        self._check(slot)
        v = np.asarray(v_world, dtype=np.float64)
        pitch, yaw = np.radians(self.rot[slot, 0]), np.radians(self.rot[slot, 1])
        forward = np.array([np.cos(pitch) * np.cos(yaw), np.cos(pitch) * np.sin(yaw), np.sin(pitch)])
        self.vel[slot] = v
        self.speed[slot] = float(v @ forward)

    def set_target_angular_velocity(self, slot: int, w_deg) -> None:
        """Spin the vehicle at this rate (deg/s) during the next step; steering takes over after."""
        self._check(slot)
        self.angvel[slot] = w_deg
        self.pending_angvel[slot] = w_deg
        self.pending_angvel_on[slot] = True

    def enable_constant_velocity(self, slot: int, v_local) -> None:
        self._check(slot)
        self.constant_velocity[slot] = v_local
        self.constant_velocity_on[slot] = True

    def disable_constant_velocity(self, slot: int) -> None:
        self._check(slot)
        self.constant_velocity_on[slot] = False

    # -- simulation ----------------------------------------------------------------------------------

    def step(self, dt: float, ground_z: GroundZ, substeps: int = 1) -> None:
        """Advance all vehicles by dt, integrating in `substeps` equal parts."""
        substeps = max(int(substeps), 1)
        h = self._high_water
        if h == 0 or dt <= 0:
            return
        active = self.alive[:h] & self.simulate_physics[:h]
        all_active = bool(active.all())
        if not all_active and not active.any():
            return
        frozen = None if all_active else self._freeze((~active).nonzero()[0])
        v = self.speed[:h]
        throttle = self.throttle[:h]
        mass = self.p_mass[:h]
        ratios = self.p_ratios[:h]
        rpm_per_mps = self.p_rpm_per_mps[:h]
        rows = self._rows[:h]

        # Gearbox: the lowest gear under the up-shift rpm (automatic) or the commanded one (manual).
        abs_v = np.abs(v)
        fits = abs_v[:, None] * rpm_per_mps <= self.p_up_rpm[:h, None]
        fits |= self._last_gear_mask[:h]
        index = fits.argmax(axis=1)
        manual = self.manual_gear_shift[:h]
        if manual.any():
            gear_cmd = self.gear_command[:h]
            reverse = self.reverse[:h] | (manual & (gear_cmd < 0))
            neutral = manual & (gear_cmd == 0) & ~reverse
            chosen = manual & (gear_cmd > 0)
            index = np.where(chosen, np.minimum(gear_cmd, self.p_num_gears[:h]) - 1, index)
        else:
            reverse, neutral, chosen = self.reverse[:h], None, None
        index[reverse] = 0
        ratio = ratios[rows, index]
        drive = throttle * np.minimum(self.p_force[:h] * ratio / ratios[:, 0],
                                      self.p_power[:h] / np.maximum(abs_v, 1.0))
        coast = (1.0 - throttle) * self.p_engine_brake[:h]
        if neutral is not None:
            over_rev = chosen & (abs_v * rpm_per_mps[rows, index] > self.p_max_rpm[:h])
            drive[neutral | over_rev] = 0.0
            coast[neutral] = 0.0

        # Substeps repeat only the integration; the gear and the drive force hold for the whole tick.
        h_dt = dt / substeps
        resist_fixed = (self.p_roll[:h] + self.brake[:h] * self.p_brake[:h]
                        + self.hand_brake[:h] * self.p_hand_brake[:h] + coast)
        push = np.where(reverse, -drive, drive) * (h_dt / mass)
        drag = self.p_drag[:h] / mass
        v_min, v_max = -self.p_max_reverse[:h], self.p_max_speed[:h]
        wheel = self.wheel_angle[:h]
        wheel_new = wheel
        target_wheel = self.steer[:h] * self.p_max_steer[:h]
        turn_limit = self.p_steer_rate[:h] * h_dt
        lateral, wheelbase = self.p_lateral[:h], self.p_wheelbase[:h]
        loc, rot = self.loc[:h], self.rot[:h]
        yaw = np.radians(rot[:, 1])
        yaw_now = yaw
        v_now = v
        dx = np.zeros(h)
        dy = np.zeros(h)
        for _ in range(substeps):
            # Longitudinal: push, then resistances toward zero that never flip the motion.
            pushed = v_now + push
            resist = drag * (v_now * v_now) + resist_fixed
            v_new = np.copysign(np.maximum(np.abs(pushed) - resist * h_dt, 0.0), pushed) + 0.0
            v_new = np.minimum(np.maximum(v_new, v_min), v_max)
            # Steering at a finite rate; bicycle yaw rate capped by lateral grip.
            wheel_new = wheel_new + np.minimum(np.maximum(target_wheel - wheel_new, -turn_limit), turn_limit)
            v_mean = 0.5 * (v_now + v_new)
            grip = lateral / np.maximum(np.abs(v_mean), 0.1)
            omega = np.minimum(np.maximum(v_mean * np.tan(wheel_new) / wheelbase, -grip), grip)
            heading = yaw_now + (0.5 * h_dt) * omega
            step_len = v_mean * h_dt
            dx += step_len * np.cos(heading)
            dy += step_len * np.sin(heading)
            yaw_now = yaw_now + omega * h_dt
            v_now = v_new
        omega = (yaw_now - yaw) / dt
        pending = self.pending_angvel_on[:h]
        if pending.any():
            omega = np.where(pending, np.radians(self.pending_angvel[:h, 2]), omega)
            pending[:] = False

        cv_on = self.constant_velocity_on[:h]
        any_cv = bool(cv_on.any())
        if any_cv:
            cv = self.constant_velocity[:h]
            cos_y, sin_y = np.cos(yaw), np.sin(yaw)
            dx = np.where(cv_on, (cv[:, 0] * cos_y - cv[:, 1] * sin_y) * dt, dx)
            dy = np.where(cv_on, (cv[:, 0] * sin_y + cv[:, 1] * cos_y) * dt, dy)
            omega = np.where(cv_on, 0.0, omega)
            v_new = np.where(cv_on, cv[:, 0], v_new)

        yaw_deg = _wrap_degrees(rot[:, 1] + np.degrees(omega * dt))
        yaw_new = np.radians(yaw_deg)
        cos_y, sin_y = np.cos(yaw_new), np.sin(yaw_new)
        x_new = loc[:, 0] + dx
        y_new = loc[:, 1] + dy
        z_new, pitch, roll = self._ground_pose(x_new, y_new, cos_y, sin_y, ground_z, h)

        vel = self.vel[:h]
        old_vel = vel.copy()
        if pitch is None:
            vel[:, 0] = v_new * cos_y
            vel[:, 1] = v_new * sin_y
            vel[:, 2] = 0.0
            rot[:, 0] = 0.0
            rot[:, 2] = 0.0
        else:
            along = v_new * np.cos(pitch)
            vel[:, 0] = along * cos_y
            vel[:, 1] = along * sin_y
            vel[:, 2] = v_new * np.sin(pitch)
            np.degrees(pitch, out=rot[:, 0])
            np.degrees(roll, out=rot[:, 2])
        if any_cv:
            vel[cv_on, 0] = dx[cv_on] / dt
            vel[cv_on, 1] = dy[cv_on] / dt
            vel[cv_on, 2] = 0.0
        np.subtract(vel, old_vel, out=self.acc[:h])
        self.acc[:h] /= dt
        loc[:, 0] = x_new
        loc[:, 1] = y_new
        loc[:, 2] = z_new
        rot[:, 1] = yaw_deg
        angvel = self.angvel[:h]
        angvel[:, :2] = 0.0
        np.degrees(omega, out=angvel[:, 2])
        v[:] = v_new
        wheel[:] = wheel_new
        gear = index + 1
        if neutral is not None:
            gear[neutral] = 0
        gear[reverse] = -1
        self.gear[:h] = gear
        if frozen is not None:
            self._restore(frozen)

    _FROZEN = ("loc", "rot", "speed", "wheel_angle", "gear", "pending_angvel_on")
    _STILL = ("vel", "angvel", "acc", "speed")

    def _ground_pose(self, x, y, cos_y, sin_y, ground_z: GroundZ, h: int):
        """Height of the origin on the road, and pitch/roll (radians) from the ground under the wheels.

        Pitch and roll are None when slope sampling is off (flat pose)."""
        if not self.sample_slope:
            return np.asarray(ground_z(x, y), dtype=np.float64), None, None
        half_l = 0.5 * self.p_wheelbase[:h]
        half_t = 0.5 * self.p_track[:h]
        fx, fy = cos_y * half_l, sin_y * half_l          # half wheelbase along the heading
        sx, sy = -sin_y * half_t, cos_y * half_t         # half track toward the right (+y local)
        # Rows: centre, front axle, rear axle, left side, right side.
        xs = np.empty((5, h))
        ys = np.empty((5, h))
        xs[0], ys[0] = x, y
        np.add(x, fx, out=xs[1]); np.add(y, fy, out=ys[1])
        np.subtract(x, fx, out=xs[2]); np.subtract(y, fy, out=ys[2])
        np.subtract(x, sx, out=xs[3]); np.subtract(y, sy, out=ys[3])
        np.add(x, sx, out=xs[4]); np.add(y, sy, out=ys[4])
        z = np.asarray(ground_z(xs.reshape(-1), ys.reshape(-1)), dtype=np.float64).reshape(5, h)
        pitch = np.arctan2(z[1] - z[2], self.p_wheelbase[:h])
        roll = np.arctan2(z[3] - z[4], self.p_track[:h])
        return z[0], pitch, roll


class WalkerState(_SlotArrays):
    """All walkers as arrays indexed by slot; grows by doubling.

    A walker moves along its control direction (normalised in the ground plane) at
    ``min(speed, max_speed)``, turns to face where it goes, and hops ballistically when ``jump`` is set.
    ``z_offset`` is the height of the actor origin above the ground (0: origin at the feet).
    """

    TURN_RATE_DEG = 720.0
    JUMP_SPEED = 4.2              # m/s upward at take-off

    def __init__(self, capacity: int = 64):
        super().__init__(capacity)

    def _fields(self) -> dict:
        f8, b1 = np.float64, np.bool_
        return {
            "loc": ((3,), f8, 0.0), "rot": ((3,), f8, 0.0), "vel": ((3,), f8, 0.0),
            "angvel": ((3,), f8, 0.0), "acc": ((3,), f8, 0.0),
            "direction": ((3,), f8, 0.0), "speed": ((), f8, 0.0), "jump": ((), b1, False),
            "max_speed": ((), f8, 10.0), "z_offset": ((), f8, 0.0),
            "vz": ((), f8, 0.0), "airborne": ((), b1, False),
            "pending_velocity": ((3,), f8, 0.0), "pending_velocity_on": ((), b1, False),
            "alive": ((), b1, False), "simulate_physics": ((), b1, True),
        }

    def add(self, loc, rot, max_speed: float = 10.0, z_offset: float = 0.0) -> int:
        slot = self._take_slot()
        self._reset_slot(slot)
        self.alive[slot] = True
        self.loc[slot] = loc
        self.rot[slot] = rot
        self.max_speed[slot] = max_speed
        self.z_offset[slot] = z_offset
        return slot

    def set_control(self, slot: int, direction=(0.0, 0.0, 0.0), speed=0.0, jump=False) -> None:
        """Store a WalkerControl (NaN becomes zero, speed is never negative)."""
        self._check(slot)
        self.direction[slot] = [_clean(c, -1e9, 1e9) for c in direction]
        self.speed[slot] = _clean(speed, 0.0, 1e9)
        self.jump[slot] = bool(jump)

    def set_max_speed(self, slot: int, max_speed: float) -> None:
        self._check(slot)
        self.max_speed[slot] = _clean(max_speed, 0.0, 1e9)

    def set_target_velocity(self, slot: int, v_world) -> None:
        """Move at this velocity during the next step; control takes over after."""
        self._check(slot)
        self.vel[slot] = v_world
        self.pending_velocity[slot] = v_world
        self.pending_velocity_on[slot] = True

    def step(self, dt: float, ground_z: GroundZ) -> None:
        h = self._high_water
        if h == 0 or dt <= 0:
            return
        active = self.alive[:h] & self.simulate_physics[:h]
        all_active = bool(active.all())
        if not all_active and not active.any():
            return
        frozen = None if all_active else self._freeze((~active).nonzero()[0])
        d = self.direction[:h, :2]
        norm = np.hypot(d[:, 0], d[:, 1])
        moving = norm > 1e-9
        pace = np.where(moving, np.minimum(self.speed[:h], self.max_speed[:h]) / np.where(moving, norm, 1.0), 0.0)
        vx, vy = d[:, 0] * pace, d[:, 1] * pace
        pending = self.pending_velocity_on[:h]
        if pending.any():
            vx = np.where(pending, self.pending_velocity[:h, 0], vx)
            vy = np.where(pending, self.pending_velocity[:h, 1], vy)
            self.pending_velocity_on[:h] = False

        loc, rot = self.loc[:h], self.rot[:h]
        x_new = loc[:, 0] + vx * dt
        y_new = loc[:, 1] + vy * dt

        # Face the walking direction, turning at a finite rate.
        heading = np.hypot(vx, vy) > 1e-9
        turn = _wrap_degrees(np.degrees(np.arctan2(vy, vx)) - rot[:, 1])
        limit = self.TURN_RATE_DEG * dt
        yaw_new = np.where(heading, _wrap_degrees(rot[:, 1] + np.clip(turn, -limit, limit)), rot[:, 1])

        # Ballistic hop; on the ground otherwise.
        airborne = self.airborne[:h]
        take_off = self.jump[:h] & ~airborne
        vz = np.where(take_off, self.JUMP_SPEED, self.vz[:h])
        flying = airborne | take_off
        ground = np.asarray(ground_z(x_new, y_new), dtype=np.float64) + self.z_offset[:h]
        z_air = loc[:, 2] + vz * dt - 0.5 * GRAVITY * dt * dt
        vz_next = vz - GRAVITY * dt
        landed = flying & (z_air <= ground) & (vz_next < 0.0)
        still_flying = flying & ~landed
        z_new = np.where(still_flying, z_air, ground)
        vz_new = np.where(still_flying, vz_next, 0.0)

        vel = self.vel[:h]
        old_vel = vel.copy()
        vel[:, 0] = vx
        vel[:, 1] = vy
        vel[:, 2] = np.where(flying, 0.5 * (vz + vz_new), 0.0)
        np.subtract(vel, old_vel, out=self.acc[:h])
        self.acc[:h] /= dt
        angvel = self.angvel[:h]
        angvel[:, :2] = 0.0
        angvel[:, 2] = _wrap_degrees(yaw_new - rot[:, 1]) / dt
        loc[:, 0] = x_new
        loc[:, 1] = y_new
        loc[:, 2] = z_new
        rot[:, 1] = yaw_new
        self.vz[:h] = vz_new
        airborne[:] = still_flying
        if frozen is not None:
            self._restore(frozen)

    _FROZEN = ("loc", "rot", "vz", "airborne", "pending_velocity_on")
