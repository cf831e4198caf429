"""Junctions: connecting roads for every turn between the roads that meet, and traffic lights."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .lanes import NO_MARK, LaneSpec
from .network import ConnectionSpec, ControllerSpec, JunctionSpec, Link, Network, RoadSpec, SignalSpec, heading_into
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
            if outgoing is rightmost and inbound_driving == outbound_driving:
                # Outer lanes go round the corner only where both sides have the same kinds.
                count = 0
                while count < min(len(inbound), len(outbound)) and inbound[count].type == outbound[count].type:
                    count += 1
            connect_turn(network, junction, incoming, outgoing, entry, inbound[:count])

    if traffic_lights:
        _add_traffic_lights(network, junction, arms)
    elif signs is not None:
        for arm in arms:
            add_sign(network, arm, signs)
    return junction


def connect_turn(
    network: Network, junction: JunctionSpec, incoming: Arm, outgoing: Arm, entry: Pose, lanes
) -> None:
    """A connecting road from ``entry`` to the outgoing arm with ``lanes`` of the incoming arm, innermost first."""
    road_id = network.new_id()
    sign_in, sign_out = incoming.travel_sign, -outgoing.travel_sign
    connecting = RoadSpec(
        id=road_id,
        pieces=join_poses(entry, outgoing.exit_pose()),
        lanes=[
            LaneSpec(-index, lane.type, lane.width, (NO_MARK,), sign_in * index, sign_out * index)
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
            lane_links=tuple((sign_in * index, -index) for index in range(1, len(lanes) + 1)),
        )
    )


# Static signs a junction may carry instead of lights: OpenDRIVE type codes and names.
SIGNS = {
    "stop": {"type": "206", "name": "Sign_Stop", "dynamic": "no", "height": 2.2, "width": 0.8},
    "yield": {"type": "205", "name": "Sign_Yield", "dynamic": "no", "height": 2.2, "width": 0.9},
}


def _arm_signal(network: Network, arm: Arm, **kind) -> SignalSpec | None:
    """A signal for traffic entering the junction from an arm, on its sidewalk (or just off the road)."""
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
        s=0.0 if arm.contact == "start" else arm.road.length,
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
    """One light per entering arm, on its sidewalk (or just off the road) at the junction end."""
    signal_ids = []
    for arm in arms:
        signal = _arm_signal(network, arm)
        if signal is not None:
            signal_ids.append(signal.id)
    if signal_ids:
        controller = ControllerSpec(str(junction.id), f"Controller {junction.id}", tuple(signal_ids))
        network.controllers.append(controller)
        junction.controllers.append(controller.id)
