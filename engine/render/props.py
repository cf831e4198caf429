"""Static props around the roads as one mesh: buildings, trees, street lamps and the map's traffic-light posts.

Where they stand is planned in :mod:`engine.map.props` (shared with the physics); this module draws the plan.
"""
from __future__ import annotations

import math

from engine.map.props import (FLOOR_HEIGHT, LAMP_POLE_RADIUS, POST_POLE_RADIUS, TRAFFIC_LIGHT_TYPE,  # noqa: F401
                              Building, PropPlan, StreetLamp, TrafficLightPost, Tree, plan_props, town_props)
from engine.render.primitives import (MeshBuilder, Part, box, centered_box, cone, cylinder, ellipsoid, extrude_xz,
                                      merge_parts, rotation_z, srgb8)
from engine.render.scene_data import FLAG_EMISSIVE, Mesh
from engine.render.semantic_tags import CityObjectLabel as Tag

WINDOW_COLOR = srgb8(40, 52, 64)
TRUNK_COLOR = srgb8(92, 70, 50)
POLE_COLOR = srgb8(110, 112, 116)
LAMP_GLASS = srgb8(255, 240, 200)
LIGHT_HOUSING = srgb8(30, 32, 30)
LENS_COLORS = (srgb8(120, 20, 16), srgb8(130, 90, 10), srgb8(16, 100, 40))   # red, amber, green, unlit

# -- meshes (built in OpenDRIVE's frame; the builder mirrors into CARLA's) -------------------------------------------

def _placed(part: Part, position, yaw_carla: float) -> Part:
    x, y, z = position
    return part.moved(rotation_z(-math.radians(yaw_carla)), (x, -y, z))


def _add_building(builder: MeshBuilder, b: Building) -> None:
    half_l, half_w = 0.5 * b.length, 0.5 * b.width
    top = b.height
    place = (b.center[0], b.center[1], b.base_z)
    body = box([-half_l, -half_w, 0.0], [half_l, half_w, top], faces=("+x", "-x", "+y", "-y", "+z"))
    builder.add(_placed(body, place, b.yaw), b.facade, Tag.Buildings)
    windows = []
    floors = int((top - 1.0) // FLOOR_HEIGHT)
    for floor in range(floors):
        z0 = floor * FLOOR_HEIGHT + 1.0
        z1 = z0 + 1.3
        if z1 > top - 0.4:
            break
        windows += [box([half_l, -half_w + 0.8, z0], [half_l + 0.02, half_w - 0.8, z1], faces=("+x",)),
                    box([-half_l - 0.02, -half_w + 0.8, z0], [-half_l, half_w - 0.8, z1], faces=("-x",)),
                    box([-half_l + 0.8, half_w, z0], [half_l - 0.8, half_w + 0.02, z1], faces=("+y",)),
                    box([-half_l + 0.8, -half_w - 0.02, z0], [half_l - 0.8, -half_w, z1], faces=("-y",))]
    if windows:
        builder.add(_placed(merge_parts(windows), place, b.yaw), WINDOW_COLOR, Tag.Buildings)
    if b.gable:
        ridge = min(half_w, 4.0) * 0.9
        caps, edges = extrude_xz([(-half_w - 0.3, 0.0), (half_w + 0.3, 0.0), (0.0, ridge)], -half_l - 0.3,
                                 half_l + 0.3)
        # The profile lies across the building's width: turn it so the ridge runs along the length.
        roof = merge_parts([caps] + edges).moved(rotation_z(math.pi / 2), (0.0, 0.0, top))
        builder.add(_placed(roof, place, b.yaw), b.roof_color, Tag.Buildings)
    else:
        parapet = merge_parts([
            box([-half_l, -half_w, top], [half_l, -half_w + 0.3, top + 0.6]),
            box([-half_l, half_w - 0.3, top], [half_l, half_w, top + 0.6]),
            box([-half_l, -half_w + 0.3, top], [-half_l + 0.3, half_w - 0.3, top + 0.6]),
            box([half_l - 0.3, -half_w + 0.3, top], [half_l, half_w - 0.3, top + 0.6]),
        ])
        builder.add(_placed(parapet, place, b.yaw), b.roof_color, Tag.Buildings)


def _add_tree(builder: MeshBuilder, tree: Tree) -> None:
    x, y, z = tree.position
    h, r = tree.height, tree.crown_radius
    trunk = cylinder(tree.trunk_radius, 0.0, tree.trunk_height, segments=7, caps=(False, True))
    if tree.conifer:
        crown = cone(r, 0.22 * h, h, segments=9)
    else:
        crown = ellipsoid((r, r, 0.3 * h), rings=5, segments=9).moved(offset=(0.0, 0.0, 0.68 * h))
    builder.add(trunk.moved(offset=(x, -y, z)), TRUNK_COLOR, Tag.Vegetation)
    builder.add(crown.moved(offset=(x, -y, z)), tree.crown_color, Tag.Vegetation)


def _add_lamp(builder: MeshBuilder, lamp: StreetLamp) -> None:
    h = lamp.height
    pole = merge_parts([cylinder(LAMP_POLE_RADIUS, -0.1, h, segments=8, radius_top=0.06),
                        box([0.0, -0.04, h - 0.08], [1.6, 0.04, h]),
                        box([1.2, -0.18, h - 0.2], [1.9, 0.18, h - 0.02], faces=("+x", "-x", "+y", "-y", "+z"))])
    glass = box([1.25, -0.15, h - 0.22], [1.85, 0.15, h - 0.2], faces=("-z",))
    builder.add(_placed(pole, lamp.position, lamp.yaw), POLE_COLOR, Tag.Poles)
    builder.add(_placed(glass, lamp.position, lamp.yaw), LAMP_GLASS, Tag.Poles, FLAG_EMISSIVE)


def _add_traffic_light(builder: MeshBuilder, post: TrafficLightPost) -> None:
    h = post.height
    pole = cylinder(POST_POLE_RADIUS, -0.1, h, segments=8)
    head = centered_box([0.2, 0.0, h - 0.55], [0.15, 0.2, 0.5])
    builder.add(_placed(pole, post.position, post.yaw), POLE_COLOR, Tag.Poles)
    builder.add(_placed(head, post.position, post.yaw), LIGHT_HOUSING, Tag.TrafficLight)
    for k, color in enumerate(LENS_COLORS):
        lens = box([0.35, -0.11, h - 0.33 - 0.3 * k - 0.11], [0.38, 0.11, h - 0.33 - 0.3 * k + 0.11],
                   faces=("+x", "+y", "-y", "+z", "-z"))
        builder.add(_placed(lens, post.position, post.yaw), color, Tag.TrafficLight)


def props_mesh(plan: PropPlan) -> Mesh:
    builder = MeshBuilder()
    for building in plan.buildings:
        _add_building(builder, building)
    for tree in plan.trees:
        _add_tree(builder, tree)
    for lamp in plan.lamps:
        _add_lamp(builder, lamp)
    for post in plan.traffic_lights:
        _add_traffic_light(builder, post)
    return builder.build()


def build_props(town, seed: int = 0) -> Mesh:
    """Buildings, trees, street lamps and traffic-light posts of a town, in CARLA world coordinates."""
    return props_mesh(town_props(town) if seed == 0 else plan_props(town, seed))
