"""Highway ramp junctions: the highway runs straight through, one ramp lane leaves or joins it."""

from __future__ import annotations

import math

from .junction import Arm, CarriedLane, add_sign, connect_turn
from .lanes import NO_MARK, LaneSpec
from .network import ConnectionSpec, JunctionSpec, Link, Network, RoadSpec
from .plan import Pose, join_poses, wrap_angle


def lane_inner_pose(road: RoadSpec, contact: str, lane_id: int) -> Pose:
    """Pose on the inner border of a lane at one end of a road, heading the way that lane drives."""
    pose = road.pose_at(contact)
    side = 1 if lane_id > 0 else -1
    t = side * sum(lane.width for lane in road.lanes if lane.id * side > 0 and abs(lane.id) < abs(lane_id))
    x, y = pose.x - t * math.sin(pose.hdg), pose.y + t * math.cos(pose.hdg)
    heading = pose.hdg if lane_id < 0 else wrap_angle(pose.hdg + math.pi)
    return Pose(x, y, heading)


def _to_the_right(pose: Pose, distance: float, heading: float) -> Pose:
    """A point ``distance`` metres right of a pose, with a new heading."""
    return Pose(pose.x + distance * math.sin(pose.hdg), pose.y - distance * math.cos(pose.hdg), wrap_angle(heading))


def ramp_start_for(
    road: RoadSpec, contact: str, lane_id: int, along: float, aside: float, angle: float
) -> Pose:
    """Where an exit ramp leaving ``lane_id`` at a road end begins: ``along`` metres on, ``aside``
    metres to the right, heading ``angle`` radians to the right of the lane's direction."""
    pose = lane_inner_pose(road, contact, lane_id)
    return _to_the_right(pose.advanced(along), aside, pose.hdg - angle)


def ramp_end_for(road: RoadSpec, contact: str, lane_id: int, before: float, aside: float, angle: float) -> Pose:
    """Where an entry ramp joining ``lane_id`` at a road end must end: ``before`` metres ahead of the
    lane's start, ``aside`` metres to the right, heading ``angle`` radians left of the lane's direction."""
    pose = lane_inner_pose(road, contact, lane_id)
    return _to_the_right(pose.advanced(-before), aside, pose.hdg + angle)


def build_ramp_junction(
    network: Network, upstream: Arm, downstream: Arm, ramp: Arm, kind: str, lane_id: int
) -> JunctionSpec:
    """A junction on a two-way highway where a one-lane ramp leaves ("off") or joins ("on").

    ``upstream`` and ``downstream`` are the highway's two roads at the junction (upstream for the
    direction the ramp serves); ``lane_id`` is the lane the ramp uses, named as on the road it
    touches (upstream for "off", downstream for "on"). Both directions go straight through.
    """
    if kind not in ("off", "on"):
        raise ValueError(f"ramp kind must be 'off' or 'on', not {kind!r}")
    junction = network.new_junction()
    for arm in (upstream, downstream, ramp):
        link = Link("junction", junction.id)
        if arm.contact == "start":
            arm.road.predecessor = link
        else:
            arm.road.successor = link
    for incoming, outgoing in ((upstream, downstream), (downstream, upstream)):
        lanes = [CarriedLane(lane.type, lane.width, None, k, k)
                 for k, lane in enumerate(incoming.inbound_lanes(), start=1)]
        connect_turn(network, junction, incoming, outgoing, incoming.entry_pose(), lanes)

    # The ramp's single driving lane: on the side whose traffic enters (on) or leaves (off) the junction.
    ramp_lane = ramp.travel_sign if kind == "on" else -ramp.travel_sign
    if kind == "off":
        start = lane_inner_pose(upstream.road, upstream.contact, lane_id)
        ramp_pose = ramp.road.pose_at(ramp.contact)
        end = ramp_pose if ramp_lane < 0 else ramp_pose.reversed()
        width = upstream.road.lane(lane_id).width
        incoming_road, incoming_contact, incoming_lane = upstream.road, upstream.contact, lane_id
        outgoing_road, outgoing_contact, outgoing_lane = ramp.road, ramp.contact, ramp_lane
    else:
        ramp_pose = ramp.road.pose_at(ramp.contact)
        start = ramp_pose if ramp_lane < 0 else ramp_pose.reversed()
        end = lane_inner_pose(downstream.road, downstream.contact, lane_id)
        width = ramp.road.lane(ramp_lane).width
        incoming_road, incoming_contact, incoming_lane = ramp.road, ramp.contact, ramp_lane
        outgoing_road, outgoing_contact, outgoing_lane = downstream.road, downstream.contact, lane_id
    road_id = network.new_id()
    network.roads[road_id] = RoadSpec(
        id=road_id,
        pieces=join_poses(start, end),
        lanes=[LaneSpec(-1, "driving", width, (NO_MARK,), incoming_lane, outgoing_lane)],
        centre_marks=(NO_MARK,),
        junction=junction.id,
        name=f"Road {road_id}",
        predecessor=Link("road", incoming_road.id, incoming_contact),
        successor=Link("road", outgoing_road.id, outgoing_contact),
    )
    junction.connections.append(ConnectionSpec(incoming_road.id, road_id, "start", ((incoming_lane, -1),)))
    if kind == "on":
        add_sign(network, ramp, "yield")
    return junction
