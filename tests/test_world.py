"""The world on its own: spawning, attachment, destroy, the tick and the episode-state bytes."""
import struct

import numpy as np
import pytest

from engine.map.town import load_town
from engine.world.episode_state import RECORD
from engine.world.settings import EpisodeSettings
from engine.world.world import SPAWN_COLLISION, World, WorldError


def make_world(**settings):
    return World(load_town("Town01"), episode_id=7, settings=EpisodeSettings(**settings))


def description(type_id, **attributes):
    return [0, type_id, [[k, 4, v] for k, v in attributes.items()]]


def spawn_point(world, i=0):
    p = world.town.spawn_points[i]
    return (p[0], p[1], p[2]), (p[3], p[4], p[5])


def test_vehicle_spawns_on_the_road_surface_with_its_attributes():
    world = make_world()
    actor = world.spawn(description("vehicle.audi.a2", role_name="hero"), spawn_point(world))
    assert actor.kind == "vehicle" and actor.role_name == "hero"
    loc, _ = world.world_pose(actor)
    assert loc[2] == pytest.approx(0.0)
    assert actor.bounding_box_wire()[0][2] == pytest.approx(actor.extent[2])


def test_spawning_on_an_occupied_spot_fails_with_carlas_message():
    world = make_world()
    world.spawn(description("vehicle.audi.a2"), spawn_point(world))
    with pytest.raises(WorldError, match=SPAWN_COLLISION):
        world.spawn(description("vehicle.tesla.model3"), spawn_point(world))


def test_unknown_blueprint_and_parent_are_refused():
    world = make_world()
    with pytest.raises(WorldError, match="vehicle.nope"):
        world.spawn(description("vehicle.nope"), spawn_point(world))
    with pytest.raises(WorldError, match="parent actor 999"):
        world.spawn(description("walker.pedestrian.0001"), spawn_point(world), parent_id=999)


def test_sensors_are_refused_until_a_sensor_kind_is_built():
    world = make_world()
    vehicle = world.spawn(description("vehicle.audi.a2"), spawn_point(world))
    with pytest.raises(WorldError, match="not available"):
        world.spawn(description("sensor.camera.rgb"), ((0, 0, 2), (0, 0, 0)), parent_id=vehicle.id)


def test_an_attached_actor_follows_its_parent():
    world = make_world()
    vehicle = world.spawn(description("vehicle.audi.a2"), spawn_point(world))
    world.set_transform(vehicle.id, (10.0, 20.0, 0.0), (0.0, 90.0, 0.0))
    spectator = world.spectator
    spectator.parent_id, spectator.location, spectator.rotation = vehicle.id, (-5.0, 0.0, 3.0), (-15.0, 0.0, 0.0)
    loc, rot = world.world_pose(spectator)
    assert loc == pytest.approx((10.0, 15.0, 3.0))
    assert rot == pytest.approx((-15.0, 90.0, 0.0))


def test_destroy_frees_the_spot_and_unknown_ids_are_errors():
    world = make_world()
    actor = world.spawn(description("vehicle.audi.a2"), spawn_point(world))
    world.destroy(actor.id)
    world.spawn(description("vehicle.audi.a2"), spawn_point(world))
    with pytest.raises(WorldError):
        world.destroy(actor.id)
    with pytest.raises(WorldError):
        world.destroy(world.spectator.id)


def test_tick_advances_frame_and_time_and_moves_a_driven_vehicle():
    world = make_world(synchronous_mode=True, fixed_delta_seconds=0.05)
    actor = world.spawn(description("vehicle.audi.a2"), spawn_point(world, 3))
    world.apply_vehicle_control(actor.id, [1.0, 0.0, 0.0, False, False, False, 0])
    start = world.world_pose(actor)[0]
    for _ in range(20):
        world.step(0.05)
    assert world.frame == 20 and world.elapsed_seconds == pytest.approx(1.0)
    assert np.hypot(*(np.subtract(world.world_pose(actor)[0], start)[:2])) > 0.5


def test_nan_controls_are_taken_as_zero():
    world = make_world()
    actor = world.spawn(description("vehicle.audi.a2"), spawn_point(world))
    world.apply_vehicle_control(actor.id, [float("nan"), float("nan"), float("nan"), False, False, False, 0])
    world.step(0.05)
    assert np.isfinite(world.vehicles.loc[actor.slot]).all()


def test_episode_state_lists_every_actor_in_119_byte_records():
    world = make_world()
    for i in range(3):
        world.spawn(description("vehicle.audi.a2"), spawn_point(world, i))
    world.spawn(description("walker.pedestrian.0002"), ((5.0, -3.0, 1.0), (0.0, 0.0, 0.0)))
    payload = world.encode_state()
    header = 48 + 36
    assert (len(payload) - header) % 119 == 0
    records = np.frombuffer(payload[header:], dtype=RECORD)
    assert sorted(records["id"].tolist()) == sorted(world.actors)
    sensor_type, frame = struct.unpack_from("<QQ", payload)
    assert (sensor_type, frame) == (17, world.frame)
    assert struct.unpack_from("<Q", payload, 48)[0] == 7
