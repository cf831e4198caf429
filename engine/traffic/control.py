"""Longitudinal and lateral control of the autopilot: IDM car following, pedals, pure pursuit steering.

All functions work on arrays over the driven vehicles; the pedals go straight into the world's vehicle
control arrays, which the physics integrates like any client's controls.
"""
from __future__ import annotations

import math

import numpy as np

A_MAX = 2.5                   # m/s^2, IDM acceleration
B_COMFORT = 3.0               # m/s^2, IDM comfortable deceleration
HEADWAY = 1.0                 # s, IDM time gap to the leader
STOP_HEADWAY = 0.4            # s, time gap kept to a stop line while approaching it
MIN_LEADER_GAP = 0.5          # m, never closer than this to the leader's bumper


def idm_acceleration(v, v0, lead_d, lead_v, s0, gap_stop, b_max):
    """Acceleration from the intelligent driver model with a leader (gap ``lead_d``, speed ``lead_v``,
    wanted gap ``s0``) and a standing stop point (gap ``gap_stop``), never braking less than the kinematic
    minimum to stop in time; inf gaps mean none."""
    root = 2.0 * math.sqrt(A_MAX * B_COMFORT)
    free = 1.0 - (v / np.maximum(v0, 0.1)) ** 4
    free = np.where(v0 < 0.1, -1.0, free)
    has_lead = np.isfinite(lead_d)
    has_stop = np.isfinite(gap_stop)
    desired_lead = s0 + np.maximum(0.0, v * HEADWAY + v * (v - lead_v) / root)
    lead_term = np.where(has_lead, desired_lead / np.maximum(lead_d, 0.05), 0.0) ** 2
    desired_stop = 0.3 + np.maximum(0.0, v * STOP_HEADWAY + v * v / root)
    stop_term = np.where(has_stop, desired_stop / np.maximum(gap_stop, 0.05), 0.0) ** 2
    accel = A_MAX * (free - np.maximum(lead_term, stop_term))
    # Kinematics: the deceleration that stops in the room left (the leader may brake as hard as we can).
    leader_room = lead_d + np.maximum(lead_v, 0.0) ** 2 / (2.0 * b_max) - MIN_LEADER_GAP * 0.5
    need_lead = np.where(has_lead, v * v / (2.0 * np.maximum(leader_room, 0.01)), 0.0)
    need_stop = np.where(has_stop, v * v / (2.0 * np.maximum(gap_stop + 0.3, 0.01)), 0.0)
    need = np.maximum(need_lead, need_stop)
    accel = np.where(need > 0.5 * B_COMFORT, np.minimum(accel, -need), accel)
    touching = (lead_d < 0.1) | (gap_stop < -0.3)
    accel = np.where(touching, -b_max, accel)
    return np.clip(accel, -b_max, A_MAX)


def pure_pursuit_steer(px, py, cos_y, sin_y, target_x, target_y, wheelbase, max_steer):
    """Steer (-1..1, positive to the right) that puts the vehicle on the arc through the target point."""
    dx, dy = target_x - px, target_y - py
    forward = dx * cos_y + dy * sin_y
    side = dy * cos_y - dx * sin_y
    curvature = 2.0 * side / np.maximum(forward * forward + side * side, 1.0)
    steer = np.arctan(curvature * wheelbase) / max_steer
    steer = np.where(forward > 0.0, steer, np.sign(side))
    return np.clip(steer, -1.0, 1.0)


def apply_pedals(vehicles, slots, v, accel, steer) -> None:
    """Write the throttle or brake that gives ``accel`` under each vehicle's own drive, drag and brake
    model (VehicleState's parameters), and the steer, into the vehicles' control arrays."""
    V = vehicles
    mass = V.p_mass[slots]
    ratios = V.p_ratios[slots]
    # The gear the automatic box will pick this tick, as the physics picks it.
    fits = v[:, None] * V.p_rpm_per_mps[slots] <= V.p_up_rpm[slots][:, None]
    fits |= V._last_gear_mask[slots]
    ratio = ratios[np.arange(len(slots)), fits.argmax(axis=1)]
    force = np.minimum(V.p_force[slots] * ratio / ratios[:, 0], V.p_power[slots] / np.maximum(v, 1.0))
    engine_brake = V.p_engine_brake[slots]
    natural = V.p_drag[slots] / mass * v * v + V.p_roll[slots]
    throttle = (accel + natural + engine_brake) / (force / mass + engine_brake)
    brake = (natural + engine_brake - accel) / V.p_brake[slots]
    coasting_enough = accel < -natural - engine_brake
    throttle = np.where(coasting_enough, 0.0, np.clip(throttle, 0.0, 1.0))
    brake = np.where(coasting_enough, np.clip(brake, 0.0, 1.0), 0.0)
    standing = (v < 0.05) & (accel <= 0.0)
    V.throttle[slots] = np.where(standing, 0.0, throttle)
    V.brake[slots] = np.where(standing, 1.0, brake)
    V.steer[slots] = steer
    V.hand_brake[slots] = False
    V.reverse[slots] = False
    V.manual_gear_shift[slots] = False
