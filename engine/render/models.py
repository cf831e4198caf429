"""Low-poly models of vehicles and walkers, in the actor's local frame (x forward, y right, z up).

Vehicles have their origin on the ground under the centre and fill the blueprint's extent box; two-wheelers
carry a rider (tag Rider) sitting above that box, as CARLA's do. Walkers have their origin at mid-body and
span z in [-extent_z, +extent_z]. Body panels of paintable vehicles (blueprints with a ``color``
attribute) carry FLAG_PAINT so the renderer applies each actor's paint colour.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from engine.render.primitives import (MeshBuilder, Part, beam, box, cylinder, ellipsoid, extrude_xz, merge_parts,
                                      ring_y, rotation_x, srgb8, srgb_to_linear)
from engine.render.scene_data import FLAG_PAINT, Mesh
from engine.render.semantic_tags import CityObjectLabel as Tag
from engine.world.actors import semantic_tags_for
from engine.world.blueprints import BlueprintDef

DEFAULT_PAINT = (0.5, 0.5, 0.5)

GLASS = srgb8(26, 32, 40)
TIRE = srgb8(24, 24, 24)
RIM = srgb8(150, 152, 156)
TRIM = srgb8(36, 36, 38)
HEADLIGHT = srgb8(235, 235, 220)
TAILLIGHT = srgb8(170, 18, 18)
SIREN_RED, SIREN_BLUE = srgb8(220, 20, 20), srgb8(20, 60, 230)
CHROME = srgb8(175, 178, 182)
SEAT = srgb8(20, 20, 20)

# Car silhouettes: (x along the length from the rear, z up), both as fractions of the extent box.
# "lower" is the body below the windows, "cabin" the greenhouse: bottom, windshield, roof, rear window.
CAR_STYLES = {
    "sedan": dict(lower=[(0.0, 0.22), (0.02, 0.14), (0.98, 0.14), (1.0, 0.24), (1.0, 0.40), (0.97, 0.50),
                         (0.70, 0.56), (0.08, 0.56), (0.0, 0.48)],
                  cabin=[(0.20, 0.54), (0.72, 0.54), (0.56, 1.0), (0.28, 1.0)], cabin_width=0.82, b_pillar=0.46),
    "hatchback": dict(lower=[(0.0, 0.22), (0.02, 0.14), (0.98, 0.14), (1.0, 0.24), (1.0, 0.42), (0.96, 0.52),
                             (0.68, 0.58), (0.03, 0.60), (0.0, 0.55)],
                      cabin=[(0.04, 0.56), (0.68, 0.56), (0.50, 1.0), (0.10, 1.0)], cabin_width=0.84, b_pillar=0.40),
    "suv": dict(lower=[(0.0, 0.20), (0.01, 0.13), (0.99, 0.13), (1.0, 0.22), (1.0, 0.48), (0.97, 0.54),
                       (0.74, 0.56), (0.02, 0.56), (0.0, 0.52)],
                cabin=[(0.03, 0.54), (0.74, 0.54), (0.62, 1.0), (0.05, 1.0)], cabin_width=0.88, b_pillar=0.42),
    "pickup": dict(lower=[(0.0, 0.20), (0.01, 0.13), (0.99, 0.13), (1.0, 0.22), (1.0, 0.48), (0.96, 0.54),
                          (0.74, 0.56), (0.02, 0.56), (0.0, 0.52)],
                   cabin=[(0.34, 0.54), (0.76, 0.54), (0.62, 1.0), (0.40, 1.0)], cabin_width=0.86, b_pillar=0.50),
}

# Vehicles without a "color" attribute have fixed liveries: body colour and optional extras.
LIVERIES = {
    "vehicle.dodge.charger_police": dict(body=srgb8(18, 18, 20), doors=srgb8(235, 235, 235), siren=True),
    "vehicle.dodge.charger_police_2020": dict(body=srgb8(18, 18, 20), doors=srgb8(235, 235, 235), siren=True),
    "vehicle.ford.crown": dict(body=srgb8(240, 190, 20), roof_sign=True),
    "vehicle.tesla.cybertruck": dict(body=srgb8(150, 152, 156)),
    "vehicle.carlamotors.carlacola": dict(body=srgb8(190, 20, 24), cargo=srgb8(235, 235, 235)),
    "vehicle.carlamotors.european_hgv": dict(body=srgb8(230, 230, 232), cargo=srgb8(160, 165, 172)),
    "vehicle.carlamotors.firetruck": dict(body=srgb8(190, 16, 16), cargo=srgb8(190, 16, 16), ladder=True, siren=True),
    "vehicle.ford.ambulance": dict(body=srgb8(240, 240, 240), stripe=srgb8(200, 20, 20), siren=True),
    "vehicle.mitsubishi.fusorosa": dict(body=srgb8(236, 236, 232), stripe=srgb8(30, 80, 170)),
}
FALLBACK_BODY = srgb8(200, 200, 200)

SKIN = tuple(srgb8(*c) for c in ((255, 219, 172), (241, 194, 125), (224, 172, 105), (198, 134, 66),
                                 (141, 85, 36), (94, 60, 36)))
HAIR = tuple(srgb8(*c) for c in ((20, 16, 14), (70, 44, 24), (140, 96, 50), (200, 170, 110), (120, 120, 120)))
SHIRTS = tuple(srgb8(*c) for c in ((180, 30, 30), (30, 80, 160), (240, 240, 236), (40, 120, 60), (230, 180, 40),
                                   (90, 40, 120), (60, 60, 64), (200, 110, 40), (120, 170, 200), (160, 130, 100)))
TROUSERS = tuple(srgb8(*c) for c in ((30, 40, 70), (40, 40, 42), (110, 90, 70), (70, 80, 60), (150, 140, 120),
                                     (20, 20, 24), (90, 100, 120), (120, 40, 40)))
SHOES = tuple(srgb8(*c) for c in ((20, 20, 20), (90, 60, 40), (230, 230, 230)))


# -- public API ----------------------------------------------------------------------------------------------------

def paint_color(attributes: dict) -> tuple:
    """Linear (r, g, b) in 0..1 of an actor's ``color`` attribute ("r,g,b" sRGB bytes); grey without one."""
    text = attributes.get("color")
    if text is None or text == "":
        return DEFAULT_PAINT
    try:
        values = [int(v) for v in str(text).split(",")]
    except ValueError:
        raise ValueError(f"color attribute {text!r} is not 'r,g,b'") from None
    if len(values) != 3 or not all(0 <= v <= 255 for v in values):
        raise ValueError(f"color attribute {text!r} is not 'r,g,b' with components 0..255")
    return tuple(float(c) for c in srgb_to_linear(np.array(values) / 255.0))


def model_key(bp: BlueprintDef) -> tuple:
    """Everything a model depends on: blueprints with equal keys share one model."""
    if bp.kind == "vehicle":
        defaults = bp.defaults()
        return ("vehicle", _vehicle_shape(bp), tuple(bp.extent), defaults.get("color", ""),
                tuple(sorted(LIVERIES.get(bp.id, {}))), bp.id if bp.id in LIVERIES else "")
    if bp.kind == "walker":
        return ("walker", tuple(bp.extent), _walker_look(bp))
    raise ValueError(f"{bp.id} ({bp.kind}) has no model: only vehicles and walkers are drawn as actors")


def model_for_blueprint(bp: BlueprintDef) -> Mesh:
    """The model of a vehicle or walker blueprint (actor-local frame, CARLA convention)."""
    if bp.kind == "vehicle":
        return _vehicle_model(bp)
    if bp.kind == "walker":
        return _walker_model(bp)
    raise ValueError(f"{bp.id} ({bp.kind}) has no model: only vehicles and walkers are drawn as actors")


# -- vehicles ------------------------------------------------------------------------------------------------------

@dataclasses.dataclass
class _Painter:
    """Adds parts with the vehicle's tag; body parts are painted (or in the livery colour)."""
    builder: MeshBuilder
    tag: int
    body_color: np.ndarray
    paintable: bool

    def body(self, part: Part, color=None) -> None:
        if color is not None:
            self.builder.add(part, color, self.tag)
        else:
            self.builder.add(part, self.body_color, self.tag, FLAG_PAINT if self.paintable else 0)

    def fixed(self, part: Part, color) -> None:
        self.builder.add(part, color, self.tag)


def _vehicle_shape(bp: BlueprintDef) -> str:
    base = bp.defaults().get("base_type", "car").lower()
    ex, _, ez = bp.extent
    if base == "car":
        if ez >= 0.9 or ez / ex >= 0.45:
            return "suv"
        return "hatchback" if ex < 2.15 else "sedan"
    if base == "truck":
        return "pickup" if ex < 3.5 and "cybertruck" in bp.id else "cab_truck"
    if base in ("van", "bus", "motorcycle", "bicycle"):
        return base
    raise ValueError(f"{bp.id}: no model for vehicle base_type {base!r}")


def _vehicle_model(bp: BlueprintDef) -> Mesh:
    defaults = bp.defaults()
    livery = LIVERIES.get(bp.id, {})
    paintable = "color" in defaults
    if paintable:
        body_color = np.array(paint_color(defaults), dtype=np.float32)
    else:
        body_color = np.asarray(livery.get("body", FALLBACK_BODY), dtype=np.float32)
    tag = semantic_tags_for("vehicle", defaults)[0]
    painter = _Painter(MeshBuilder(), tag, body_color, paintable)
    shape = _vehicle_shape(bp)
    ex, ey, ez = bp.extent
    params = bp.vehicle
    if shape in CAR_STYLES:
        _car(painter, shape, ex, ey, ez, params, livery)
    elif shape == "van":
        _van(painter, ex, ey, ez, params, livery, bp.id)
    elif shape == "cab_truck":
        _cab_truck(painter, ex, ey, ez, livery)
    elif shape == "bus":
        _bus(painter, ex, ey, ez, livery)
    elif shape == "motorcycle":
        _motorcycle(painter, ex, ey, ez)
        _rider(painter.builder, ex, ez, motorcycle=True)
    else:
        _bicycle(painter, ex, ey, ez)
        _rider(painter.builder, ex, ez, motorcycle=False)
    return painter.builder.build()


def _wheel(painter: _Painter, x: float, ey: float, radius: float, width: float, side: int) -> None:
    """A tyre with its outer face at |y| = ey (side +1 left, -1 right in the building frame)."""
    outer = ey - 0.006
    tyre = cylinder(radius, outer - width, outer, segments=12).moved(rotation_x(-math.pi / 2))
    hub = cylinder(0.55 * radius, outer - 0.03, ey, segments=8).moved(rotation_x(-math.pi / 2))
    flip = np.diag([1.0, float(side), 1.0])
    for part, color in ((tyre, TIRE), (hub, RIM)):
        positions = part.positions @ flip
        normals = part.normals @ flip
        indices = part.indices if side > 0 else part.indices.reshape(-1, 3)[:, ::-1].reshape(-1)
        painter.fixed(Part(positions + [x, 0.0, radius], normals, indices), color)


def _axles(ex: float, radius: float, wheelbase: float) -> tuple:
    half = min(0.5 * wheelbase, ex - radius - 0.08)
    return half, -half


def _both_sides(make):
    """A part built for the left side (y > 0) and its mirror image on the right."""
    left = make()
    mirrored = Part(left.positions * [1.0, -1.0, 1.0], left.normals * [1.0, -1.0, 1.0],
                    left.indices.reshape(-1, 3)[:, ::-1].reshape(-1))
    return merge_parts([left, mirrored])


def _lights(painter: _Painter, front_x: float, rear_x: float, half_width: float, head_z, tail_z) -> None:
    for y0, y1 in ((0.55, 0.88), (-0.88, -0.55)):
        painter.fixed(box([front_x - 0.02, y0 * half_width, head_z[0]], [front_x, y1 * half_width, head_z[1]]),
                      HEADLIGHT)
        painter.fixed(box([rear_x, y0 * half_width, tail_z[0]], [rear_x + 0.02, y1 * half_width, tail_z[1]]),
                      TAILLIGHT)


def _siren(painter: _Painter, x: float, z: float, half_width: float) -> None:
    painter.fixed(box([x - 0.12, 0.0, z], [x + 0.12, half_width, z + 0.08]), SIREN_RED)
    painter.fixed(box([x - 0.12, -half_width, z], [x + 0.12, 0.0, z + 0.08]), SIREN_BLUE)


def _car(painter: _Painter, style_name: str, ex, ey, ez, params, livery: dict) -> None:
    style = CAR_STYLES[style_name]
    length, height = 2.0 * ex - 0.02, 2.0 * ez
    roof_extra = 0.09 if (livery.get("siren") or livery.get("roof_sign")) else 0.0
    top = height - roof_extra

    def xz(points, z_scale=top):
        return [(-ex + 0.01 + f * length, g * z_scale) for f, g in points]

    radius = float(np.clip(0.2 * height + 0.02, 0.26, 0.42))
    tyre_width = min(0.24, 0.28 * ey)
    half_width = ey - 0.05
    front, rear = _axles(ex, radius, params.wheelbase if params else 1.2 * ex)
    for x in (front, rear):
        for side in (1, -1):
            _wheel(painter, x, ey, radius, tyre_width, side)

    lower = xz(style["lower"])
    caps, edges = extrude_xz(lower, -half_width, half_width)
    painter.body(merge_parts([caps] + edges))
    cabin_half = style["cabin_width"] * half_width
    cabin = xz(style["cabin"])
    caps, (bottom, windshield, roof, rear_window) = extrude_xz(cabin, -cabin_half, cabin_half)
    painter.fixed(merge_parts([caps, windshield, rear_window]), GLASS)
    painter.body(roof)
    # Pillars along the glass edges and a B-pillar, painted like the body.
    inset = 0.03
    (rx0, z0), (fx0, _), (fx1, z1), (rx1, _) = cabin
    pillars = []
    for side in (1.0, -1.0):
        y = side * (cabin_half - inset + 0.004)
        pillars.append(beam([fx0 - 0.02, y, z0], [fx1, y, z1 - inset], inset))
        pillars.append(beam([rx0 + 0.02, y, z0], [rx1, y, z1 - inset], inset))
    bx = -ex + 0.01 + style["b_pillar"] * length
    pillars.append(box([bx - 0.04, -cabin_half - 0.006, z0], [bx + 0.04, cabin_half + 0.006, z1 - 0.005],
                       faces=("+x", "-x", "+y", "-y")))
    painter.body(merge_parts(pillars))
    mirror_x = fx0 - 0.05
    painter.body(_both_sides(lambda: box([mirror_x - 0.08, half_width, z0 + 0.02], [mirror_x, ey - 0.005, z0 + 0.12])))
    front_x, rear_x = ex, -ex
    painter.fixed(box([front_x - 0.12, -half_width, 0.13 * top], [front_x, half_width, 0.25 * top]), TRIM)
    painter.fixed(box([rear_x, -half_width, 0.13 * top], [rear_x + 0.1, half_width, 0.24 * top]), TRIM)
    painter.fixed(box([front_x - 0.02, -0.45 * half_width, 0.27 * top], [front_x, 0.45 * half_width, 0.36 * top]),
                  TRIM)
    _lights(painter, front_x, rear_x, half_width, (0.36 * top, 0.42 * top), (0.40 * top, 0.46 * top))
    if livery.get("doors") is not None:
        door_x0, door_x1 = -ex + 0.30 * length, -ex + 0.70 * length
        doors = _both_sides(lambda: box([door_x0, half_width, 0.2 * top], [door_x1, half_width + 0.006, 0.5 * top],
                                        faces=("+y",)))
        painter.body(doors, livery["doors"])
    roof_x = -ex + 0.01 + 0.5 * (style["cabin"][2][0] + style["cabin"][3][0]) * length
    if livery.get("siren"):
        _siren(painter, roof_x, top, 0.45 * cabin_half)
    if livery.get("roof_sign"):
        painter.fixed(box([roof_x - 0.1, -0.3, top], [roof_x + 0.1, 0.3, top + 0.09]), srgb8(250, 250, 240))
    if style_name == "pickup":
        bed_x0, bed_x1 = -ex + 0.02, -ex + 0.01 + style["cabin"][0][0] * length
        bed_z0, bed_z1 = 0.56 * top, 0.70 * top
        walls = [box([bed_x0, half_width - 0.06, bed_z0], [bed_x1, half_width, bed_z1]),
                 box([bed_x0, -half_width, bed_z0], [bed_x1, -half_width + 0.06, bed_z1]),
                 box([bed_x0, -half_width + 0.06, bed_z0], [bed_x0 + 0.06, half_width - 0.06, bed_z1])]
        painter.body(merge_parts(walls))


def _van(painter: _Painter, ex, ey, ez, params, livery: dict, bp_id: str) -> None:
    length, height = 2.0 * ex - 0.02, 2.0 * ez
    top = height - (0.09 if livery.get("siren") else 0.0)
    radius = float(np.clip(0.17 * height + 0.02, 0.3, 0.4))
    half_width = ey - 0.05
    front, rear = _axles(ex, radius, params.wheelbase if params else 1.2 * ex)
    for x in (front, rear):
        for side in (1, -1):
            _wheel(painter, x, ey, radius, min(0.24, 0.25 * ey), side)

    def xz(points):
        return [(-ex + 0.01 + f * length, g * top) for f, g in points]

    lower = xz([(0.0, 0.16), (0.01, 0.11), (0.99, 0.11), (1.0, 0.20), (1.0, 0.40), (0.96, 0.46), (0.0, 0.47)])
    caps, edges = extrude_xz(lower, -half_width, half_width)
    painter.body(merge_parts([caps] + edges))
    box_half = 0.97 * half_width
    upper = xz([(0.0, 0.45), (0.90, 0.45), (0.80, 1.0), (0.0, 1.0)])
    caps, (bottom, windshield, roof, back) = extrude_xz(upper, -box_half, box_half)
    painter.body(merge_parts([caps, roof, back]))
    painter.fixed(windshield, GLASS)
    window_from = 0.06 if "t2" in bp_id else 0.55
    wx0, wx1 = -ex + 0.01 + window_from * length, -ex + 0.01 + 0.80 * length
    painter.fixed(_both_sides(lambda: box([wx0, box_half, 0.58 * top], [wx1, box_half + 0.006, 0.9 * top],
                                          faces=("+y",))), GLASS)
    painter.fixed(box([-ex + 0.004, -0.8 * box_half, 0.6 * top], [-ex + 0.012, 0.8 * box_half, 0.9 * top],
                      faces=("-x",)), GLASS)
    if livery.get("stripe") is not None:
        painter.body(_both_sides(lambda: box([-ex + 0.02, half_width, 0.30 * top], [ex - 0.1, half_width + 0.006,
                                                                                     0.38 * top], faces=("+y",))),
                     livery["stripe"])
    painter.fixed(box([ex - 0.1, -half_width, 0.11 * top], [ex, half_width, 0.2 * top]), TRIM)
    _lights(painter, ex, -ex, half_width, (0.30 * top, 0.37 * top), (0.30 * top, 0.40 * top))
    if livery.get("siren"):
        _siren(painter, ex - 0.2 * length, top, 0.5 * half_width)


def _cab_truck(painter: _Painter, ex, ey, ez, livery: dict) -> None:
    length, height = 2.0 * ex, 2.0 * ez
    radius = float(np.clip(0.14 * height, 0.4, 0.55))
    half_width = ey - 0.06
    front_x = ex - 0.01
    cab_length = min(2.3, 0.32 * length)
    cab_top = 0.86 * height
    cab_bottom = 0.9 * radius
    cab = [(front_x - cab_length, cab_bottom), (front_x, cab_bottom), (front_x, cab_top - 0.25),
           (front_x - 0.2, cab_top), (front_x - cab_length, cab_top)]
    caps, edges = extrude_xz(cab, -half_width, half_width)
    painter.body(merge_parts([caps] + edges))
    glass_z0, glass_z1 = cab_bottom + 0.5 * (cab_top - cab_bottom), cab_top - 0.35
    painter.fixed(box([front_x, -0.85 * half_width, glass_z0], [ex, 0.85 * half_width, glass_z1], faces=("+x",)),
                  GLASS)
    painter.fixed(_both_sides(lambda: box([front_x - cab_length + 0.3, half_width, glass_z0],
                                          [front_x - 0.3, half_width + 0.006, glass_z1], faces=("+y",))), GLASS)
    cargo_front = front_x - cab_length - 0.15
    cargo_bottom = 1.9 * radius
    cargo_top = 0.86 * height if livery.get("ladder") else height
    cargo_color = livery.get("cargo")
    painter.body(box([-ex + 0.01, -half_width, cargo_bottom], [cargo_front, half_width, cargo_top]), cargo_color)
    painter.fixed(box([-ex + 0.3, -0.55 * half_width, 0.8 * radius], [front_x - 0.3, 0.55 * half_width,
                                                                          cargo_bottom]), TRIM)
    painter.fixed(box([ex - 0.12, -half_width, 0.5 * radius], [ex, half_width, cab_bottom + 0.25]), TRIM)
    if livery.get("ladder"):
        rails = [box([-ex + 0.3, y - 0.04, cargo_top + 0.02], [cargo_front - 0.3, y + 0.04, height - 0.02])
                 for y in (-0.35, 0.35)]
        rungs = [box([x - 0.03, -0.31, cargo_top + 0.05], [x + 0.03, 0.31, height - 0.05])
                 for x in np.arange(-ex + 0.5, cargo_front - 0.4, 0.5)]
        painter.fixed(merge_parts(rails + rungs), CHROME)
        stripe = (0.6 * cargo_top, 0.6 * cargo_top + 0.12)
        painter.fixed(_both_sides(lambda: box([-ex + 0.05, half_width, stripe[0]], [cargo_front, half_width + 0.006,
                                                                                   stripe[1]], faces=("+y",))),
                      srgb8(235, 235, 235))
        _siren(painter, front_x - 0.6 * cab_length, cab_top, 0.5 * half_width)
    _lights(painter, ex, -ex, half_width, (cab_bottom + 0.15, cab_bottom + 0.3), (cargo_bottom - 0.25, cargo_bottom))
    front_axle = front_x - 0.5 * cab_length
    rear_axles = [-ex + 0.2 * length + 0.7, -ex + 0.2 * length - 0.7] if length > 7.0 else [-ex + 0.22 * length]
    for x in [front_axle] + rear_axles:
        x = float(np.clip(x, -ex + radius + 0.05, ex - radius - 0.05))
        for side in (1, -1):
            _wheel(painter, x, ey, radius, 0.3, side)


def _bus(painter: _Painter, ex, ey, ez, livery: dict) -> None:
    length, height = 2.0 * ex - 0.02, 2.0 * ez
    radius = 0.5
    half_width = ey - 0.05
    profile = [(-ex + 0.01, 0.6 * radius), (ex - 0.01, 0.6 * radius), (ex - 0.01, height - 0.2), (ex - 0.2, height),
               (-ex + 0.15, height), (-ex + 0.01, height - 0.15)]
    caps, edges = extrude_xz(profile, -half_width, half_width)
    painter.body(merge_parts([caps] + edges))
    painter.fixed(_both_sides(lambda: box([-ex + 0.4, half_width, 0.5 * height], [ex - 0.9, half_width + 0.006,
                                                                                     0.88 * height], faces=("+y",))),
                  GLASS)
    painter.fixed(box([ex - 0.01, -0.9 * half_width, 0.35 * height], [ex, 0.9 * half_width, 0.9 * height],
                      faces=("+x",)), GLASS)
    # Doors on the kerb side: the right, which is -y while building (CARLA's +y once mirrored).
    for x in (ex - 0.9, 0.0):
        painter.fixed(box([x - 0.6, -half_width - 0.006, 0.25 * height], [x + 0.3, -half_width, 0.88 * height],
                          faces=("-y",)), GLASS)
    if livery.get("stripe") is not None:
        painter.body(_both_sides(lambda: box([-ex + 0.02, half_width, 0.36 * height], [ex - 0.02, half_width + 0.006,
                                                                                         0.44 * height],
                                             faces=("+y",))), livery["stripe"])
    _lights(painter, ex, -ex, half_width, (0.18 * height, 0.24 * height), (0.2 * height, 0.3 * height))
    for x in (ex - 0.22 * length, -ex + 0.25 * length):
        for side in (1, -1):
            _wheel(painter, x, ey, radius, 0.3, side)


def _motorcycle(painter: _Painter, ex, ey, ez) -> None:
    height = 2.0 * ez
    radius = min(0.34, 0.3 * height)
    axle = ex - radius - 0.01
    for x in (axle, -axle):
        tyre = cylinder(radius, -0.07, 0.07, segments=16).moved(rotation_x(-math.pi / 2), (x, 0.0, radius))
        hub = cylinder(0.45 * radius, -0.085, 0.085, segments=8).moved(rotation_x(-math.pi / 2), (x, 0.0, radius))
        painter.fixed(tyre, TIRE)
        painter.fixed(hub, RIM)
    painter.fixed(box([-0.25, -0.15, 0.25], [0.35, 0.15, 0.6]), srgb8(60, 60, 64))                  # engine
    painter.body(box([0.0, -0.14, 0.6], [0.5, 0.14, 0.86]))                                          # tank
    painter.fixed(box([-0.55, -0.14, 0.6], [0.02, 0.14, 0.74]), SEAT)                                # seat
    painter.body(beam([-axle - 0.1, 0.0, radius + 0.2], [-0.45, 0.0, 0.62], 0.1, 0.03))              # rear fender
    head = (axle - 0.28, 0.0, min(height - 0.12, 0.98))
    for y in (-0.08, 0.08):
        painter.fixed(beam([axle, y, radius], [head[0], y, head[2]], 0.025), CHROME)                 # fork
    bar_half = ey - 0.02
    painter.fixed(beam([head[0], -bar_half, head[2] + 0.06], [head[0], bar_half, head[2] + 0.06], 0.02), TRIM)
    painter.fixed(box([head[0] + 0.05, -0.09, head[2] - 0.14], [head[0] + 0.16, 0.09, head[2] - 0.02]), HEADLIGHT)
    painter.fixed(box([-axle - 0.2, -0.06, 0.72], [-axle - 0.12, 0.06, 0.8]), TAILLIGHT)


def _bicycle(painter: _Painter, ex, ey, ez) -> None:
    height = 2.0 * ez
    radius = min(0.34, 0.46 * ex)
    a = ex - radius - 0.01
    for x in (a, -a):
        painter.fixed(ring_y(radius, radius - 0.045, 0.02, segments=16).moved(offset=(x, 0.0, radius)), TIRE)
        painter.fixed(cylinder(0.04, -0.05, 0.05, segments=6).moved(rotation_x(-math.pi / 2), (x, 0.0, radius)),
                      RIM)
        for angle in np.arange(4) * math.pi / 4:
            d = (radius - 0.045) * np.array([math.cos(angle), 0.0, math.sin(angle)])
            centre = np.array([x, 0.0, radius])
            painter.fixed(beam(centre - d, centre + d, 0.004), RIM)
    rear, front = np.array([-a, 0.0, radius]), np.array([a, 0.0, radius])
    bracket = np.array([-0.1 * a, 0.0, radius - 0.05])
    seat_top = np.array([-0.35 * a, 0.0, min(radius + 0.5, height - 0.2)])
    head_top = np.array([0.72 * a, 0.0, min(radius + 0.48, height - 0.15)])
    head_bottom = np.array([0.78 * a, 0.0, head_top[2] - 0.16])
    tube = 0.018
    frame = [beam(bracket, seat_top, tube), beam(seat_top, head_top, tube), beam(bracket, head_bottom, tube),
             beam(head_bottom, head_top, tube)]
    for y in (-0.05, 0.05):
        side = np.array([0.0, y, 0.0])
        frame += [beam(rear + side, bracket + side * 0.5, 0.012), beam(rear + side, seat_top + side * 0.3, 0.012),
                  beam(head_bottom + side * 0.5, front + side, 0.014)]
    painter.body(merge_parts(frame))
    stem_top = head_top + [0.0, 0.0, min(0.12, height - 0.02 - head_top[2])]
    painter.fixed(beam(head_top, stem_top, 0.015), TRIM)
    bar_half = ey - 0.02
    painter.fixed(beam(stem_top + [0.0, -bar_half, 0.0], stem_top + [0.0, bar_half, 0.0], 0.012), TRIM)
    painter.fixed(box(seat_top + [-0.14, -0.07, 0.0], seat_top + [0.1, 0.07, 0.06]), SEAT)
    painter.fixed(box(bracket + [-0.09, -0.1, -0.03], bracket + [0.09, 0.1, 0.03]), TRIM)


# -- people --------------------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class _Look:
    skin: int
    hair: int
    shirt: int
    trousers: int
    shoes: int
    long_hair: bool
    skirt: bool


def _walker_look(bp: BlueprintDef) -> _Look:
    number = int(bp.id.rsplit(".", 1)[-1]) if bp.id.rsplit(".", 1)[-1].isdigit() else 0
    female = bp.defaults().get("gender", "") == "female"
    return _Look(skin=(number * 5 + 1) % len(SKIN), hair=(number * 3) % len(HAIR), shirt=(number * 7) % len(SHIRTS),
                 trousers=(number * 11 + 3) % len(TROUSERS), shoes=number % len(SHOES), long_hair=female,
                 skirt=female and number % 3 == 0)


def _standing_figure(builder: MeshBuilder, height: float, half_width: float, look: _Look, z0: float) -> None:
    """A standing person, feet at z0, head top at z0 + height, within |y| <= half_width."""
    h, tag = height, Tag.Pedestrians
    k = h / 1.84
    torso_half = min(0.12 * k + 0.02, half_width - 0.075)
    arm_half = 0.035
    arm_y = torso_half + arm_half
    leg_half = min(0.065 * k, 0.45 * torso_half)
    skin, shirt, trousers = SKIN[look.skin], SHIRTS[look.shirt], TROUSERS[look.trousers]
    z = lambda f: z0 + f * h  # noqa: E731 - fraction of the height
    for y in (-1.0, 1.0):
        leg_y = y * (torso_half - leg_half)
        builder.add(box([-leg_half, leg_y - leg_half, z(0.045)], [leg_half, leg_y + leg_half, z(0.5)]), trousers, tag)
        builder.add(box([-0.06 * k, leg_y - leg_half, z(0.0)], [0.13 * k, leg_y + leg_half, z(0.045)]),
                    SHOES[look.shoes], tag)
        builder.add(box([-arm_half, y * arm_y - arm_half, z(0.5)], [arm_half, y * arm_y + arm_half, z(0.79)]),
                    shirt, tag)
        builder.add(box([-arm_half, y * arm_y - arm_half, z(0.44)], [arm_half, y * arm_y + arm_half, z(0.5)]),
                    skin, tag)
    builder.add(box([-0.1 * k, -torso_half, z(0.48)], [0.1 * k, torso_half, z(0.81)]), shirt, tag)
    if look.skirt:
        builder.add(box([-0.12 * k, -torso_half - 0.01, z(0.36)], [0.12 * k, torso_half + 0.01, z(0.5)]), trousers, tag)
    builder.add(box([-0.04 * k, -0.04 * k, z(0.81)], [0.04 * k, 0.04 * k, z(0.85)]), skin, tag)
    head_rz = 0.065 * h
    head = (0.09 * k, 0.075 * k, head_rz)
    builder.add(ellipsoid(head, rings=5, segments=8).moved(offset=(0.0, 0.0, z0 + h - head_rz)), skin, tag)
    hair_rz = 0.45 * head_rz
    hair = ellipsoid((head[0] + 0.008, head[1] + 0.008, hair_rz), rings=3, segments=8)
    builder.add(hair.moved(offset=(-0.01 * k, 0.0, z0 + h - hair_rz)), HAIR[look.hair], tag)
    if look.long_hair:
        builder.add(box([-head[0] - 0.01, -0.7 * head[1], z(0.80)], [-0.3 * head[0], 0.7 * head[1], z(0.96)]),
                    HAIR[look.hair], tag)


def _walker_model(bp: BlueprintDef) -> Mesh:
    _, ey, ez = bp.extent
    builder = MeshBuilder()
    _standing_figure(builder, 2.0 * ez, ey, _walker_look(bp), -ez)
    return builder.build()


def _leg(hip: np.ndarray, foot: np.ndarray, segment: float) -> np.ndarray:
    """Knee of a two-segment leg from hip to foot, bent forwards and up."""
    d = foot - hip
    span = float(np.linalg.norm(d))
    mid = hip + 0.5 * d
    if span >= 2.0 * segment:
        return mid
    bend = math.sqrt(segment * segment - 0.25 * span * span)
    perpendicular = np.array([-d[2], 0.0, d[0]]) / span
    if perpendicular[0] < 0.0:
        perpendicular = -perpendicular
    return mid + bend * perpendicular


def _rider(builder: MeshBuilder, ex: float, ez: float, motorcycle: bool) -> None:
    """A seated rider (tag Rider) whose hands reach the handlebar."""
    tag = Tag.Rider
    jacket = srgb8(40, 44, 60) if motorcycle else srgb8(200, 70, 40)
    trousers = srgb8(30, 30, 34) if motorcycle else srgb8(40, 50, 80)
    head_color = srgb8(20, 20, 22) if motorcycle else srgb8(230, 190, 40)   # helmet
    if motorcycle:
        radius = min(0.34, 0.6 * ez)
        hip = np.array([-0.3, 0.0, 0.8])
        hands = np.array([ex - radius - 0.3, 0.0, min(2.0 * ez - 0.06, 1.04)])
        foot = np.array([-0.05, 0.0, 0.35])
        lean = math.radians(30.0)
    else:
        radius = min(0.34, 0.46 * ex)
        a = ex - radius - 0.01
        hip = np.array([-0.35 * a - 0.02, 0.0, min(radius + 0.5, 2.0 * ez - 0.2) + 0.1])
        hands = np.array([0.72 * a, 0.0, min(radius + 0.6, 2.0 * ez - 0.02)])
        foot = np.array([-0.1 * a + 0.08, 0.0, radius - 0.05])
        lean = math.radians(22.0)
    shoulder = hip + 0.55 * np.array([math.sin(lean), 0.0, math.cos(lean)])
    for y in (-0.11, 0.11):
        side = np.array([0.0, y, 0.0])
        knee = _leg(hip + side, foot + side * 1.1, 0.46)
        builder.add(merge_parts([beam(hip + side, knee, 0.065), beam(knee, foot + side * 1.1, 0.055)]), trousers, tag)
        builder.add(beam(shoulder + side * 1.6, hands + side * 2.0, 0.04), jacket, tag)
    builder.add(beam(hip, shoulder, 0.16, 0.1).moved(offset=(0.0, 0.0, 0.0)), jacket, tag)
    head_centre = shoulder + np.array([0.08, 0.0, 0.2])
    builder.add(ellipsoid((0.12, 0.11, 0.13), rings=5, segments=8).moved(offset=head_centre), head_color, tag)
