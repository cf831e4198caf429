"""Grid towns: streets on a rectangular grid, junctions where three or four meet, rounded corners."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .junction import Arm, build_junction
from .lanes import CENTRE_BROKEN, CrossSection, centre_marks_for, one_way, two_lane_urban
from .network import Network, RoadSpec, heading_into
from .plan import PathBuilder, Pose, join_poses, join_poses_clothoid, wrap_angle
from .roundabout import build_roundabout, ring_reach

Node = tuple[int, int]
Segment = tuple[Node, Node]


@dataclass(frozen=True)
class GridLayout:
    """Street grid in OpenDRIVE coordinates.

    ``xs`` are the x of the north-south streets, ``ys`` the y of the east-west streets (both
    ascending); node (i, j) sits at (xs[i], ys[j]). Every neighbour pair is a street segment
    unless listed in ``missing``.
    """

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    missing: frozenset[Segment] = frozenset()
    section: CrossSection = field(default_factory=two_lane_urban)
    junction_reach: float = 11.0  # junction centre to where its roads end
    corner_radius: float = 20.0  # reference-line radius of two-way corners
    solid_centre: float = 12.0  # solid centre line before each junction
    traffic_lights: bool = True
    speed_kmh: float = 30.0
    # Junctions without lights get these signs ("stop" or "yield"), or none.
    signs: str | None = None
    # Streets with their own cross-section and speed: ("x", i) is the north-south street at xs[i],
    # ("y", j) the east-west street at ys[j].
    main_streets: frozenset[tuple[str, int]] = frozenset()
    main_section: CrossSection | None = None
    main_speed_kmh: float = 50.0
    # Corners ease in and out through clothoids instead of line-arc-line.
    clothoid_corners: bool = False
    # Nodes that are roundabouts instead of junctions (every street there must be two-way).
    roundabouts: frozenset[Node] = frozenset()
    roundabout_radius: float = 22.0
    roundabout_lanes: int = 2
    roundabout_half_angle: float = math.radians(28.0)
    road_type: str = "town"

    def segments(self) -> list[Segment]:
        found = []
        for j in range(len(self.ys)):
            for i in range(len(self.xs) - 1):
                found.append(((i, j), (i + 1, j)))
        for i in range(len(self.xs)):
            for j in range(len(self.ys) - 1):
                found.append(((i, j), (i, j + 1)))
        missing = {tuple(sorted(segment)) for segment in self.missing}
        return [segment for segment in found if segment not in missing]

    def position(self, node: Node) -> tuple[float, float]:
        return self.xs[node[0]], self.ys[node[1]]

    def is_main(self, segment: Segment) -> bool:
        (i0, j0), (i1, j1) = segment
        street = ("x", i0) if i0 == i1 else ("y", j0)
        return self.main_section is not None and street in self.main_streets

    def section_of(self, segment: Segment) -> CrossSection:
        return self.main_section if self.is_main(segment) else self.section

    def speed_of(self, segment: Segment) -> float:
        return self.main_speed_kmh if self.is_main(segment) else self.speed_kmh

    def ring(self) -> CrossSection:
        return one_way(self.roundabout_lanes)


def _direction(a: Node, b: Node) -> tuple[int, int]:
    return b[0] - a[0], b[1] - a[1]


def build_grid(layout: GridLayout, network: Network | None = None) -> Network:
    """Roads for every segment, corner roads at two-street bends, junctions elsewhere."""
    network = network or Network()
    segments = layout.segments()
    neighbours: dict[Node, list[Node]] = {}
    for a, b in segments:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)

    def kind(node: Node) -> str:
        if node in layout.roundabouts:
            return "roundabout"
        around = neighbours[node]
        if len(around) >= 3:
            return "junction"
        if len(around) == 2:
            d1, d2 = _direction(node, around[0]), _direction(node, around[1])
            return "through" if d1[0] * d2[1] - d1[1] * d2[0] == 0 else "corner"
        return "end"

    trims = {"junction": layout.junction_reach, "corner": layout.corner_radius, "through": 0.0, "end": 0.0}
    if layout.roundabouts:
        trims["roundabout"] = ring_reach(layout.roundabout_radius, layout.ring(), layout.roundabout_half_angle)
    roads: dict[Segment, RoadSpec] = {}
    for a, b in segments:
        (ax, ay), (bx, by) = layout.position(a), layout.position(b)
        length = math.hypot(bx - ax, by - ay)
        trim_a, trim_b = trims[kind(a)], trims[kind(b)]
        if length - trim_a - trim_b < 1.0:
            raise ValueError(f"segment {a}-{b} is too short for its junctions and corners")
        start = Pose(ax, ay, math.atan2(by - ay, bx - ax)).advanced(trim_a)
        pieces = PathBuilder(start).line(length - trim_a - trim_b).pieces
        section = layout.section_of((a, b))
        if section.centre_marks == (CENTRE_BROKEN,):
            solid_a = layout.solid_centre if kind(a) in ("junction", "roundabout") else 0.0
            solid_b = layout.solid_centre if kind(b) in ("junction", "roundabout") else 0.0
            marks = centre_marks_for(length - trim_a - trim_b, solid_a, solid_b)
        else:
            marks = section.centre_marks
        road = network.add_road(pieces, section, speed_kmh=layout.speed_of((a, b)), centre_marks=marks)
        road.road_type = layout.road_type
        roads[(a, b)] = road

    def touching(node: Node) -> list[Arm]:
        arms = []
        for (a, b), road in roads.items():
            if node in (a, b):
                arms.append(Arm(road, "start" if node == a else "end"))
        # Counter-clockwise from east, so the same grid always gives the same ids.
        return sorted(arms, key=lambda arm: wrap_angle(arm.exit_pose().hdg) % (2.0 * math.pi))

    nodes = sorted(neighbours, key=lambda node: (node[1], node[0]))
    for node in nodes:
        node_kind = kind(node)
        if node_kind == "corner":
            first, second = touching(node)
            start = first.road.pose_at(first.contact)
            start = Pose(start.x, start.y, wrap_angle(heading_into(first.road, first.contact) + math.pi))
            end = second.road.pose_at(second.contact)
            end = Pose(end.x, end.y, heading_into(second.road, second.contact))
            join = join_poses_clothoid if layout.clothoid_corners else join_poses
            first_segment = next(seg for seg, road in roads.items() if road is first.road)
            second_segment = next(seg for seg, road in roads.items() if road is second.road)
            section = layout.section_of(first_segment)
            if section != layout.section_of(second_segment):
                raise ValueError(f"corner {node} joins streets of different cross-sections")
            corner = network.add_road(join(start, end), section, speed_kmh=layout.speed_of(first_segment))
            corner.road_type = layout.road_type
            network.link_roads(first.road, first.contact, corner, "start")
            network.link_roads(corner, "end", second.road, second.contact)
        elif node_kind == "through":
            first, second = touching(node)
            network.link_roads(first.road, first.contact, second.road, second.contact)
    for node in nodes:
        if kind(node) == "junction":
            build_junction(network, touching(node), traffic_lights=layout.traffic_lights, signs=layout.signs)
        elif kind(node) == "roundabout":
            build_roundabout(
                network,
                layout.position(node),
                touching(node),
                radius=layout.roundabout_radius,
                ring=layout.ring(),
                half_angle=layout.roundabout_half_angle,
            )
    return network
