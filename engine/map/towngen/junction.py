"""Junctions: connecting roads for every turn between the roads that meet, and traffic lights."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .lanes import NO_MARK, LaneSpec
from .network import (ConnectionSpec, ControllerSpec, CrosswalkSpec, JunctionSpec, Link, Network, RoadSpec,
                      SignalSpec, heading_into)
from .plan import Pose, join_poses, wrap_angle


@dataclass(frozen=True)
class Arm:
    """A road meeting the junction, and which of its ends touches it."""

    road: RoadSpec
    contact: str  # "start" or "end"

    @property
    def travel_sign(self) -> int:
        """Sign of the lane ids that drive into the junction (right-hand traffic)."""
        return -1 if self.contact == "end" else 1

    def side_lanes(self, sign: int) -> list[LaneSpec]:
        """Lanes of one side, innermost first."""
        return sorted((lane for lane in self.road.lanes if lane.id * sign > 0), key=lambda lane: abs(lane.id))

    def inbound_lanes(self) -> list[LaneSpec]:
        """Lanes on the right of traffic entering the junction, innermost first."""
        return self.side_lanes(self.travel_sign)

    def outbound_lanes(self) -> list[LaneSpec]:
        """Lanes on the right of traffic leaving the junction, innermost first."""
        return self.side_lanes(-self.travel_sign)

    def entry_pose(self) -> Pose:
        """Reference-line pose where traffic enters the junction, heading into it."""
        pose = self.road.pose_at(self.contact)
        return Pose(pose.x, pose.y, wrap_angle(heading_into(self.road, self.contact) + math.pi))

    def exit_pose(self) -> Pose:
        """Reference-line pose where traffic leaves the junction, heading away from it."""
        pose = self.road.pose_at(self.contact)
        return Pose(pose.x, pose.y, wrap_angle(heading_into(self.road, self.contact)))


def _driving_count(lanes: list[LaneSpec]) -> int:
    count = 0
    for lane in lanes:
        if lane.type != "driving":
            break
        count += 1
    return count


def build_junction(
    network: Network,
    arms: list[Arm],
    *,
    traffic_lights: bool = True,
    signs: str | None = None,
    max_turn: float = math.pi,
) -> JunctionSpec:
    """A junction joining the arms: one connecting road per turn (no U-turns), lanes driving on the right.

    The rightmost turn from each arm also carries the arm's outer lanes (shoulder, sidewalk), so
    sidewalks run on around the corners of the junction. Turns sharper than ``max_turn`` are left out.
    """
    junction = network.new_junction()
    for arm in arms:
        link = Link("junction", junction.id)
        if arm.contact == "start":
            arm.road.predecessor = link
        else:
            arm.road.successor = link

    for incoming in arms:
        inbound = incoming.inbound_lanes()
        inbound_driving = _driving_count(inbound)
        if inbound_driving == 0:
            continue
        entry = incoming.entry_pose()
        turns = []
        for outgoing in arms:
            if outgoing is incoming or _driving_count(outgoing.outbound_lanes()) == 0:
                continue
            turn = wrap_angle(outgoing.exit_pose().hdg - entry.hdg)
            if abs(abs(turn) - math.pi) > 1e-6 and abs(turn) <= max_turn:
                turns.append((turn, outgoing))
        if not turns:
            continue
        rightmost = min(turns, key=lambda item: item[0])[1]
        for _, outgoing in turns:
            outbound = outgoing.outbound_lanes()
            outbound_driving = _driving_count(outbound)
            count = min(inbound_driving, outbound_driving)
            lanes = [CarriedLane(inbound[k].type, inbound[k].width, None, k + 1, k + 1) for k in range(count)]
            if outgoing is rightmost:
                lanes += _corner_lanes(inbound, outbound, inbound_driving, outbound_driving)
            connect_turn(network, junction, incoming, outgoing, entry, lanes)

    for arm in arms:
        add_crosswalk(network, arm)
    if traffic_lights:
        _add_traffic_lights(network, junction, arms)
    elif signs is not None:
        for arm in arms:
            add_sign(network, arm, signs)
    return junction


@dataclass(frozen=True)
class CarriedLane:
    """A lane of a connecting road: kind, width at its start and end (None: the same), and the positions
    (1 = next to the centre) of the lanes it links to on the incoming and outgoing roads (None: no link)."""

    type: str
    width: float
    width_end: float | None
    incoming: int | None
    outgoing: int | None


def _corner_lanes(inbound, outbound, inbound_driving: int, outbound_driving: int) -> list:
    """The lanes a rightmost turn carries past its driving lanes, so that shoulders and sidewalks go round
    the corner: where one side has more driving lanes, the extra ones narrow to nothing (or grow from
    nothing) as border lanes, keeping the outer lanes level with both roads."""
    outer = 0
    while inbound_driving + outer < len(inbound) and outbound_driving + outer < len(outbound) and \
            inbound[inbound_driving + outer].type == outbound[outbound_driving + outer].type:
        outer += 1
    if outer == 0:
        return []
    count = min(inbound_driving, outbound_driving)
    # The tapering border lanes link to nothing, so no route leads from a driving lane into them.
    lanes = [CarriedLane("border", inbound[k].width, 0.0, None, None) for k in range(count, inbound_driving)]
    lanes += [CarriedLane("border", 0.0, outbound[k].width, None, None) for k in range(count, outbound_driving)]
    lanes += [CarriedLane(inbound[inbound_driving + k].type, inbound[inbound_driving + k].width, None,
                          inbound_driving + k + 1, outbound_driving + k + 1) for k in range(outer)]
    return lanes


def connect_turn(
    network: Network, junction: JunctionSpec, incoming: Arm, outgoing: Arm, entry: Pose, lanes
) -> None:
    """A connecting road from ``entry`` to the outgoing arm with ``lanes`` (:class:`CarriedLane`), innermost
    first."""
    road_id = network.new_id()
    sign_in, sign_out = incoming.travel_sign, -outgoing.travel_sign

    def link(position, sign):
        return None if position is None else sign * position

    connecting = RoadSpec(
        id=road_id,
        pieces=join_poses(entry, outgoing.exit_pose()),
        lanes=[
            LaneSpec(-index, lane.type, lane.width, (NO_MARK,), link(lane.incoming, sign_in),
                     link(lane.outgoing, sign_out), lane.width_end)
            for index, lane in enumerate(lanes, start=1)
        ],
        centre_marks=(NO_MARK,),
        junction=junction.id,
        name=f"Road {road_id}",
        predecessor=Link("road", incoming.road.id, incoming.contact),
        successor=Link("road", outgoing.road.id, outgoing.contact),
        speed_kmh=None,
    )
    network.roads[road_id] = connecting
    junction.connections.append(
        ConnectionSpec(
            incoming_road=incoming.road.id,
            connecting_road=road_id,
            contact_point="start",
            lane_links=tuple((sign_in * lane.incoming, -index) for index, lane in enumerate(lanes, start=1)
                             if lane.incoming is not None),
        )
    )


# Static signs a junction may carry instead of lights: OpenDRIVE type codes and names.
SIGNS = {
    "stop": {"type": "206", "name": "Sign_Stop", "dynamic": "no", "height": 2.2, "width": 0.8},
    "yield": {"type": "205", "name": "Sign_Yield", "dynamic": "no", "height": 2.2, "width": 0.9},
}


CROSSWALK_WIDTH = 3.0       # m along the road
CROSSWALK_CLEARANCE = 1.0   # m between a crosswalk and the stop line before it
MIN_ROAD_FOR_CROSSWALK = 2 * (CROSSWALK_WIDTH + CROSSWALK_CLEARANCE)


def _inner_width(lanes: list[LaneSpec]) -> float | None:
    """Width from the reference line to a side's sidewalk (None when the side has no sidewalk)."""
    width = 0.0
    for lane in lanes:
        if lane.type == "sidewalk":
            return width
        width += lane.width
    return None


def _crosswalk_s(arm: Arm) -> float:
    """Centre of the crosswalk at an arm's junction end."""
    half = CROSSWALK_WIDTH / 2.0
    return half if arm.contact == "start" else arm.road.length - half


def add_crosswalk(network: Network, arm: Arm) -> CrosswalkSpec | None:
    """A zebra crossing across an arm at the junction, from sidewalk to sidewalk; None where a side has no
    sidewalk or the road is too short to hold it and its stop line (at each end it meets a junction)."""
    right, left = _inner_width(arm.side_lanes(-1)), _inner_width(arm.side_lanes(1))
    needed = MIN_ROAD_FOR_CROSSWALK * (len(arm.road.crosswalks) + 1)
    if right is None or left is None or arm.road.length < needed:
        return None
    half = CROSSWALK_WIDTH / 2.0
    crosswalk = CrosswalkSpec(network.new_object_id(), _crosswalk_s(arm),
                              ((-half, -right), (half, -right), (half, left), (-half, left)),
                              length=CROSSWALK_WIDTH, width=right + left)
    arm.road.crosswalks.append(crosswalk)
    return crosswalk


def _stop_s(arm: Arm) -> float:
    """Where traffic entering the junction from an arm stops: before its crosswalk, if it has one."""
    crossing = any(abs(c.s - _crosswalk_s(arm)) < 1e-9 for c in arm.road.crosswalks)
    setback = CROSSWALK_WIDTH + CROSSWALK_CLEARANCE if crossing else 0.0
    return setback if arm.contact == "start" else arm.road.length - setback


def _arm_signal(network: Network, arm: Arm, **kind) -> SignalSpec | None:
    """A signal for traffic entering the junction from an arm, on its sidewalk (or just off the road),
    at the stop line."""
    inbound = arm.inbound_lanes()
    driving = _driving_count(inbound)
    if driving == 0:
        return None
    outer = sum(lane.width for lane in inbound)
    if inbound[-1].type == "sidewalk":
        offset = outer - inbound[-1].width / 2.0
    else:
        offset = outer + 0.5
    sign = arm.travel_sign
    signal = SignalSpec(
        id=network.new_signal_id(),
        s=_stop_s(arm),
        t=sign * offset,
        orientation="+" if arm.contact == "end" else "-",
        validity=tuple(sorted((sign * 1, sign * driving))),
        **kind,
    )
    arm.road.signals.append(signal)
    return signal


def add_sign(network: Network, arm: Arm, kind: str) -> SignalSpec | None:
    """A stop or yield sign for traffic entering from an arm (None when no lane enters there)."""
    if kind not in SIGNS:
        raise ValueError(f"unknown sign {kind!r}; known: {', '.join(SIGNS)}")
    return _arm_signal(network, arm, **SIGNS[kind])


def _add_traffic_lights(network: Network, junction: JunctionSpec, arms: list[Arm]) -> None:
    """One light per entering arm, on its sidewalk (or just off the road) at the junction end, each with
    its own controller: the junction's group turns its controllers green one at a time, as in CARLA's towns."""
    for arm in arms:
        signal = _arm_signal(network, arm)
        if signal is None:
            continue
        number = len(network.controllers) + 1
        controller = ControllerSpec(str(number), f"Controller {junction.id}.{len(junction.controllers) + 1}",
                                    (signal.id,))
        network.controllers.append(controller)
        junction.controllers.append(controller.id)
