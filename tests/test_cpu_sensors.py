"""GNSS, IMU, lidars, radar and lane invasion: CARLA 0.9.16's formats, ray pattern and noise models, and the
same script run with our client and the official one."""
import json
import math
import os
import struct
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "PythonAPI"))

import carla  # noqa: E402
from engine.errors import RequestError  # noqa: E402
from engine.map.town import load_town  # noqa: E402
from engine.sensors import catalog, raycast  # noqa: E402,F401 - catalog registers the sensors
from engine.sensors.registry import SENSOR_BUILDERS  # noqa: E402
from engine.world.world import World  # noqa: E402
from serverproc import ServerProcess, official_available, run_client  # noqa: E402

SCRIPT = "cpu_sensors.py"
DT = 0.05


@pytest.fixture(scope="module")
def town():
    return load_town("Town01")


@pytest.fixture
def world(town):
    return World(town, episode_id=1, sensor_factory=lambda actor, blueprint: 7)


def spawn(world, type_id, location=(0.0, 0.0, 0.0), rotation=(0.0, 0.0, 0.0), parent=0, **attributes):
    description = [0, type_id, [[name, 4, str(value)] for name, value in attributes.items()]]
    return world.spawn(description, (location, rotation), parent_id=parent)


def sensor_of(world, actor):
    return SENSOR_BUILDERS[actor.type_id](actor, 7, world)


def measure(world, sensor):
    """Step the world once and decode the sensor's message with our client."""
    world.step(DT)
    messages = sensor.messages(world, DT)
    assert len(messages) == 1
    return carla.sensor_data.deserialize(bytearray(b"".join(messages[0])))


def road_point(town):
    x, y, _, _, yaw, _ = town.spawn_points[0]
    return x, y, yaw


# -- lidar -------------------------------------------------------------------------------------------------

def test_lidar_ray_pattern_follows_carla_per_tick(world, town):
    x, y, _ = road_point(town)
    lidar = sensor_of(world, spawn(world, "sensor.lidar.ray_cast_semantic", (x, y, 30.0), channels=4,
                                   points_per_second=4 * 100 * 20, rotation_frequency=10.0, upper_fov=10.0,
                                   lower_fov=-20.0, horizontal_fov=360.0, range=100.0))
    pattern = lidar._pattern(DT)
    assert pattern.shape == (4, 100, 3)
    pitch = np.degrees(np.arcsin(pattern[:, 0, 2]))
    assert pitch == pytest.approx([10.0, 0.0, -10.0, -20.0], abs=1e-4)
    yaw = np.degrees(np.arctan2(pattern[0, :, 1], pattern[0, :, 0]))
    assert abs(yaw[0]) == pytest.approx(180.0, abs=1e-4)            # the first sweep starts behind
    assert np.diff(np.unwrap(np.radians(yaw))) == pytest.approx(np.full(99, math.radians(1.8)), abs=1e-6)
    assert float(lidar.angle) == pytest.approx(math.pi, abs=1e-6)      # half a turn per tick at 10 Hz, 20 fps
    second = lidar._pattern(DT)
    assert np.degrees(np.arctan2(second[0, 0, 1], second[0, 0, 0])) == pytest.approx(0.0, abs=1e-4)


def test_lidar_points_per_laser_round_half_away_from_zero(world, town):
    x, y, _ = road_point(town)
    lidar = sensor_of(world, spawn(world, "sensor.lidar.ray_cast_semantic", (x, y, 30.0), channels=32,
                                   points_per_second=56000))
    assert lidar._pattern(DT).shape[:2] == (32, 88)          # 56000 * 0.05 / 32 = 87.5 -> 88


def test_lidar_straight_down_measures_the_road_and_nothing_beyond_range(world, town):
    x, y, _ = road_point(town)
    down = dict(channels=1, upper_fov=-90.0, lower_fov=-90.0, points_per_second=20 * 36, rotation_frequency=20.0)
    near = sensor_of(world, spawn(world, "sensor.lidar.ray_cast", (x, y, 5.0), range=4.0, **down))
    far = sensor_of(world, spawn(world, "sensor.lidar.ray_cast", (x, y, 5.0), range=6.0,
                                 dropoff_general_rate=0.0, **down))
    assert len(measure(world, near)) == 0
    data = far.messages(world, DT)
    cloud = carla.sensor_data.deserialize(bytearray(b"".join(data[0])))
    assert len(cloud) == 36 and cloud.get_point_count(0) == 36
    assert {round(p.point.z, 4) for p in cloud} == {-5.0}
    assert cloud[0].intensity == pytest.approx(math.exp(-0.004 * 5.0), rel=1e-6)


def test_lidar_general_dropoff_removes_that_share_of_rays(world, town):
    x, y, _ = road_point(town)
    lidar = sensor_of(world, spawn(world, "sensor.lidar.ray_cast", (x, y, 5.0), channels=1, upper_fov=-90.0,
                                   lower_fov=-90.0, points_per_second=20 * 4000, rotation_frequency=20.0,
                                   range=10.0, dropoff_general_rate=0.25))
    assert len(measure(world, lidar)) / 4000 == pytest.approx(0.75, abs=0.03)


def test_lidar_noise_moves_points_along_their_ray(world, town):
    x, y, _ = road_point(town)
    lidar = sensor_of(world, spawn(world, "sensor.lidar.ray_cast", (x, y, 5.0), channels=1, upper_fov=-90.0,
                                   lower_fov=-90.0, points_per_second=20 * 2000, rotation_frequency=20.0,
                                   range=10.0, dropoff_general_rate=0.0, noise_stddev=0.1))
    z = np.array([p.point.z for p in measure(world, lidar)])
    assert z.mean() == pytest.approx(-5.0, abs=0.02) and z.std() == pytest.approx(0.1, rel=0.15)


def test_semantic_lidar_tags_the_actor_it_hits(world, town):
    x, y, yaw = road_point(town)
    bus = spawn(world, "vehicle.mitsubishi.fusorosa", (x + 11.43, y, 0.0), (0.0, yaw + 90.0, 0.0))
    lidar = sensor_of(world, spawn(world, "sensor.lidar.ray_cast_semantic", (x, y, 1.8), channels=1,
                                   upper_fov=0.0, lower_fov=0.0, points_per_second=20 * 720,
                                   rotation_frequency=20.0, range=30.0))
    cloud = measure(world, lidar)
    ahead = [p for p in cloud if abs(p.point.y) < 0.5 and p.point.x > 0]
    assert ahead and {(p.object_idx, p.object_tag) for p in ahead} == {(bus.id, 16)}
    assert [round(p.point.x, 4) for p in ahead] == [10.0] * len(ahead)
    assert max(p.cos_inc_angle for p in ahead) == pytest.approx(1.0, abs=1e-4)


def test_lidar_attributes_are_checked(world, town):
    with pytest.raises(RequestError, match="channels"):
        sensor_of(world, spawn(world, "sensor.lidar.ray_cast", channels=0))
    with pytest.raises(RequestError, match="range"):
        sensor_of(world, spawn(world, "sensor.lidar.ray_cast", range="far"))


# -- ray casting -------------------------------------------------------------------------------------------

def test_ray_starting_inside_a_box_does_not_see_that_box(world, town):
    x, y, yaw = road_point(town)
    car = spawn(world, "vehicle.tesla.model3", (x, y, 0.0), (0.0, yaw, 0.0))
    hits = raycast.cast(world, (x, y, 0.5), np.array([[1.0, 0.0, 0.0]]), 50.0)
    assert hits.actor_id[0] != car.id
    outside = raycast.cast(world, (x + 10.0, y, 0.5), np.array([[-1.0, 0.0, 0.0]]), 50.0)
    assert outside.actor_id[0] == car.id and outside.distance[0] == pytest.approx(10.0 - 2.396)


def test_building_is_hit_on_its_roof_and_its_wall(world, town):
    from engine.map.props import town_props
    building = town_props(town).buildings[0]
    cx, cy = building.center
    top = building.base_z + building.height
    down = raycast.cast(world, (cx, cy, top + 20.0), np.array([[0.0, 0.0, -1.0]]), 100.0)
    assert down.tag[0] == 3 and 15.0 < down.distance[0] <= 20.0 + 1e-5      # a gable rises above the walls
    side = np.array([-math.sin(math.radians(building.yaw)), math.cos(math.radians(building.yaw)), 0.0])
    start = np.array([cx, cy, building.base_z + 0.5]) + side * (0.5 * building.width + 0.5)
    wall = raycast.cast(world, start, -side[None, :], 10.0)
    assert wall.tag[0] == 3 and wall.distance[0] == pytest.approx(0.5, abs=1e-4)   # float32 mesh


def test_sensor_tick_spaces_the_measurements(world, town):
    x, y, _ = road_point(town)
    gnss = sensor_of(world, spawn(world, "sensor.other.gnss", (x, y, 2.0), sensor_tick=0.1))
    counts = []
    for _ in range(6):
        world.step(DT)
        counts.append(len(gnss.messages(world, DT)))
    assert counts == [0, 1, 0, 1, 0, 1]


def test_lidar_measurement_edits_and_saves_like_carla(tmp_path):
    header = struct.pack("<QQd6f", 11, 5, 0.25, 0, 0, 0, 0, 0, 0)
    body = np.array([np.float32(1.5).view(np.uint32), 2, 1, 1], np.uint32).tobytes()
    points = np.array([[1.0, 2.0, 3.0, 0.5], [4.0, 5.0, 6.0, 0.25]], np.float32).tobytes()
    cloud = carla.sensor_data.deserialize(bytearray(header + body + points))
    assert (cloud.channels, cloud.horizontal_angle, len(cloud), cloud.get_point_count(1)) == (2, 1.5, 2, 1)
    replacement = carla.LidarDetection()
    replacement.point = carla.Location(7.0, 8.0, 9.0)
    replacement.intensity = 1.0
    cloud[1] = replacement
    assert str(cloud[1]) == "LidarDetection(x=7.000000, y=8.000000, z=9.000000, intensity=1.000000)"
    path = cloud.save_to_disk(str(tmp_path / "cloud"))
    assert path.endswith("cloud.ply")
    assert open(path).read() == ("ply\nformat ascii 1.0\nelement vertex 2\nproperty float32 x\n"
                                 "property float32 y\nproperty float32 z\nproperty float32 I\nend_header\n"
                                 "1.0000 2.0000 3.0000 0.5000\n7.0000 8.0000 9.0000 1.0000\n")
    with pytest.raises(RuntimeError, match="channel 2"):
        cloud.get_point_count(2)


# -- GNSS and IMU ------------------------------------------------------------------------------------------

def test_gnss_reports_the_maps_geolocation_plus_bias(world, town):
    x, y, _ = road_point(town)
    exact = sensor_of(world, spawn(world, "sensor.other.gnss", (x, y, 2.0)))
    biased = sensor_of(world, spawn(world, "sensor.other.gnss", (x, y, 2.0), noise_lat_bias=0.5,
                                    noise_alt_bias=-1.0))
    m = carla.Map("Town01", town.xodr)
    expected = m.transform_to_geolocation(carla.Location(x, y, 2.0))
    first, second = measure(world, exact), carla.sensor_data.deserialize(
        bytearray(b"".join(biased.messages(world, DT)[0])))
    assert (first.latitude, first.longitude, first.altitude) == pytest.approx(
        (expected.latitude, expected.longitude, expected.altitude), abs=1e-12)
    assert second.latitude - first.latitude == pytest.approx(0.5)
    assert second.altitude - first.altitude == pytest.approx(-1.0)


def test_gnss_noise_repeats_for_a_seed(world, town):
    x, y, _ = road_point(town)
    runs = []
    for _ in range(2):
        gnss = sensor_of(world, spawn(world, "sensor.other.gnss", (x, y, 2.0), noise_lat_stddev=1e-4,
                                      noise_seed=42))
        runs.append([measure(world, gnss).latitude for _ in range(3)])
    assert runs[0] == runs[1] and len(set(runs[0])) == 3


def test_imu_of_a_vehicle_at_rest_reads_gravity_and_its_heading(world, town):
    x, y, yaw = road_point(town)
    car = spawn(world, "vehicle.tesla.model3", (x, y, 0.0), (0.0, yaw, 0.0))
    imu = sensor_of(world, spawn(world, "sensor.other.imu", (0.0, 0.0, 1.0), parent=car.id))
    for _ in range(3):
        data = measure(world, imu)
    assert [data.accelerometer.x, data.accelerometer.y, data.accelerometer.z] == pytest.approx([0, 0, 9.81], abs=1e-5)
    assert [data.gyroscope.x, data.gyroscope.y, data.gyroscope.z] == [0.0, 0.0, 0.0]
    assert data.compass == pytest.approx(math.pi / 2)      # facing +x (east); north is CARLA's -y


@pytest.mark.parametrize("yaw, compass", [(-90.0, 0.0), (0.0, math.pi / 2), (90.0, math.pi), (180.0, 1.5 * math.pi)])
def test_imu_compass_turns_from_north_through_east(world, yaw, compass):
    imu = sensor_of(world, spawn(world, "sensor.other.imu", (0.0, 0.0, 1.0), (0.0, yaw, 0.0)))
    assert measure(world, imu).compass == pytest.approx(compass, abs=1e-5)


def test_imu_accelerometer_differentiates_the_path_twice(world):
    imu_actor = spawn(world, "sensor.other.imu", (0.0, 0.0, 1.0))
    imu = sensor_of(world, imu_actor)
    readings = []
    for k in range(1, 6):
        world.set_transform(imu_actor.id, (0.5 * 2.0 * (k * DT) ** 2, 0.0, 1.0), (0.0, 0.0, 0.0))
        readings.append(measure(world, imu).accelerometer)
    assert readings[-1].x == pytest.approx(2.0, abs=1e-3) and readings[-1].z == pytest.approx(9.81, abs=1e-5)


def test_imu_gyroscope_reads_the_parents_yaw_rate(world, town):
    x, y, yaw = road_point(town)
    car = spawn(world, "vehicle.tesla.model3", (x, y, 0.0), (0.0, yaw, 0.0))
    imu = sensor_of(world, spawn(world, "sensor.other.imu", (0.0, 0.0, 1.0), parent=car.id))
    world.vehicles.angvel[car.slot] = (0.0, 0.0, 30.0)      # turning right at 30 deg/s
    data = imu.messages(world, DT)
    decoded = carla.sensor_data.deserialize(bytearray(b"".join(data[0])))
    assert decoded.gyroscope.z == pytest.approx(math.radians(30.0), rel=1e-6)


# -- radar -------------------------------------------------------------------------------------------------

def test_radar_sees_the_bus_ahead_within_its_cone(world, town):
    x, y, yaw = road_point(town)
    bus = spawn(world, "vehicle.mitsubishi.fusorosa", (x + 11.43, y, 0.0), (0.0, yaw + 90.0, 0.0))
    radar = sensor_of(world, spawn(world, "sensor.other.radar", (x, y, 1.5), horizontal_fov=20.0, vertical_fov=10.0,
                                   range=50.0, points_per_second=2000))
    detections = list(measure(world, radar))
    assert len(detections) == 100
    assert min(d.depth for d in detections) == pytest.approx(10.0, abs=0.05)
    assert all(abs(d.azimuth) <= math.radians(10.0) + 1e-6 and abs(d.altitude) <= math.radians(5.0) + 1e-6
               for d in detections)
    assert bus.id in set(raycast.cast(world, (x, y, 1.5), np.array([[1.0, 0.0, 0.0]]), 50.0).actor_id)


def test_radar_velocity_is_negative_when_closing_in(world, town):
    x, y, _ = road_point(town)
    spawn(world, "vehicle.mitsubishi.fusorosa", (x + 21.43, y, 0.0), (0.0, 90.0, 0.0))
    radar_actor = spawn(world, "sensor.other.radar", (x, y, 1.5), horizontal_fov=2.0, vertical_fov=2.0,
                        range=50.0, points_per_second=400)
    radar = sensor_of(world, radar_actor)
    world.set_transform(radar_actor.id, (x + 0.5, y, 1.5), (0.0, 0.0, 0.0))      # 10 m/s towards the bus
    detections = list(measure(world, radar))
    assert detections and all(d.velocity == pytest.approx(-10.0, abs=0.01) for d in detections)


# -- lane invasion ---------------------------------------------------------------------------------------------

def test_lane_invasion_sensor_is_accepted_and_stays_silent_on_the_server(world, town):
    x, y, yaw = road_point(town)
    car = spawn(world, "vehicle.tesla.model3", (x, y, 0.0), (0.0, yaw, 0.0))
    sensor = sensor_of(world, spawn(world, "sensor.other.lane_invasion", parent=car.id))
    world.step(DT)
    assert sensor.messages(world, DT) == []


def test_crossing_a_solid_edge_line_reports_it(town):
    m = carla.Map("Town01", town.xodr)
    x, y, _ = road_point(town)
    inside, outside = (x, y + 1.6, 0.0), (x, y + 2.0, 0.0)      # the lane's right edge is 1.75 m off its centre
    crossed = carla.lane_invasion.crossed_lane_markings(m, inside, outside)
    assert [(str(c.type), str(c.color)) for c in crossed] == [("Solid", "White")]
    assert carla.lane_invasion.crossed_lane_markings(m, (x, y, 0.0), (x + 1.0, y + 0.5, 0.0)) == []


# -- both clients ------------------------------------------------------------------------------------------

def _expectations(result):
    assert result["gnss"]["matches_map"]
    assert result["imu"] == [[0.0, 0.0, 9.81], [0.0, 0.0, 0.0], 1.5708]
    lidar = result["lidar"]
    assert lidar["channels"] == 8 and lidar["on_bus"] > 100 and lidar["bus_x_error"] <= 0.02
    assert lidar["farthest"] <= 20.0 and sum(lidar["per_channel"]) == lidar["points"]
    assert lidar["raw_bytes"] == 16 * lidar["points"]
    assert result["short_lidar"]["farthest"] <= 8.0
    semantic = result["semantic"]
    assert semantic["bus_tags"] == [16] and semantic["bus_points"] > 100 and semantic["bus_x_error"] <= 0.02
    radar = result["radar"]
    assert radar["count"] == radar["detection_count"] == 100 and radar["within_fov"]
    assert radar["nearest"] == pytest.approx(7.5, abs=0.05) and radar["max_speed"] == 0.0
    assert result["idle_lidar_first_angle"] == 3.1416      # half a turn: it did not turn while unheard
    invasion = result["lane_invasion"]
    assert invasion["listening"] and not invasion["listening_after_stop"]
    assert [event["frames_after_first"] for event in invasion["events"]] == [0, 4]
    assert all(marking[:2] == ["Solid", "White"] for event in invasion["events"] for marking in event["markings"])
    assert invasion["event_actor"].startswith("trying to operate on a destroyed actor")


def test_cpu_sensor_script_behaves_as_carla_documents_with_each_client(client_kind):
    with ServerProcess("-nullrhi") as server:
        result = json.loads(run_client(client_kind, SCRIPT, server.port))
        assert server.alive()
    _expectations(result)


def test_both_clients_print_the_same_cpu_sensor_line():
    if not official_available():
        pytest.skip("official carla client not installed")
    lines = {}
    for kind in ("official", "ours"):
        with ServerProcess("-nullrhi") as server:
            lines[kind] = run_client(kind, SCRIPT, server.port)
    assert lines["ours"] == lines["official"]
