"""Waypoint arithmetic on a :class:`RoadNetwork`, following CARLA's road::Map.

A waypoint is the tuple ``(road_id, section_id, lane_id, s)``; lanes with ids <= 0 are driven
towards growing s, the others towards falling s.
"""

from __future__ import annotations

import numpy as np

from .network import DRIVING, EPSILON, NetLane, RoadNetwork

Waypoint = tuple  # (road_id, section_id, lane_id, s)


def lane_of(network: RoadNetwork, waypoint) -> NetLane:
    road_id, section_id, lane_id, _ = waypoint
    return network.roads[road_id].section_by_id(section_id).lanes[lane_id]


def _concat(first: list, second: list) -> list:
    # CARLA's ConcatVectors keeps the longer list in front.
    if len(second) > len(first):
        first, second = second, first
    return first + second


def successors(network: RoadNetwork, waypoint) -> list:
    return [(lane.road.id, lane.section.id, lane.id, lane.distance_at_start())
            for lane in lane_of(network, waypoint).next_lanes]


def predecessors(network: RoadNetwork, waypoint) -> list:
    return [(lane.road.id, lane.section.id, lane.id, lane.distance_at_end())
            for lane in lane_of(network, waypoint).prev_lanes]


def next_waypoints(network: RoadNetwork, waypoint, distance: float) -> list:
    """Waypoints ``distance`` ahead along the lane graph (CARLA's Map::GetNext)."""
    return _walk(network, waypoint, distance, ahead=True)


def previous_waypoints(network: RoadNetwork, waypoint, distance: float) -> list:
    """Waypoints ``distance`` behind (CARLA's Map::GetPrevious)."""
    return _walk(network, waypoint, distance, ahead=False)


def _walk(network: RoadNetwork, waypoint, distance: float, ahead: bool) -> list:
    """Move ``distance`` along the lane, in or against its driving direction, branching at its end."""
    lane = lane_of(network, waypoint)
    growing_s = (waypoint[2] <= 0) == ahead
    relative_s = waypoint[3] - lane.section.s
    remaining = lane.section.length - relative_s if growing_s else relative_s
    if distance <= remaining:
        s = waypoint[3] + (distance if growing_s else -distance)
        s += -EPSILON if growing_s else EPSILON
        return [(waypoint[0], waypoint[1], waypoint[2], s)]
    result: list = []
    for neighbour in (successors if ahead else predecessors)(network, waypoint):
        result = _concat(result, _walk(network, neighbour, distance - remaining, ahead))
    return result


def right_waypoint(network: RoadNetwork, waypoint):
    road_id, section_id, lane_id, s = waypoint
    lane_id = lane_id + 1 if lane_id > 0 else lane_id - 1
    section = network.roads[road_id].section_by_id(section_id)
    return (road_id, section_id, lane_id, s) if lane_id in section.lanes else None


def left_waypoint(network: RoadNetwork, waypoint):
    road_id, section_id, lane_id, s = waypoint
    if abs(lane_id) == 1:
        lane_id = -lane_id
    elif lane_id > 0:
        lane_id -= 1
    else:
        lane_id += 1
    section = network.roads[road_id].section_by_id(section_id)
    return (road_id, section_id, lane_id, s) if lane_id in section.lanes else None


def waypoint_at(network: RoadNetwork, road_id: int, lane_id: int, s: float):
    """The waypoint of a lane at s of a road, or None (CARLA's Map::GetWaypoint(road, lane, s))."""
    road = network.roads.get(road_id)
    if road is None or s < 0.0 or s >= road.length:
        return None
    for section in road.sections_at(s):
        if lane_id in section.lanes:
            return (road_id, section.id, lane_id, s)
    return None


def generate_waypoints(network: RoadNetwork, distance: float) -> list:
    """A waypoint every ``distance`` metres on each driving lane (CARLA's GenerateWaypoints)."""
    result = []
    for road in network.roads.values():
        s = EPSILON
        end = road.length - EPSILON
        while s < end:
            for section in road.sections_at(s):
                for lane_id in section.lane_ids:
                    if lane_id != 0 and section.lanes[lane_id].type & DRIVING:
                        result.append((road.id, section.id, lane_id, s))
            s += distance
    return result


def lanes_of_type(road, lane_type: int):
    """Start waypoints of every lane of the given type bits, section by section."""
    for section in road.sections:
        for lane_id in section.lane_ids:
            lane = section.lanes[lane_id]
            if lane_id != 0 and lane.type & lane_type:
                yield (road.id, section.id, lane_id, lane.distance_at_start())


def topology(network: RoadNetwork) -> list:
    """Pairs (lane start, successor start) of driving lanes (CARLA's GenerateTopology)."""
    result = []
    for road in network.roads.values():
        for waypoint in lanes_of_type(road, DRIVING):
            following = successors(network, waypoint)
            if following:
                result.extend((waypoint, successor) for successor in following)
                continue
            # A lane leading nowhere is paired with its own end, looked up at a float32 s.
            end = float(np.float32(lane_of(network, waypoint).distance_at_end()))
            last = waypoint_at(network, waypoint[0], waypoint[2], end)
            if last is not None:
                result.append((waypoint, last))
    return result


def junction_waypoints(network: RoadNetwork, junction_id: int, lane_type: int) -> list:
    """(start, end) of every lane of the junction's connecting roads (CARLA's GetJunctionWaypoints)."""
    result = []
    for connection in network.junction_connections.get(junction_id, ()):
        road = network.roads[connection.connecting_road]
        for waypoint in lanes_of_type(road, lane_type):
            end = lane_of(network, waypoint).distance_at_end()
            result.append((waypoint, waypoint[:3] + (end,)))
    return result
