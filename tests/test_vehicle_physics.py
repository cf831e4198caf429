"""Vehicle and walker physics: kinematic bicycle with engine, brakes and steering rate; walkers."""
import dataclasses
import math

import numpy as np
import pytest

from engine.world.blueprints import find_blueprint
from engine.world.physics import VehicleParams, VehicleState, WalkerState
from engine.world.physics_control import physics_control_wire, params_from_physics_control_wire

DT = 0.05
MODEL3 = find_blueprint("vehicle.tesla.model3").vehicle


def flat(x, y):
    return np.zeros_like(x)


def run(state, ticks, ground=flat):
    for _ in range(ticks):
        state.step(DT, ground)


def spawn(yaw=0.0, params=MODEL3, loc=(0.0, 0.0, 0.0)):
    state = VehicleState()
    return state, state.add(loc, (0.0, yaw, 0.0), params)


@pytest.mark.parametrize("yaw", [0.0, 90.0, -135.0, 180.0, 30.0])
def test_full_throttle_moves_forward_along_the_heading(yaw):
    state, s = spawn(yaw)
    state.set_control(s, throttle=1.0)
    run(state, 40)
    moved = state.loc[s, :2]
    distance = np.hypot(*moved)
    assert 5.0 < distance < 15.0
    heading = math.radians(yaw)
    assert moved @ np.array([math.cos(heading), math.sin(heading)]) == pytest.approx(distance)
    assert state.rot[s, 1] == pytest.approx(yaw if yaw != 180.0 else -180.0)
    assert state.speed[s] > 0 and state.gear[s] >= 1
    assert np.linalg.norm(state.vel[s]) == pytest.approx(state.speed[s])


def test_every_vehicle_blueprint_accelerates_sensibly():
    from engine.world.blueprints import blueprint_library
    for bp in blueprint_library():
        if bp.kind != "vehicle":
            continue
        state, s = spawn(params=bp.vehicle)
        state.set_control(s, throttle=1.0)
        run(state, 40)
        assert 1.0 < state.loc[s, 0] < 15.0, bp.id


def test_brake_stops_the_vehicle_and_it_stays_stopped():
    state, s = spawn()
    state.set_control(s, throttle=1.0)
    run(state, 100)
    assert state.speed[s] > 10
    state.set_control(s, brake=1.0)
    run(state, 80)
    assert state.speed[s] == 0.0
    stopped_at = state.loc[s].copy()
    run(state, 20)
    assert np.array_equal(state.loc[s], stopped_at)
    assert np.all(state.vel[s] == 0.0)


def test_brake_beats_throttle_from_rest():
    state, s = spawn()
    state.set_control(s, throttle=0.3, brake=1.0)
    run(state, 20)
    assert state.speed[s] == 0.0 and state.loc[s, 0] == 0.0


def test_reverse_goes_backwards():
    state, s = spawn(yaw=90.0)
    state.set_control(s, throttle=1.0, reverse=True)
    run(state, 40)
    assert state.speed[s] < 0
    assert state.loc[s, 1] < -2.0 and abs(state.loc[s, 0]) < 1e-9
    assert state.gear[s] == -1


def test_coasting_slows_down():
    state, s = spawn()
    state.set_control(s, throttle=1.0)
    run(state, 60)
    fast = state.speed[s]
    state.set_control(s)
    run(state, 40)
    assert 0 < state.speed[s] < fast


def test_speed_is_capped():
    state, s = spawn(params=dataclasses.replace(MODEL3, max_speed=20.0))
    state.set_control(s, throttle=1.0)
    run(state, 600)
    assert state.speed[s] == pytest.approx(20.0)


def test_steer_right_increases_yaw_and_left_decreases_it():
    for steer, sign in ((1.0, 1.0), (-1.0, -1.0)):
        state, s = spawn(yaw=0.0)
        state.set_control(s, throttle=0.5, steer=steer)
        run(state, 30)
        assert state.rot[s, 1] * sign > 5.0
        assert state.angvel[s, 2] * sign > 0
        # Turning right in CARLA's left-handed frame drifts toward +y when heading +x.
        assert state.loc[s, 1] * sign > 0


def test_steering_is_rate_limited():
    state, s = spawn()
    state.set_control(s, steer=1.0)
    state.step(DT, flat)
    rate = math.radians(MODEL3.steer_rate_deg)
    assert state.wheel_angle[s] == pytest.approx(rate * DT)
    run(state, 100)
    assert state.wheel_angle[s] == pytest.approx(math.radians(MODEL3.max_steer_deg))
    state.set_control(s, steer=-1.0)
    state.step(DT, flat)
    assert state.wheel_angle[s] == pytest.approx(math.radians(MODEL3.max_steer_deg) - rate * DT)


def test_standing_vehicle_does_not_yaw_when_steering():
    state, s = spawn(yaw=45.0)
    state.set_control(s, steer=1.0)
    run(state, 20)
    assert state.rot[s, 1] == pytest.approx(45.0)
    assert np.all(state.loc[s] == 0.0)


def _fleet(n=12):
    rng = np.random.default_rng(3)
    setups = []
    for i in range(n):
        loc = (rng.uniform(-50, 50), rng.uniform(-50, 50), 0.0)
        rot = (0.0, rng.uniform(-180, 180), 0.0)
        control = dict(throttle=rng.uniform(), steer=rng.uniform(-1, 1), brake=float(i % 5 == 0) * 0.3,
                       reverse=i % 4 == 1, hand_brake=i % 7 == 3, manual_gear_shift=i % 6 == 2, gear=2)
        setups.append((loc, rot, control))
    return setups


def hill(x, y):
    return 0.05 * x + 0.5 * np.sin(0.1 * y)


def _run_fleet(setups, ticks=60):
    state = VehicleState(capacity=4)
    slots = []
    for loc, rot, control in setups:
        s = state.add(loc, rot, MODEL3)
        state.set_control(s, **control)
        slots.append(s)
    run(state, ticks, hill)
    return state, slots


def test_same_inputs_give_bit_identical_outputs():
    a, _ = _run_fleet(_fleet())
    b, _ = _run_fleet(_fleet())
    for name in ("loc", "rot", "vel", "angvel", "acc", "speed", "wheel_angle", "gear"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_vectorised_step_equals_one_vehicle_at_a_time():
    setups = _fleet()
    together, slots = _run_fleet(setups)
    for (loc, rot, control), s in zip(setups, slots):
        alone, (t,) = _run_fleet([(loc, rot, control)])
        for name in ("loc", "rot", "vel", "angvel", "acc", "speed", "wheel_angle", "gear"):
            assert np.array_equal(getattr(together, name)[s], getattr(alone, name)[t]), name


def test_vehicle_sits_on_the_ground_and_pitches_uphill():
    state, s = spawn(loc=(0.0, 0.0, 5.0))
    ramp = lambda x, y: 0.1 * x
    state.set_control(s, throttle=0.5)
    run(state, 20, ramp)
    x = state.loc[s, 0]
    assert state.loc[s, 2] == pytest.approx(0.1 * x)
    assert state.rot[s, 0] == pytest.approx(math.degrees(math.atan(0.1)))
    assert state.rot[s, 2] == pytest.approx(0.0)
    run(state, 5)
    assert state.rot[s, 0] == 0.0 and state.rot[s, 2] == 0.0 and state.loc[s, 2] == 0.0


def test_ground_sloping_down_to_the_right_rolls_positive():
    state, s = spawn()
    state.step(DT, lambda x, y: -0.1 * y)
    assert state.rot[s, 2] == pytest.approx(math.degrees(math.atan(0.1)))


def test_simulate_physics_off_freezes_the_vehicle():
    state = VehicleState()
    frozen = state.add((1.0, 2.0, 3.0), (0.0, 30.0, 0.0), MODEL3)
    moving = state.add((0.0, 0.0, 0.0), (0.0, 0.0, 0.0), MODEL3)
    for s in (frozen, moving):
        state.set_control(s, throttle=1.0)
    run(state, 10)
    state.set_simulate_physics(frozen, False)
    pose = state.loc[frozen].copy(), state.rot[frozen].copy()
    run(state, 20)
    assert np.array_equal(state.loc[frozen], pose[0]) and np.array_equal(state.rot[frozen], pose[1])
    assert np.all(state.vel[frozen] == 0) and np.all(state.acc[frozen] == 0) and state.speed[frozen] == 0
    assert state.loc[moving, 0] > 3.0
    state.set_transform(frozen, (9.0, 9.0, 9.0), (0.0, 0.0, 0.0))
    run(state, 3)
    assert np.array_equal(state.loc[frozen], [9.0, 9.0, 9.0])
    state.set_simulate_physics(frozen, True)
    state.step(DT, flat)
    assert state.loc[frozen, 2] == 0.0


def test_constant_velocity_is_held_in_the_local_frame():
    state, s = spawn(yaw=90.0)
    state.enable_constant_velocity(s, (5.0, 0.0, 0.0))
    state.set_control(s, brake=1.0, steer=1.0)
    run(state, 20)
    assert state.loc[s, :2] == pytest.approx([0.0, 5.0])
    assert state.vel[s] == pytest.approx([0.0, 5.0, 0.0])
    assert state.speed[s] == pytest.approx(5.0)
    assert state.rot[s, 1] == pytest.approx(90.0)
    state.disable_constant_velocity(s)
    run(state, 40)
    assert state.speed[s] == 0.0


def test_target_velocity_sets_the_speed_along_the_heading():
    state, s = spawn(yaw=90.0)
    state.set_target_velocity(s, (0.0, 10.0, 0.0))
    assert state.speed[s] == pytest.approx(10.0)
    state.step(DT, flat)
    assert state.loc[s, 1] == pytest.approx(0.5, abs=0.02)


def test_target_angular_velocity_turns_for_one_step():
    state, s = spawn()
    state.set_target_angular_velocity(s, (0.0, 0.0, 90.0))
    state.step(DT, flat)
    assert state.rot[s, 1] == pytest.approx(90.0 * DT)
    state.step(DT, flat)
    assert state.rot[s, 1] == pytest.approx(90.0 * DT)


def test_controls_are_clamped_and_nan_becomes_zero():
    state, s = spawn()
    state.set_control(s, throttle=7.0, steer=float("nan"), brake=-3.0)
    assert (state.throttle[s], state.steer[s], state.brake[s]) == (1.0, 0.0, 0.0)
    state.set_control(s, throttle=float("nan"), steer=-4.0, brake=float("inf"))
    assert (state.throttle[s], state.steer[s], state.brake[s]) == (0.0, -1.0, 1.0)


def test_manual_gears_neutral_and_rev_limit():
    state, s = spawn(params=find_blueprint("vehicle.audi.a2").vehicle)
    state.set_control(s, throttle=1.0, manual_gear_shift=True, gear=0)
    run(state, 20)
    assert state.speed[s] == 0.0 and state.gear[s] == 0
    state.set_control(s, throttle=1.0, manual_gear_shift=True, gear=1)
    run(state, 300)
    p = state.params[s]
    redline = p.max_rpm / (p.forward_gear_ratios[0] * p.final_ratio / p.wheel_radius * 60 / (2 * math.pi))
    assert state.gear[s] == 1 and state.speed[s] < redline * 1.05


def test_automatic_gearbox_shifts_up_with_speed():
    state, s = spawn(params=find_blueprint("vehicle.audi.a2").vehicle)
    state.set_control(s, throttle=1.0)
    gears = []
    for _ in range(300):
        state.step(DT, flat)
        gears.append(int(state.gear[s]))
    assert gears == sorted(gears) and gears[-1] >= 3


def test_slots_are_reused_and_arrays_grow():
    state = VehicleState(capacity=2)
    slots = [state.add((float(i), 0.0, 0.0), (0.0, 0.0, 0.0), MODEL3) for i in range(5)]
    assert slots == [0, 1, 2, 3, 4] and state.capacity >= 5 and state.count == 5
    state.remove(1)
    state.remove(3)
    assert state.add((0.0, 0.0, 0.0), (0.0, 0.0, 0.0), MODEL3) == 1
    assert list(state.slots()) == [0, 1, 2, 4]
    with pytest.raises(KeyError):
        state.set_control(3, throttle=1.0)
    state.set_control(2, throttle=1.0)
    run(state, 10)
    assert state.loc[2, 0] > 2.0 and np.all(state.loc[3] == 0.0)


def test_physics_control_round_trip_keeps_the_parameters():
    for bp_id in ("vehicle.tesla.model3", "vehicle.carlamotors.carlacola", "vehicle.bh.crossbike"):
        p = find_blueprint(bp_id).vehicle
        wire = physics_control_wire(p, (12.0, -4.0, 0.5), (0.0, 73.0, 0.0))
        assert len(wire) == 17 and len(wire[15]) == p.number_of_wheels
        assert all(len(w) == 10 and len(w[9]) == 3 for w in wire[15])
        back = params_from_physics_control_wire(wire, p)
        for f in dataclasses.fields(VehicleParams):
            a, b = getattr(p, f.name), getattr(back, f.name)
            if isinstance(a, float):
                assert b == pytest.approx(a, rel=1e-9, abs=1e-9), (bp_id, f.name)
            else:
                assert b == a, (bp_id, f.name)


def test_applied_physics_control_changes_the_dynamics():
    wire = physics_control_wire(MODEL3)
    wire[11] = MODEL3.mass * 2
    heavy = params_from_physics_control_wire(wire, MODEL3)
    assert heavy.mass == MODEL3.mass * 2 and heavy.max_engine_force == pytest.approx(MODEL3.max_engine_force)
    state = VehicleState()
    light_slot = state.add((0.0, 0.0, 0.0), (0.0, 0.0, 0.0), MODEL3)
    heavy_slot = state.add((0.0, 10.0, 0.0), (0.0, 0.0, 0.0), MODEL3)
    state.set_params(heavy_slot, heavy)
    for s in (light_slot, heavy_slot):
        state.set_control(s, throttle=1.0)
    run(state, 40)
    assert state.loc[heavy_slot, 0] < 0.7 * state.loc[light_slot, 0]


def test_malformed_physics_control_is_rejected():
    wire = physics_control_wire(MODEL3)
    for broken in (wire[:5], wire[:11] + ["heavy"] + wire[12:], wire[:11] + [-1.0] + wire[12:]):
        with pytest.raises(ValueError):
            params_from_physics_control_wire(broken, MODEL3)


# -- walkers -------------------------------------------------------------------------------------------

def test_walker_follows_its_direction_at_its_speed():
    walkers = WalkerState()
    w = walkers.add((0.0, 0.0, 0.0), (0.0, 0.0, 0.0))
    walkers.set_control(w, direction=(3.0, 4.0, 9.0), speed=2.0)
    run(walkers, 20)
    assert walkers.loc[w] == pytest.approx([1.2, 1.6, 0.0])
    assert walkers.vel[w] == pytest.approx([1.2, 1.6, 0.0])
    assert walkers.rot[w, 1] == pytest.approx(math.degrees(math.atan2(4, 3)))


def test_walker_speed_is_capped_and_it_turns_at_a_finite_rate():
    walkers = WalkerState()
    w = walkers.add((0.0, 0.0, 0.0), (0.0, 0.0, 0.0), max_speed=1.5)
    walkers.set_control(w, direction=(-1.0, 0.0, 0.0), speed=5.0)
    walkers.step(DT, flat)
    assert walkers.loc[w, 0] == pytest.approx(-1.5 * DT)
    assert abs(walkers.rot[w, 1]) == pytest.approx(WalkerState.TURN_RATE_DEG * DT)
    run(walkers, 10)
    assert abs(walkers.rot[w, 1]) == pytest.approx(180.0)


def test_walker_stands_without_direction_and_stays_on_the_ground():
    walkers = WalkerState()
    w = walkers.add((0.0, 0.0, 3.0), (0.0, 45.0, 0.0), z_offset=0.9)
    walkers.set_control(w, direction=(0.0, 0.0, 0.0), speed=3.0)
    run(walkers, 5, lambda x, y: 0.2 * x + 1.0)
    assert walkers.loc[w] == pytest.approx([0.0, 0.0, 1.9]) and walkers.rot[w, 1] == 45.0


def test_walker_jump_is_a_hop_that_lands():
    walkers = WalkerState()
    w = walkers.add((0.0, 0.0, 0.0), (0.0, 0.0, 0.0))
    walkers.set_control(w, direction=(1.0, 0.0, 0.0), speed=1.0, jump=True)
    heights = []
    walkers.step(DT, flat)
    walkers.set_control(w, direction=(1.0, 0.0, 0.0), speed=1.0, jump=False)
    for _ in range(30):
        heights.append(walkers.loc[w, 2])
        walkers.step(DT, flat)
    assert max(heights) > 0.5
    assert walkers.loc[w, 2] == 0.0 and not walkers.airborne[w]
    assert walkers.loc[w, 0] == pytest.approx(31 * DT)


def test_walker_without_physics_is_frozen_and_nan_control_is_ignored():
    walkers = WalkerState()
    a = walkers.add((0.0, 0.0, 0.0), (0.0, 0.0, 0.0))
    b = walkers.add((5.0, 0.0, 0.0), (0.0, 0.0, 0.0))
    walkers.set_control(a, direction=(1.0, 0.0, 0.0), speed=1.0)
    walkers.set_control(b, direction=(float("nan"), 1.0, 0.0), speed=float("nan"))
    walkers.set_simulate_physics(a, False)
    run(walkers, 10)
    assert np.all(walkers.loc[a] == 0.0) and np.all(walkers.vel[a] == 0.0)
    assert walkers.loc[b] == pytest.approx([5.0, 0.0, 0.0])


def test_substeps_refine_the_same_motion():
    """Five substeps of 0.01 s inside one 0.05 s tick follow the path of five 0.01 s ticks closely."""
    (one, slot), (many, _) = spawn(), spawn()
    for state in (one, many):
        state.set_control(slot, throttle=0.8, steer=0.3)
    for _ in range(40):
        one.step(0.05, flat, substeps=5)
        for _ in range(5):
            many.step(0.01, flat)
    assert np.allclose(one.loc[slot], many.loc[slot], atol=0.05)
    assert abs(one.rot[slot, 1] - many.rot[slot, 1]) < 0.5
