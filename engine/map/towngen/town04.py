"""Town04: a small town ringed by a highway loop with two lanes each way.

The town is a two-by-two block grid; a street leaves it east and west, and at each end it splits
into an exit ramp from and an entry ramp to the highway's inner carriageway. The town's junctions
and the ramp ends have traffic lights, the entry ramps yield signs. The layout is symmetric under a
half turn about the town's centre, so the west interchange is the east one rotated.
"""

from __future__ import annotations

import math

from .grid import GridLayout, build_grid
from .junction import Arm, build_junction
from .lanes import highway, one_way
from .network import Network, RoadSpec
from .plan import PathBuilder, Pose, join_poses_clothoid, wrap_angle
from .ramps import build_ramp_junction, ramp_end_for, ramp_start_for
from .town01 import GEO_REFERENCE
from .writer import HeaderSpec, write_xodr

CENTRE = (120.0, -100.0)  # the half-turn symmetry centre
LAYOUT = GridLayout(
    xs=(-60.0, 0.0, 120.0, 240.0, 300.0),
    ys=(-200.0, -100.0, 0.0),
    # Of the outer columns only the east-west street through the middle remains: the link roads.
    missing=frozenset({
        ((0, 0), (0, 1)), ((0, 1), (0, 2)), ((0, 0), (1, 0)), ((0, 2), (1, 2)),
        ((4, 0), (4, 1)), ((4, 1), (4, 2)), ((3, 0), (4, 0)), ((3, 2), (4, 2)),
    }),
)
HIGHWAY = highway(2)
RAMP = one_way(1, driving=3.75, shoulder=1.0, sidewalk=0.0)
HIGHWAY_SPEED = 90.0
RAMP_SPEED = 50.0
EAST_X = 390.0  # the east carriageway's reference line; the west one is its half-turn image
# Along the east side (northwards): straight, on-ramp junction, straight, off-ramp junction, straight.
EAST_STOPS = (-270.0, -210.0, -170.0, -30.0, 10.0, 70.0)
NORTH_Y = 150.0
RAMP_ANGLE = math.radians(20.0)
RAMP_ASIDE = 8.0  # how far right of the lane it leaves the ramp's lane begins
RAMP_ALONG = 38.0  # how far along the junction it does so
SPLIT = 30.0  # ramp ends: this far beyond the link road's end ...
SPLIT_ASIDE = 6.0  # ... and this far to either side of it


def _turned(pose: Pose) -> Pose:
    """The half-turn image of a pose about the town's centre."""
    cx, cy = CENTRE
    return Pose(2.0 * cx - pose.x, 2.0 * cy - pose.y, wrap_angle(pose.hdg + math.pi))


def _straight(network: Network, start: Pose, end: Pose, section, speed: float, road_type: str) -> RoadSpec:
    length = math.hypot(end.x - start.x, end.y - start.y)
    road = network.add_road(PathBuilder(start).line(length).pieces, section, speed_kmh=speed)
    road.road_type = road_type
    return road


def _curve(network: Network, start: Pose, end: Pose, section, speed: float, road_type: str) -> RoadSpec:
    road = network.add_road(join_poses_clothoid(start, end), section, speed_kmh=speed)
    road.road_type = road_type
    return road


def _link_road(network: Network, x: float) -> tuple[RoadSpec, str]:
    """The grid's road ending in a dead end at (x, centre y), and which end that is."""
    for road in network.roads.values():
        for contact in ("start", "end"):
            pose = road.pose_at(contact)
            if road.junction == -1 and abs(pose.x - x) < 1e-6 and abs(pose.y - CENTRE[1]) < 1e-6:
                return road, contact
    raise ValueError(f"no link road ends at x={x}")


def _highway_loop(network: Network) -> tuple[list[RoadSpec], list[RoadSpec]]:
    """The loop's roads, counter-clockwise; returns the east side's roads (south to north) and the
    west side's (north to south)."""
    north = math.pi / 2.0

    def side(transform) -> list[RoadSpec]:
        roads = []
        for y0, y1 in zip(EAST_STOPS[0::2], EAST_STOPS[1::2]):
            start, end = transform(Pose(EAST_X, y0, north)), transform(Pose(EAST_X, y1, north))
            roads.append(_straight(network, start, end, HIGHWAY, HIGHWAY_SPEED, "motorway"))
        return roads

    east = side(lambda pose: pose)
    west = side(_turned)
    # Corners as wide as the gap between the sides' ends and the north and south straights.
    bend = NORTH_Y - EAST_STOPS[-1]
    north_start = Pose(EAST_X - bend, NORTH_Y, math.pi)
    north_end = Pose(2.0 * CENTRE[0] - north_start.x, NORTH_Y, math.pi)
    if north_end.x >= north_start.x:
        raise ValueError("the highway loop is too small for its corners")
    north_road = _straight(network, north_start, north_end, HIGHWAY, HIGHWAY_SPEED, "motorway")
    south_road = _straight(network, _turned(north_start), _turned(north_end), HIGHWAY, HIGHWAY_SPEED, "motorway")
    chain = [east[-1], north_road, west[0]], [west[-1], south_road, east[0]]
    for first, straight, last in chain:
        into = _curve(network, first.end, straight.start, HIGHWAY, HIGHWAY_SPEED, "motorway")
        out_of = _curve(network, straight.end, last.start, HIGHWAY, HIGHWAY_SPEED, "motorway")
        network.link_roads(first, "end", into, "start")
        network.link_roads(into, "end", straight, "start")
        network.link_roads(straight, "end", out_of, "start")
        network.link_roads(out_of, "end", last, "start")
    return east, west


def _interchange(network: Network, side: list[RoadSpec], link: RoadSpec, link_contact: str) -> None:
    """Exit and entry ramps between one side of the loop and the town's link road there.

    ``side`` holds that side's three highway roads in the loop's direction; the inner carriageway
    (lanes 1 and 2) runs the other way, so it meets the exit junction first.
    """
    first, middle, last = side
    link_end = link.pose_at(link_contact)
    outwards = link_end.hdg if link_contact == "end" else wrap_angle(link_end.hdg + math.pi)
    out = Pose(link_end.x, link_end.y, outwards).advanced(SPLIT)
    aside = (-math.sin(outwards) * SPLIT_ASIDE, math.cos(outwards) * SPLIT_ASIDE)
    exit_end = Pose(out.x + aside[0], out.y + aside[1], wrap_angle(outwards + math.pi + RAMP_ANGLE))
    entry_start = Pose(out.x - aside[0], out.y - aside[1], wrap_angle(outwards - RAMP_ANGLE))

    exit_start = ramp_start_for(last, "start", 2, RAMP_ALONG, RAMP_ASIDE, RAMP_ANGLE)
    entry_end = ramp_end_for(first, "end", 2, RAMP_ALONG, RAMP_ASIDE, RAMP_ANGLE)
    exit_ramp = _curve(network, exit_start, exit_end, RAMP, RAMP_SPEED, "motorway")
    entry_ramp = _curve(network, entry_start, entry_end, RAMP, RAMP_SPEED, "motorway")

    build_ramp_junction(network, Arm(last, "start"), Arm(middle, "end"), Arm(exit_ramp, "start"), "off", 2)
    build_ramp_junction(network, Arm(middle, "start"), Arm(first, "end"), Arm(entry_ramp, "end"), "on", 2)
    build_junction(
        network,
        [Arm(link, link_contact), Arm(exit_ramp, "end"), Arm(entry_ramp, "start")],
        max_turn=math.radians(100.0),
    )


def build_network() -> Network:
    network = build_grid(LAYOUT)
    east, west = _highway_loop(network)
    east_link = _link_road(network, LAYOUT.xs[-1])
    west_link = _link_road(network, LAYOUT.xs[0])
    _interchange(network, east, *east_link)
    _interchange(network, west, *west_link)
    return network


def build() -> str:
    """The OpenDRIVE text of Town04."""
    return write_xodr(build_network(), HeaderSpec(name="Town04", geo_reference=GEO_REFERENCE))
