"""CARLA 0.9.16 rpc::VehiclePhysicsControl on the wire, built from and folded back into VehicleParams.

Layout (msgpack arrays, fields in declaration order, as MSGPACK_DEFINE_ARRAY of the 0.9.16 LibCarla
headers ``rpc/VehiclePhysicsControl.h``, ``rpc/WheelPhysicsControl.h``, ``rpc/GearPhysicsControl.h``;
the field set matches the attributes of ``carla.VehiclePhysicsControl`` in the 0.9.16 wheel)::

    VehiclePhysicsControl = [
      0  torque_curve                      [Vector2D, ...]   Vector2D = [x, y]: engine rpm, torque N m
      1  max_rpm                           float
      2  moi                               float             engine moment of inertia, kg m^2
      3  damping_rate_full_throttle        float
      4  damping_rate_zero_throttle_clutch_engaged     float
      5  damping_rate_zero_throttle_clutch_disengaged  float
      6  use_gear_autobox                  bool
      7  gear_switch_time                  float             s
      8  clutch_strength                   float
      9  final_ratio                       float
      10 forward_gears                     [GearPhysicsControl, ...]
      11 mass                              float             kg
      12 drag_coefficient                  float
      13 center_of_mass                    Vector3D = [x, y, z]
      14 steering_curve                    [Vector2D, ...]   speed (km/h), steering factor
      15 wheels                            [WheelPhysicsControl, ...]
      16 use_sweep_wheel_collision         bool
    ]
    GearPhysicsControl  = [ratio, down_ratio, up_ratio]
    WheelPhysicsControl = [tire_friction, damping_rate, max_steer_angle (deg), radius (cm),
                           max_brake_torque (N m), max_handbrake_torque (N m), lat_stiff_max_load,
                           lat_stiff_value, long_stiff_value, position (Vector3D, world, cm)]

Wheels are listed front-left, front-right, rear-left, rear-right (front, rear for two-wheelers);
only the front wheels steer and only the rear ones take the hand brake. center_of_mass is sent as
the offset from the actor origin in metres.
"""
from __future__ import annotations

import dataclasses
import math
from numbers import Real

from engine.world.physics import VehicleParams

# CARLA's PhysX defaults for the values our model does not use.
_DAMPING_FULL_THROTTLE = 0.15
_DAMPING_ZERO_ENGAGED = 2.0
_DAMPING_ZERO_DISENGAGED = 0.35
_WHEEL_DAMPING = 0.25
_LAT_STIFF_MAX_LOAD = 2.0
_LAT_STIFF_VALUE = 17.0
_LONG_STIFF_VALUE = 1000.0

N_FIELDS = 17
N_WHEEL_FIELDS = 10


def _peak_torque(p: VehicleParams) -> float:
    """Engine torque that gives max_engine_force at the wheels in first gear."""
    return p.max_engine_force * p.wheel_radius / (p.forward_gear_ratios[0] * p.final_ratio)


def _torque_curve(p: VehicleParams) -> list:
    """Flat torque up to the rpm where max_power is reached, constant power above."""
    torque = _peak_torque(p)
    omega_max = p.max_rpm * 2.0 * math.pi / 60.0
    knee_rpm = p.max_power / torque * 60.0 / (2.0 * math.pi)
    if knee_rpm >= p.max_rpm:
        return [[0.0, torque], [float(p.max_rpm), torque]]
    return [[0.0, torque], [knee_rpm, torque], [float(p.max_rpm), p.max_power / omega_max]]


def _wheel_layout(p: VehicleParams) -> list:
    """(x, y, steers, hand_brake) of each wheel in the vehicle frame, metres."""
    half_l, half_t = 0.5 * p.wheelbase, 0.5 * p.track_width
    if p.number_of_wheels == 2:
        return [(half_l, 0.0, True, False), (-half_l, 0.0, False, True)]
    return [(half_l, -half_t, True, False), (half_l, half_t, True, False),
            (-half_l, -half_t, False, True), (-half_l, half_t, False, True)]


def physics_control_wire(params: VehicleParams, location=(0.0, 0.0, 0.0), rotation=(0.0, 0.0, 0.0)) -> list:
    """The VehiclePhysicsControl of a vehicle with these parameters at this pose (wheel positions)."""
    p = params
    layout = _wheel_layout(p)
    n = len(layout)
    n_rear = sum(1 for w in layout if w[3])
    radius_cm = p.wheel_radius * 100.0
    brake_torque = p.max_brake_decel * p.mass * p.wheel_radius / n
    hand_torque = p.hand_brake_decel * p.mass * p.wheel_radius / n_rear
    yaw = math.radians(rotation[1])
    c, s = math.cos(yaw), math.sin(yaw)
    wheels = []
    for x, y, steers, hand in layout:
        position = [(location[0] + c * x - s * y) * 100.0, (location[1] + s * x + c * y) * 100.0,
                    (location[2] + p.wheel_radius) * 100.0]
        wheels.append([p.tire_friction, _WHEEL_DAMPING, p.max_steer_deg if steers else 0.0, radius_cm,
                       brake_torque, hand_torque if hand else 0.0,
                       _LAT_STIFF_MAX_LOAD, _LAT_STIFF_VALUE, _LONG_STIFF_VALUE, position])
    gears = [[float(r), p.down_shift_ratio, p.up_shift_ratio] for r in p.forward_gear_ratios]
    return [
        _torque_curve(p), float(p.max_rpm), float(p.moi),
        _DAMPING_FULL_THROTTLE, _DAMPING_ZERO_ENGAGED, _DAMPING_ZERO_DISENGAGED,
        bool(p.use_gear_autobox), float(p.gear_switch_time), float(p.clutch_strength),
        float(p.final_ratio), gears, float(p.mass), float(p.drag_coefficient),
        [float(v) for v in p.center_of_mass], [[float(x), float(y)] for x, y in p.steering_curve],
        wheels, False,
    ]


def _num(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"physics control: {name} must be a finite number")
    return float(value)


def _flag(value, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"physics control: {name} must be a bool")
    return value


def _list(value, name: str) -> list:
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"physics control: {name} must be an array")
    return list(value)


def _vector(value, size: int, name: str) -> tuple:
    items = _list(value, name)
    if len(items) != size:
        raise ValueError(f"physics control: {name} must have {size} components")
    return tuple(_num(v, name) for v in items)


def params_from_physics_control_wire(data, base: VehicleParams) -> VehicleParams:
    """Fold an applied VehiclePhysicsControl into the vehicle's parameters (apply_physics_control).

    Raises ValueError for a malformed or physically meaningless control."""
    fields = _list(data, "VehiclePhysicsControl")
    if len(fields) < N_FIELDS - 1:
        raise ValueError(f"physics control: expected {N_FIELDS} fields, got {len(fields)}")
    torque_curve = [_vector(point, 2, "torque_curve point") for point in _list(fields[0], "torque_curve")]
    max_rpm = _num(fields[1], "max_rpm")
    gears = [_vector(g, 3, "forward gear") for g in _list(fields[10], "forward_gears")]
    mass = _num(fields[11], "mass")
    wheels = _list(fields[15], "wheels")
    if max_rpm <= 0 or mass <= 0:
        raise ValueError("physics control: max_rpm and mass must be positive")

    changes = dict(
        max_rpm=max_rpm,
        moi=_num(fields[2], "moi"),
        use_gear_autobox=_flag(fields[6], "use_gear_autobox"),
        gear_switch_time=_num(fields[7], "gear_switch_time"),
        clutch_strength=_num(fields[8], "clutch_strength"),
        final_ratio=_num(fields[9], "final_ratio"),
        mass=mass,
        drag_coefficient=max(0.0, _num(fields[12], "drag_coefficient")),
        center_of_mass=_vector(fields[13], 3, "center_of_mass"),
        steering_curve=tuple(_vector(pt, 2, "steering_curve point") for pt in _list(fields[14], "steering_curve")),
    )
    if changes["final_ratio"] <= 0:
        raise ValueError("physics control: final_ratio must be positive")
    if gears:
        if any(g[0] <= 0 for g in gears):
            raise ValueError("physics control: gear ratios must be positive")
        changes.update(forward_gear_ratios=tuple(g[0] for g in gears), down_shift_ratio=gears[0][1],
                       up_shift_ratio=gears[0][2] if gears[0][2] > 0 else base.up_shift_ratio)

    radius = base.wheel_radius
    if wheels:
        parsed = [_wheel(w) for w in wheels]
        radii = [w["radius"] for w in parsed if w["radius"] > 0]
        if radii:
            radius = sum(radii) / len(radii) / 100.0
        changes.update(wheel_radius=radius, tire_friction=sum(w["tire_friction"] for w in parsed) / len(parsed),
                       max_steer_deg=max(w["max_steer_angle"] for w in parsed))
        changes["max_brake_decel"] = sum(w["max_brake_torque"] / radius for w in parsed) / mass
        changes["hand_brake_decel"] = sum(w["max_handbrake_torque"] / radius for w in parsed) / mass
        geometry = _axle_geometry([w["position"] for w in parsed])
        if geometry is not None:
            changes["wheelbase"], track = geometry
            if track is not None:
                changes["track_width"] = track

    if torque_curve:
        peak = max(t for _rpm, t in torque_curve)
        if peak <= 0:
            raise ValueError("physics control: the torque curve has no positive torque")
        ratios = changes.get("forward_gear_ratios", base.forward_gear_ratios)
        changes["max_engine_force"] = peak * ratios[0] * changes["final_ratio"] / radius
        curve_power = max(t * rpm * 2.0 * math.pi / 60.0 for rpm, t in torque_curve)
        if curve_power <= 0:
            raise ValueError("physics control: the torque curve gives the engine no power")
        falls_off = max(torque_curve)[1] < peak      # torque at the highest rpm
        # A flat curve never limits power below redline: keep the model's power if it is higher.
        changes["max_power"] = curve_power if falls_off else max(curve_power, base.max_power)
    if len(fields) > 16:
        _flag(fields[16], "use_sweep_wheel_collision")
    return dataclasses.replace(base, **changes)


def _wheel(data) -> dict:
    items = _list(data, "wheel")
    if len(items) < N_WHEEL_FIELDS:
        raise ValueError(f"physics control: a wheel needs {N_WHEEL_FIELDS} fields, got {len(items)}")
    names = ("tire_friction", "damping_rate", "max_steer_angle", "radius", "max_brake_torque",
             "max_handbrake_torque", "lat_stiff_max_load", "lat_stiff_value", "long_stiff_value")
    wheel = {name: _num(value, f"wheel {name}") for name, value in zip(names, items)}
    if wheel["max_brake_torque"] < 0 or wheel["max_handbrake_torque"] < 0:
        raise ValueError("physics control: brake torques cannot be negative")
    wheel["position"] = _vector(items[9], 3, "wheel position")
    return wheel


def _axle_geometry(positions):
    """(wheelbase, track) in metres from wheel positions in cm; None when they carry no geometry."""
    def mean(points):
        return tuple(sum(c) / len(points) for c in zip(*points))

    def dist(a, b):
        return math.sqrt(sum((u - v) ** 2 for u, v in zip(a, b))) / 100.0

    if len(positions) == 2:
        front, rear, track = positions[0], positions[1], None
    elif len(positions) == 4:
        front, rear = mean(positions[:2]), mean(positions[2:])
        track = dist(positions[0], positions[1])
    else:
        return None
    wheelbase = dist(front, rear)
    if wheelbase < 0.3:
        return None
    return wheelbase, (track if track is None or track >= 0.1 else None)
