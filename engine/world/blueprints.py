"""The blueprint library, with CARLA 0.9.16's ids, tags and attributes.

How CARLA builds a definition (ActorBlueprintFunctionLibrary): the id is ``category.type.name`` and the
tags are the same words joined by commas (``vehicle.tesla.model3`` -> ``vehicle,tesla,model3``). Every
definition starts with ``role_name`` and ``ros_name`` (the id). Modifiable attributes ("variations")
come first, their value being the first recommended value; fixed attributes follow, not modifiable and
without recommended values. Attribute type codes on the 0.9.16 wire: 1 Bool, 2 Int, 3 Float,
4 String, 5 RGBColor.

``spectator`` and the traffic lights and signs a map places (``traffic.*``) are actors CARLA does not
list in the library; ``find_blueprint`` still knows them so actors of those types can be described.
"""
from __future__ import annotations

import dataclasses
from typing import Optional, Tuple

from engine.world.physics import VehicleParams

BOOL, INT, FLOAT, STRING, RGBCOLOR = 1, 2, 3, 4, 5
ATTRIBUTE_TYPES = (BOOL, INT, FLOAT, STRING, RGBCOLOR)


@dataclasses.dataclass(frozen=True)
class AttributeDef:
    id: str
    type: int
    value: str
    recommended: tuple = ()
    modifiable: bool = True
    restrict: bool = False

    def to_wire(self) -> list:
        """rpc::ActorAttribute: [id, type, value, recommended_values, is_modifiable, restrict_to_recommended]."""
        return [self.id, self.type, self.value, list(self.recommended), self.modifiable, self.restrict]


@dataclasses.dataclass(frozen=True)
class BlueprintDef:
    id: str
    tags: tuple
    attributes: tuple
    kind: str                                 # vehicle, walker, sensor, controller, spectator, traffic_light, traffic_sign
    extent: tuple = (0.0, 0.0, 0.0)           # bounding-box half size, metres
    vehicle: Optional[VehicleParams] = None

    def to_wire(self, uid: int) -> list:
        """rpc::ActorDefinition: [uid, id, tags, [ActorAttribute, ...]]."""
        return [uid, self.id, ",".join(self.tags), [a.to_wire() for a in self.attributes]]

    def attribute(self, attribute_id: str) -> Optional[AttributeDef]:
        for a in self.attributes:
            if a.id == attribute_id:
                return a
        return None

    def defaults(self) -> dict:
        """Attribute id -> default value string."""
        return {a.id: a.value for a in self.attributes}


def _var(attribute_id: str, kind: int, *recommended: str, restrict: bool = False) -> AttributeDef:
    return AttributeDef(attribute_id, kind, recommended[0], tuple(recommended), True, restrict)


def _fixed(attribute_id: str, kind: int, value: str) -> AttributeDef:
    return AttributeDef(attribute_id, kind, value, (), False, False)


def _flag(on: bool) -> str:
    return "true" if on else "false"


_SENSOR_ROLES = ("front", "back", "left", "right", "front_left", "front_right", "back_left", "back_right")


def _head(blueprint_id: str, *roles: str) -> list:
    return [_var("role_name", STRING, *(roles or ("default",))), _var("ros_name", STRING, blueprint_id)]


def _tags(blueprint_id: str) -> tuple:
    return tuple(blueprint_id.split("."))


# -- vehicles ------------------------------------------------------------------------------------------

_PALETTE_A = ("255,255,255", "32,32,32", "170,170,170", "140,0,0", "22,48,110", "90,90,95", "208,176,120")
_PALETTE_B = ("17,37,103", "255,255,255", "10,10,10", "205,205,205", "120,0,20", "62,71,82")
_PALETTE_C = ("238,200,40", "200,50,30", "0,90,160", "250,250,250", "40,40,40", "0,120,70")
_PALETTE_D = ("255,255,255", "0,0,0", "120,120,120", "180,30,30", "40,80,150")
_PALETTE_BIKE = ("200,20,20", "20,20,20", "240,240,240", "20,80,200", "230,180,0")
_DRIVERS = ("1", "2", "3", "4", "5", "6")


def _car(mass: float, power: float, extent, electric: bool = False, **extra) -> VehicleParams:
    ex, ey, ez = extent
    base = dict(wheelbase=round(1.2 * ex, 3), track_width=round(1.7 * ey, 3), mass=mass,
                max_engine_force=round(3.4 * mass), max_power=power, max_steer_deg=36.0,
                frontal_area=round(0.85 * 2 * ey * 2 * ez, 2), max_lateral_accel=8.0)
    if electric:
        base.update(forward_gear_ratios=(9.0,), final_ratio=1.0, max_rpm=16000.0, engine_brake_decel=0.8)
    base.update(extra)
    return VehicleParams(**base)


def _heavy(mass: float, power: float, extent, **extra) -> VehicleParams:
    ex, ey, ez = extent
    base = dict(wheelbase=round(1.15 * ex, 3), track_width=round(1.7 * ey, 3), mass=mass,
                max_engine_force=round(1.6 * mass), max_power=power, max_steer_deg=32.0,
                max_brake_decel=6.0, hand_brake_decel=4.0, drag_coefficient=0.6,
                frontal_area=round(0.9 * 2 * ey * 2 * ez, 2), max_speed=30.0, max_reverse_speed=6.0,
                forward_gear_ratios=(6.0, 3.6, 2.4, 1.6, 1.15, 0.85), final_ratio=4.5, max_rpm=2600.0,
                wheel_radius=0.5, steer_rate_deg=70.0, max_lateral_accel=5.0, moi=4.0)
    base.update(extra)
    return VehicleParams(**base)


def _two_wheeler(mass: float, power: float, extent, bicycle: bool) -> VehicleParams:
    ex, _ey, _ez = extent
    base = dict(wheelbase=round(1.35 * ex, 3), track_width=0.1, mass=mass, number_of_wheels=2,
                max_steer_deg=35.0, max_lateral_accel=7.0, wheel_radius=0.33, frontal_area=0.6,
                drag_coefficient=0.7)
    if bicycle:
        base.update(max_engine_force=round(1.8 * mass), max_power=power, max_speed=12.0, max_reverse_speed=2.0,
                    forward_gear_ratios=(1.0,), final_ratio=1.0, max_rpm=1000.0, engine_brake_decel=0.1,
                    max_brake_decel=5.0, hand_brake_decel=4.0, drag_coefficient=0.9, moi=0.1)
    else:
        base.update(max_engine_force=round(4.5 * mass), max_power=power, max_speed=45.0, max_reverse_speed=3.0,
                    forward_gear_ratios=(2.8, 2.0, 1.6, 1.3, 1.1, 0.95), final_ratio=3.0, max_rpm=11000.0,
                    max_brake_decel=8.0, hand_brake_decel=5.0, moi=0.3)
    return VehicleParams(**base)


# (id, base_type, special_type, generation, has_lights, has_dynamic_doors, extent, params, colors)
_E = {  # bounding-box half sizes, metres
    "vehicle.audi.a2": (1.852, 0.898, 0.771), "vehicle.audi.etron": (2.428, 1.017, 0.825),
    "vehicle.audi.tt": (2.091, 1.000, 0.697), "vehicle.bmw.grandtourer": (2.305, 1.120, 0.834),
    "vehicle.chevrolet.impala": (2.679, 1.017, 0.707), "vehicle.citroen.c3": (1.994, 0.933, 0.807),
    "vehicle.dodge.charger_2020": (2.502, 1.046, 0.767), "vehicle.dodge.charger_police": (2.487, 1.019, 0.779),
    "vehicle.dodge.charger_police_2020": (2.628, 1.068, 0.805), "vehicle.ford.crown": (2.684, 0.947, 0.782),
    "vehicle.ford.mustang": (2.358, 0.944, 0.651), "vehicle.jeep.wrangler_rubicon": (1.934, 0.953, 0.939),
    "vehicle.lincoln.mkz_2017": (2.450, 1.064, 0.755), "vehicle.lincoln.mkz_2020": (2.445, 1.072, 0.749),
    "vehicle.mercedes.coupe": (2.513, 1.078, 0.817), "vehicle.mercedes.coupe_2020": (2.336, 1.002, 0.725),
    "vehicle.micro.microlino": (1.180, 0.730, 0.704), "vehicle.mini.cooper_s": (1.903, 0.985, 0.739),
    "vehicle.mini.cooper_s_2021": (2.263, 1.002, 0.896), "vehicle.nissan.micra": (1.816, 0.993, 0.768),
    "vehicle.nissan.patrol": (2.305, 0.960, 0.937), "vehicle.nissan.patrol_2021": (2.782, 1.074, 1.043),
    "vehicle.seat.leon": (2.096, 0.908, 0.737), "vehicle.tesla.model3": (2.396, 1.082, 0.744),
    "vehicle.toyota.prius": (2.257, 1.003, 0.762), "vehicle.tesla.cybertruck": (3.137, 1.194, 1.049),
    "vehicle.carlamotors.carlacola": (2.602, 1.307, 1.241), "vehicle.carlamotors.european_hgv": (3.968, 1.453, 1.891),
    "vehicle.carlamotors.firetruck": (4.234, 1.469, 1.917), "vehicle.ford.ambulance": (3.181, 1.186, 1.216),
    "vehicle.mercedes.sprinter": (2.958, 0.994, 1.286), "vehicle.volkswagen.t2": (2.240, 1.034, 1.022),
    "vehicle.volkswagen.t2_2021": (2.221, 0.890, 1.021), "vehicle.mitsubishi.fusorosa": (5.136, 1.430, 1.677),
    "vehicle.harley-davidson.low_rider": (1.177, 0.381, 0.638), "vehicle.kawasaki.ninja": (1.016, 0.401, 0.573),
    "vehicle.vespa.zx125": (0.904, 0.428, 0.618), "vehicle.yamaha.yzf": (1.104, 0.433, 0.628),
    "vehicle.bh.crossbike": (0.744, 0.430, 0.546), "vehicle.diamondback.century": (0.821, 0.186, 0.533),
    "vehicle.gazelle.omafiets": (0.917, 0.165, 0.563),
}


def _vehicle_rows() -> list:
    e = _E
    return [
        ("vehicle.audi.a2", "car", "", 1, False, False, _car(1150, 55e3, e["vehicle.audi.a2"]), _PALETTE_A),
        ("vehicle.audi.etron", "car", "electric", 1, True, False,
         _car(2490, 265e3, e["vehicle.audi.etron"], electric=True), _PALETTE_B),
        ("vehicle.audi.tt", "car", "", 1, True, False, _car(1335, 145e3, e["vehicle.audi.tt"]), _PALETTE_A),
        ("vehicle.bmw.grandtourer", "car", "", 1, False, False,
         _car(1500, 100e3, e["vehicle.bmw.grandtourer"]), _PALETTE_D),
        ("vehicle.chevrolet.impala", "car", "", 1, True, False,
         _car(1600, 150e3, e["vehicle.chevrolet.impala"]), _PALETTE_C),
        ("vehicle.citroen.c3", "car", "", 1, False, False, _car(1090, 60e3, e["vehicle.citroen.c3"]), _PALETTE_C),
        ("vehicle.dodge.charger_2020", "car", "", 2, True, True,
         _car(1800, 220e3, e["vehicle.dodge.charger_2020"]), _PALETTE_B),
        ("vehicle.dodge.charger_police", "car", "emergency", 1, True, False,
         _car(1800, 220e3, e["vehicle.dodge.charger_police"]), ()),
        ("vehicle.dodge.charger_police_2020", "car", "emergency", 2, True, True,
         _car(1850, 220e3, e["vehicle.dodge.charger_police_2020"]), ()),
        ("vehicle.ford.crown", "car", "taxi", 2, True, True, _car(1800, 165e3, e["vehicle.ford.crown"]), ()),
        ("vehicle.ford.mustang", "car", "", 1, True, False, _car(1700, 300e3, e["vehicle.ford.mustang"]), _PALETTE_C),
        ("vehicle.jeep.wrangler_rubicon", "car", "", 1, False, False,
         _car(1950, 210e3, e["vehicle.jeep.wrangler_rubicon"], max_speed=45.0), _PALETTE_C),
        ("vehicle.lincoln.mkz_2017", "car", "", 1, True, False,
         _car(1700, 180e3, e["vehicle.lincoln.mkz_2017"]), _PALETTE_D),
        ("vehicle.lincoln.mkz_2020", "car", "", 2, True, True,
         _car(1750, 180e3, e["vehicle.lincoln.mkz_2020"]), _PALETTE_D),
        ("vehicle.mercedes.coupe", "car", "", 1, False, False,
         _car(1700, 200e3, e["vehicle.mercedes.coupe"]), _PALETTE_B),
        ("vehicle.mercedes.coupe_2020", "car", "", 2, True, True,
         _car(1700, 225e3, e["vehicle.mercedes.coupe_2020"]), _PALETTE_B),
        ("vehicle.micro.microlino", "car", "electric", 1, False, False,
         _car(513, 12.5e3, e["vehicle.micro.microlino"], electric=True, max_speed=25.0), _PALETTE_C),
        ("vehicle.mini.cooper_s", "car", "", 1, False, False,
         _car(1200, 140e3, e["vehicle.mini.cooper_s"]), _PALETTE_A),
        ("vehicle.mini.cooper_s_2021", "car", "", 2, True, True,
         _car(1300, 140e3, e["vehicle.mini.cooper_s_2021"]), _PALETTE_A),
        ("vehicle.nissan.micra", "car", "", 1, False, False, _car(1050, 60e3, e["vehicle.nissan.micra"]), _PALETTE_C),
        ("vehicle.nissan.patrol", "car", "", 1, False, False, _car(2500, 200e3, e["vehicle.nissan.patrol"]), _PALETTE_D),
        ("vehicle.nissan.patrol_2021", "car", "", 2, True, True,
         _car(2700, 294e3, e["vehicle.nissan.patrol_2021"]), _PALETTE_D),
        ("vehicle.seat.leon", "car", "", 1, False, False, _car(1300, 110e3, e["vehicle.seat.leon"]), _PALETTE_A),
        ("vehicle.tesla.model3", "car", "electric", 1, True, False,
         _car(1845, 211e3, e["vehicle.tesla.model3"], electric=True, wheelbase=2.875), _PALETTE_B),
        ("vehicle.toyota.prius", "car", "", 1, False, False, _car(1380, 90e3, e["vehicle.toyota.prius"]), _PALETTE_A),
        ("vehicle.tesla.cybertruck", "truck", "electric", 2, True, False,
         _car(3100, 400e3, e["vehicle.tesla.cybertruck"], electric=True), ()),
        ("vehicle.carlamotors.carlacola", "truck", "", 1, False, False,
         _heavy(7500, 180e3, e["vehicle.carlamotors.carlacola"]), ()),
        ("vehicle.carlamotors.european_hgv", "truck", "", 2, True, False,
         _heavy(12000, 330e3, e["vehicle.carlamotors.european_hgv"]), ()),
        ("vehicle.carlamotors.firetruck", "truck", "emergency", 2, True, False,
         _heavy(14000, 330e3, e["vehicle.carlamotors.firetruck"]), ()),
        ("vehicle.ford.ambulance", "van", "emergency", 2, True, True,
         _heavy(4500, 190e3, e["vehicle.ford.ambulance"], max_engine_force=9500.0, max_speed=40.0), ()),
        ("vehicle.mercedes.sprinter", "van", "", 2, True, True,
         _heavy(2800, 140e3, e["vehicle.mercedes.sprinter"], max_engine_force=7000.0, max_speed=40.0,
                drag_coefficient=0.38), _PALETTE_D),
        ("vehicle.volkswagen.t2", "van", "", 1, True, False,
         _car(1400, 50e3, e["vehicle.volkswagen.t2"], max_speed=32.0, drag_coefficient=0.44), _PALETTE_C),
        ("vehicle.volkswagen.t2_2021", "van", "", 2, True, True,
         _car(1450, 50e3, e["vehicle.volkswagen.t2_2021"], max_speed=32.0, drag_coefficient=0.44), _PALETTE_C),
        ("vehicle.mitsubishi.fusorosa", "bus", "", 2, True, True,
         _heavy(13000, 220e3, e["vehicle.mitsubishi.fusorosa"], max_speed=25.0), ()),
        ("vehicle.harley-davidson.low_rider", "motorcycle", "", 1, False, False,
         _two_wheeler(390, 70e3, e["vehicle.harley-davidson.low_rider"], False), _PALETTE_BIKE),
        ("vehicle.kawasaki.ninja", "motorcycle", "", 1, False, False,
         _two_wheeler(280, 50e3, e["vehicle.kawasaki.ninja"], False), _PALETTE_BIKE),
        ("vehicle.vespa.zx125", "motorcycle", "", 1, False, False,
         _two_wheeler(200, 11e3, e["vehicle.vespa.zx125"], False), _PALETTE_BIKE),
        ("vehicle.yamaha.yzf", "motorcycle", "", 1, False, False,
         _two_wheeler(270, 85e3, e["vehicle.yamaha.yzf"], False), _PALETTE_BIKE),
        ("vehicle.bh.crossbike", "bicycle", "", 1, False, False,
         _two_wheeler(90, 450.0, e["vehicle.bh.crossbike"], True), _PALETTE_BIKE),
        ("vehicle.diamondback.century", "bicycle", "", 1, False, False,
         _two_wheeler(85, 450.0, e["vehicle.diamondback.century"], True), _PALETTE_BIKE),
        ("vehicle.gazelle.omafiets", "bicycle", "", 1, False, False,
         _two_wheeler(95, 400.0, e["vehicle.gazelle.omafiets"], True), _PALETTE_BIKE),
    ]


def _vehicle(bp_id, base_type, special_type, generation, lights, doors, params, colors) -> BlueprintDef:
    attributes = _head(bp_id, "autopilot", "scenario", "ego_vehicle")
    if colors:
        attributes.append(_var("color", RGBCOLOR, *colors))
    if params.number_of_wheels == 2:
        attributes.append(_var("driver_id", INT, *_DRIVERS, restrict=True))
    attributes += [
        _var("sticky_control", BOOL, "true"),
        _var("terramechanics", BOOL, "false"),
        _fixed("object_type", STRING, ""),
        _fixed("base_type", STRING, base_type),
        _fixed("special_type", STRING, special_type),
        _fixed("number_of_wheels", INT, str(params.number_of_wheels)),
        _fixed("generation", INT, str(generation)),
        _fixed("has_dynamic_doors", BOOL, _flag(doors)),
        _fixed("has_lights", BOOL, _flag(lights)),
    ]
    return BlueprintDef(bp_id, _tags(bp_id), tuple(attributes), "vehicle", _E[bp_id], params)


# -- walkers -------------------------------------------------------------------------------------------

_CHILDREN = {9, 10, 11, 12, 13, 14, 48, 49}
_FEMALE = {1, 5, 6, 7, 8, 9, 11, 13, 16, 17, 18, 19, 20, 22, 24, 26, 29, 31, 33, 36, 38, 40, 42, 44, 46, 48}
_WALKER_SPEEDS = ("0.0", "1.4", "2.6")     # standing, walking, running (m/s)
ADULT_EXTENT = (0.19, 0.19, 0.92)
CHILD_EXTENT = (0.19, 0.19, 0.62)
WALKER_IDS = tuple(f"{n:04d}" for n in range(1, 50))


def _walker(number: int) -> BlueprintDef:
    bp_id = f"walker.pedestrian.{number:04d}"
    child = number in _CHILDREN
    attributes = _head(bp_id, "pedestrian") + [
        _var("speed", FLOAT, *_WALKER_SPEEDS),
        _var("is_invincible", BOOL, "true"),
        _var("use_wheelchair", BOOL, "false", restrict=True),
        _fixed("gender", STRING, "female" if number in _FEMALE else "male"),
        _fixed("generation", INT, "1" if number <= 14 else "2"),
        _fixed("age", STRING, "child" if child else "adult"),
        _fixed("can_use_wheelchair", BOOL, "false"),
    ]
    return BlueprintDef(bp_id, _tags(bp_id), tuple(attributes), "walker", CHILD_EXTENT if child else ADULT_EXTENT)


# -- sensors -------------------------------------------------------------------------------------------

def _camera(name: str, post_process: bool) -> BlueprintDef:
    bp_id = f"sensor.camera.{name}"
    attributes = _head(bp_id, *_SENSOR_ROLES) + [
        _var("sensor_tick", FLOAT, "0.0"),
        _var("image_size_x", INT, "800"), _var("image_size_y", INT, "600"), _var("fov", FLOAT, "90.0"),
        _var("lens_circle_falloff", FLOAT, "5.0"), _var("lens_circle_multiplier", FLOAT, "0.0"),
        _var("lens_k", FLOAT, "-1.0"), _var("lens_kcube", FLOAT, "0.0"),
        _var("lens_x_size", FLOAT, "0.08"), _var("lens_y_size", FLOAT, "0.08"),
    ]
    if post_process:
        attributes += [
            _var("exposure_mode", STRING, "histogram", "manual", restrict=True),
            _var("exposure_compensation", FLOAT, "0.0"), _var("shutter_speed", FLOAT, "200.0"),
            _var("iso", FLOAT, "100.0"), _var("fstop", FLOAT, "1.4"),
            _var("enable_postprocess_effects", BOOL, "true"), _var("gamma", FLOAT, "2.2"),
            _var("motion_blur_intensity", FLOAT, "0.45"), _var("motion_blur_max_distortion", FLOAT, "0.35"),
            _var("lens_flare_intensity", FLOAT, "0.1"), _var("bloom_intensity", FLOAT, "0.675"),
            _var("motion_blur_min_object_screen_size", FLOAT, "0.1"),
            _var("exposure_min_bright", FLOAT, "10.0"), _var("exposure_max_bright", FLOAT, "12.0"),
            _var("exposure_speed_up", FLOAT, "3.0"), _var("exposure_speed_down", FLOAT, "1.0"),
            _var("calibration_constant", FLOAT, "16.0"), _var("focal_distance", FLOAT, "1000.0"),
            _var("min_fstop", FLOAT, "1.2"), _var("blade_count", INT, "5"),
            _var("blur_amount", FLOAT, "1.0"), _var("blur_radius", FLOAT, "0.0"),
            _var("slope", FLOAT, "0.88"), _var("toe", FLOAT, "0.55"), _var("shoulder", FLOAT, "0.26"),
            _var("black_clip", FLOAT, "0.0"), _var("white_clip", FLOAT, "0.04"),
            _var("temp", FLOAT, "6500.0"), _var("tint", FLOAT, "0.0"),
            _var("chromatic_aberration_intensity", FLOAT, "0.0"), _var("chromatic_aberration_offset", FLOAT, "0.0"),
        ]
    return BlueprintDef(bp_id, _tags(bp_id), tuple(attributes), "sensor")


def _lidar(name: str) -> BlueprintDef:
    bp_id = f"sensor.lidar.{name}"
    attributes = _head(bp_id, *_SENSOR_ROLES) + [
        _var("sensor_tick", FLOAT, "0.0"),
        _var("channels", INT, "32"), _var("range", FLOAT, "10.0"), _var("points_per_second", INT, "56000"),
        _var("rotation_frequency", FLOAT, "10.0"), _var("upper_fov", FLOAT, "10.0"), _var("lower_fov", FLOAT, "-30.0"),
    ]
    if name == "ray_cast":
        attributes += [
            _var("atmosphere_attenuation_rate", FLOAT, "0.004"), _var("noise_seed", INT, "0"),
            _var("dropoff_general_rate", FLOAT, "0.45"), _var("dropoff_intensity_limit", FLOAT, "0.8"),
            _var("dropoff_zero_intensity", FLOAT, "0.4"), _var("noise_stddev", FLOAT, "0.0"),
        ]
    attributes.append(_var("horizontal_fov", FLOAT, "360.0"))
    return BlueprintDef(bp_id, _tags(bp_id), tuple(attributes), "sensor")


def _sensor(bp_id: str, roles: tuple, ticks: bool, extra: list) -> BlueprintDef:
    attributes = _head(bp_id, *roles)
    if ticks:
        attributes.append(_var("sensor_tick", FLOAT, "0.0"))
    return BlueprintDef(bp_id, _tags(bp_id), tuple(attributes + extra), "sensor")


def _other_sensors() -> list:
    zero = "0.0"
    return [
        _sensor("sensor.other.collision", _SENSOR_ROLES, False, []),
        _sensor("sensor.other.lane_invasion", _SENSOR_ROLES, False, []),
        _sensor("sensor.other.obstacle", _SENSOR_ROLES, True, [
            _var("distance", FLOAT, "5.0"), _var("hit_radius", FLOAT, "0.5"),
            _var("only_dynamics", BOOL, "false"), _var("debug_linetrace", BOOL, "false")]),
        _sensor("sensor.other.gnss", (), True, [_var("noise_seed", INT, "0")] + [
            _var(f"noise_{axis}_{kind}", FLOAT, zero) for axis in ("lat", "lon", "alt") for kind in ("stddev", "bias")]),
        _sensor("sensor.other.imu", (), True, [_var("noise_seed", INT, "0")]
                + [_var(f"noise_accel_stddev_{c}", FLOAT, zero) for c in "xyz"]
                + [_var(f"noise_gyro_stddev_{c}", FLOAT, zero) for c in "xyz"]
                + [_var(f"noise_gyro_bias_{c}", FLOAT, zero) for c in "xyz"]),
        _sensor("sensor.other.radar", (), True, [
            _var("horizontal_fov", FLOAT, "30"), _var("vertical_fov", FLOAT, "30"), _var("range", FLOAT, "100"),
            _var("points_per_second", INT, "1500"), _var("noise_seed", INT, "0")]),
    ]


# -- the library ---------------------------------------------------------------------------------------

def _build_library() -> tuple:
    library = [_vehicle(row[0], *row[1:6], row[6], row[7]) for row in _vehicle_rows()]
    library += [_walker(n) for n in range(1, 50)]
    library += [
        _camera("rgb", True), _camera("depth", False), _camera("semantic_segmentation", False),
        _camera("instance_segmentation", False),
        _lidar("ray_cast"), _lidar("ray_cast_semantic"),
    ]
    library += _other_sensors()
    controller = "controller.ai.walker"
    library.append(BlueprintDef(controller, _tags(controller), tuple(_head(controller)), "controller"))
    return tuple(library)


def _unlisted() -> dict:
    """Actor types that exist in a world but are not spawnable blueprints."""
    kinds = {"spectator": "spectator", "traffic.traffic_light": "traffic_light", "traffic.stop": "traffic_sign",
             "traffic.yield": "traffic_sign", "traffic.unknown": "traffic_sign"}
    for limit in (30, 40, 50, 60, 90, 100, 120, 130):
        kinds[f"traffic.speed_limit.{limit}"] = "traffic_sign"
    return {bp_id: BlueprintDef(bp_id, _tags(bp_id), (), kind) for bp_id, kind in kinds.items()}


_LIBRARY: Tuple[BlueprintDef, ...] = _build_library()
_BY_ID = {bp.id: bp for bp in _LIBRARY}
_BY_ID.update(_unlisted())


def blueprint_library() -> tuple:
    """Every spawnable blueprint, in a stable order."""
    return _LIBRARY


def find_blueprint(blueprint_id: str) -> Optional[BlueprintDef]:
    """The blueprint (or unlisted actor type such as ``spectator``) with this id, or None."""
    return _BY_ID.get(blueprint_id)
