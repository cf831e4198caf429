"""Roundabouts: a one-way ring turning counter-clockwise, one junction where each arm meets it."""

from __future__ import annotations

import math

from .junction import Arm, add_sign, build_junction
from .lanes import CrossSection
from .network import JunctionSpec, Network
from .plan import PathBuilder, Pose


def ring_reach(radius: float, ring: CrossSection, half_angle: float, clearance: float = 12.0) -> float:
    """How far from the centre the arms must end: past the ring and room for the entry curves."""
    return max(radius / math.cos(half_angle) + clearance, radius + ring.half_width("right") + clearance / 2.0)


def build_roundabout(
    network: Network,
    centre: tuple[float, float],
    arms: list[Arm],
    *,
    radius: float,
    ring: CrossSection,
    half_angle: float,
    speed_kmh: float = 30.0,
) -> list[JunctionSpec]:
    """Ring roads between the arms and a junction at each arm, with a yield sign on the way in.

    The ring's reference line is its inner edge at ``radius``; its lanes lie outside it (right of
    counter-clockwise travel). Each junction spans ``half_angle`` either side of its arm, whose end
    must point at the centre.
    """
    cx, cy = centre

    def angle_of(arm: Arm) -> float:
        pose = arm.road.pose_at(arm.contact)
        return math.atan2(pose.y - cy, pose.x - cx) % (2.0 * math.pi)

    ordered = sorted(arms, key=angle_of)
    angles = [angle_of(arm) for arm in ordered]
    ring_roads = []
    for index, angle in enumerate(angles):
        start = angle + half_angle
        end = angles[(index + 1) % len(angles)] - half_angle
        if index == len(angles) - 1:
            end += 2.0 * math.pi
        if end - start < 0.05:
            raise ValueError("roundabout arms are too close together for its junctions")
        pose = Pose(cx + radius * math.cos(start), cy + radius * math.sin(start), start + math.pi / 2.0)
        pieces = PathBuilder(pose).arc(radius * (end - start), 1.0 / radius).pieces
        ring_roads.append(network.add_road(pieces, ring, speed_kmh=speed_kmh))

    junctions = []
    for index, arm in enumerate(ordered):
        entering = Arm(ring_roads[index - 1], "end")
        leaving = Arm(ring_roads[index], "start")
        junctions.append(build_junction(network, [entering, leaving, arm], traffic_lights=False))
        add_sign(network, arm, "yield")
    return junctions
