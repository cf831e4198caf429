"""The blueprint library: CARLA 0.9.16 ids, tags and attribute shapes."""
import re

import pytest

from engine.world.blueprints import ATTRIBUTE_TYPES, BOOL, FLOAT, INT, RGBCOLOR, STRING, blueprint_library, find_blueprint

LIBRARY = blueprint_library()
VEHICLES = [bp for bp in LIBRARY if bp.kind == "vehicle"]
WALKERS = [bp for bp in LIBRARY if bp.kind == "walker"]
COLOR = re.compile(r"^(\d{1,3}),(\d{1,3}),(\d{1,3})$")


def parses_as(kind: int, value: str) -> bool:
    if kind == BOOL:
        return value in ("true", "false")
    if kind == INT:
        return re.fullmatch(r"-?\d+", value) is not None
    if kind == FLOAT:
        try:
            float(value)
        except ValueError:
            return False
        return True
    if kind == RGBCOLOR:
        m = COLOR.match(value)
        return m is not None and all(0 <= int(c) <= 255 for c in m.groups())
    return kind == STRING


def test_blueprint_ids_are_unique():
    ids = [bp.id for bp in LIBRARY]
    assert len(ids) == len(set(ids))


def test_library_order_is_stable():
    assert [bp.id for bp in blueprint_library()] == [bp.id for bp in LIBRARY]


def test_tags_are_the_words_of_the_id():
    for bp in LIBRARY:
        assert bp.tags == tuple(bp.id.split(".")), bp.id
    assert find_blueprint("vehicle.tesla.model3").to_wire(7)[:3] == [7, "vehicle.tesla.model3", "vehicle,tesla,model3"]


def test_every_attribute_type_code_is_valid_and_ids_are_unique_per_blueprint():
    for bp in LIBRARY:
        ids = [a.id for a in bp.attributes]
        assert len(ids) == len(set(ids)), bp.id
        for a in bp.attributes:
            assert a.type in ATTRIBUTE_TYPES, (bp.id, a.id)


def test_values_and_recommended_values_parse_as_their_type():
    for bp in LIBRARY:
        for a in bp.attributes:
            assert parses_as(a.type, a.value), (bp.id, a.id, a.value)
            for r in a.recommended:
                assert parses_as(a.type, r), (bp.id, a.id, r)


def test_modifiable_attributes_default_to_their_first_recommended_value():
    for bp in LIBRARY:
        for a in bp.attributes:
            if a.modifiable:
                assert a.recommended and a.value == a.recommended[0], (bp.id, a.id)
            else:
                assert a.recommended == () and not a.restrict, (bp.id, a.id)


def test_attribute_wire_layout():
    a = find_blueprint("vehicle.tesla.model3").attribute("number_of_wheels")
    assert a.to_wire() == ["number_of_wheels", INT, "4", [], False, False]
    role = find_blueprint("vehicle.tesla.model3").attributes[0]
    assert role.to_wire() == ["role_name", STRING, "autopilot", ["autopilot", "scenario", "ego_vehicle"], True, False]


def test_every_blueprint_starts_with_role_name_and_ros_name():
    for bp in LIBRARY:
        assert [a.id for a in bp.attributes[:2]] == ["role_name", "ros_name"], bp.id
        assert bp.attributes[1].value == bp.id


def test_recommended_colors_are_rgb_triples():
    colored = [bp for bp in VEHICLES if bp.attribute("color")]
    assert len(colored) >= 10
    for bp in colored:
        a = bp.attribute("color")
        assert a.type == RGBCOLOR and a.modifiable and len(a.recommended) >= 2
        for value in a.recommended:
            assert COLOR.match(value), (bp.id, value)


def test_vehicles_cover_every_base_type():
    assert len(VEHICLES) >= 10
    base_types = {bp.attribute("base_type").value for bp in VEHICLES}
    assert {"car", "truck", "van", "motorcycle", "bicycle"} <= base_types
    for bp_id in ("vehicle.tesla.model3", "vehicle.audi.a2", "vehicle.lincoln.mkz_2020", "vehicle.mercedes.coupe_2020",
                  "vehicle.nissan.micra", "vehicle.toyota.prius", "vehicle.dodge.charger_2020", "vehicle.mini.cooper_s",
                  "vehicle.carlamotors.carlacola", "vehicle.mercedes.sprinter", "vehicle.volkswagen.t2",
                  "vehicle.kawasaki.ninja", "vehicle.yamaha.yzf", "vehicle.bh.crossbike", "vehicle.diamondback.century"):
        assert find_blueprint(bp_id) in VEHICLES, bp_id


def test_vehicle_attributes_match_carla():
    for bp in VEHICLES:
        role = bp.attribute("role_name")
        assert role.value == "autopilot" and role.type == STRING
        for fixed in ("number_of_wheels", "generation", "base_type", "special_type", "object_type",
                      "has_dynamic_doors", "has_lights"):
            assert not bp.attribute(fixed).modifiable, (bp.id, fixed)
        assert bp.attribute("sticky_control").type == BOOL and bp.attribute("sticky_control").modifiable
        assert bp.attribute("terramechanics").value == "false"
        wheels = int(bp.attribute("number_of_wheels").value)
        assert wheels == bp.vehicle.number_of_wheels
        two_wheeler = bp.attribute("base_type").value in ("motorcycle", "bicycle")
        assert wheels == (2 if two_wheeler else 4), bp.id
        assert (bp.attribute("driver_id") is not None) == two_wheeler
        if two_wheeler:
            assert bp.attribute("driver_id").restrict


def test_vehicles_have_realistic_extents_and_parameters():
    for bp in VEHICLES:
        ex, ey, ez = bp.extent
        assert 0.5 < ex < 6 and 0.1 < ey < 1.6 and 0.4 < ez < 2.0, bp.id
        p = bp.vehicle
        assert 0 < p.wheelbase < 2 * ex and p.mass > 50 and p.max_engine_force > 0
    ex, ey, ez = find_blueprint("vehicle.tesla.model3").extent
    assert (ex, ey, ez) == pytest.approx((2.4, 1.08, 0.74), abs=0.05)


def test_walkers_have_speeds_for_standing_walking_and_running():
    assert len(WALKERS) >= 15
    assert {f"walker.pedestrian.{n:04d}" for n in range(1, 16)} <= {bp.id for bp in WALKERS}
    for bp in WALKERS:
        speed = bp.attribute("speed")
        assert speed.type == FLOAT and speed.modifiable
        values = [float(v) for v in speed.recommended]
        assert len(values) >= 3 and 0.5 < values[1] < values[2] < 5.0
        assert bp.attribute("is_invincible").type == BOOL
        assert bp.attribute("role_name").value == "pedestrian"
        assert bp.attribute("gender").value in ("male", "female", "other")
        assert bp.attribute("age").value in ("adult", "child", "teenager", "elderly")
        assert not bp.attribute("generation").modifiable
        assert bp.extent == pytest.approx((0.19, 0.19, 0.92), abs=0.35)


def test_camera_attributes_and_defaults():
    rgb = find_blueprint("sensor.camera.rgb").defaults()
    assert (rgb["image_size_x"], rgb["image_size_y"], rgb["fov"], rgb["sensor_tick"]) == ("800", "600", "90.0", "0.0")
    for name in ("lens_circle_falloff", "lens_k", "bloom_intensity", "motion_blur_intensity", "exposure_mode",
                 "gamma", "iso", "shutter_speed", "fstop", "chromatic_aberration_intensity", "enable_postprocess_effects"):
        assert name in rgb, name
    for cam in ("depth", "semantic_segmentation", "instance_segmentation"):
        d = find_blueprint(f"sensor.camera.{cam}").defaults()
        assert d["image_size_x"] == "800" and "gamma" not in d


def test_other_sensors_and_controller_exist():
    lidar = find_blueprint("sensor.lidar.ray_cast").defaults()
    for name in ("channels", "range", "points_per_second", "rotation_frequency", "upper_fov", "lower_fov",
                 "horizontal_fov", "atmosphere_attenuation_rate", "dropoff_general_rate", "noise_stddev"):
        assert name in lidar, name
    assert "noise_stddev" not in find_blueprint("sensor.lidar.ray_cast_semantic").defaults()
    assert "noise_lat_stddev" in find_blueprint("sensor.other.gnss").defaults()
    assert "noise_gyro_bias_z" in find_blueprint("sensor.other.imu").defaults()
    for bp_id in ("sensor.other.collision", "sensor.other.lane_invasion", "sensor.other.obstacle",
                  "sensor.other.radar", "controller.ai.walker"):
        assert find_blueprint(bp_id) in LIBRARY, bp_id
    assert find_blueprint("controller.ai.walker").kind == "controller"


def test_spectator_and_traffic_actors_are_found_but_not_listed():
    for bp_id, kind in (("spectator", "spectator"), ("traffic.traffic_light", "traffic_light"),
                        ("traffic.stop", "traffic_sign"), ("traffic.speed_limit.30", "traffic_sign")):
        bp = find_blueprint(bp_id)
        assert bp is not None and bp.kind == kind and bp not in LIBRARY
    assert find_blueprint("vehicle.nope") is None
