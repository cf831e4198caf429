"""Dump the answers of the road queries (waypoints, topology, next chains) on one map as JSON.

Usage: map_queries.py --port P MAP [OUT]. MAP is a town name (client.load_world) or the path of an
.xodr file (client.generate_opendrive_world). The query locations are drawn with a seeded generator
inside the spawn points' bounding box grown by 20 m, so both clients ask the same questions. The JSON goes
to OUT when given (a one-line summary is printed), otherwise to stdout.
"""
import random

import carla
from _common import connect, emit_or_save, load_map, rotation, vector

SEED = 20260121
RANDOM_LOCATIONS = 500
CHAINS = 50
CHAIN_STEPS = 50
CHAIN_STEP_METRES = 5.0
XODR_QUERIES = 10
GENERATE_DISTANCE = 2.0
BOX_MARGIN = 20.0


def ids(wp):
    return [wp.road_id, wp.section_id, wp.lane_id]


def marking(m):
    return None if m is None else [int(m.type), int(m.color)]


def waypoint(wp):
    """Everything a waypoint says about itself, or None."""
    if wp is None:
        return None
    return {
        "ids": ids(wp), "s": wp.s, "lane_width": wp.lane_width, "lane_type": int(wp.lane_type),
        "lane_change": int(wp.lane_change), "is_junction": wp.is_junction, "junction_id": wp.junction_id,
        "location": vector(wp.transform.location), "rotation": rotation(wp.transform.rotation),
        "left_marking": marking(wp.left_lane_marking), "right_marking": marking(wp.right_lane_marking),
    }


def pose(wp):
    return {"ids": ids(wp), "s": wp.s, "location": vector(wp.transform.location),
            "rotation": rotation(wp.transform.rotation)}


def topology_end(wp):
    return {"ids": ids(wp), "s": wp.s, "location": vector(wp.transform.location)}


def draw_locations(rng, box, count):
    (x0, y0), (x1, y1) = box
    return [carla.Location(x=rng.uniform(x0, x1), y=rng.uniform(y0, y1), z=0.0) for _ in range(count)]


def chain_from(start):
    """Follow the first successor of next(5 m) up to 50 times; each step's ids and location."""
    steps = [{"ids": ids(start), "location": vector(start.transform.location)}]
    current = start
    for _ in range(CHAIN_STEPS):
        successors = current.next(CHAIN_STEP_METRES)
        if not successors:
            break
        current = successors[0]
        steps.append({"ids": ids(current), "location": vector(current.transform.location)})
    return steps


def main():
    client, args = connect({"map": {}, "out": {"nargs": "?", "default": None}})
    carla_map = load_map(client, args.map)
    spawn_points = carla_map.get_spawn_points()
    xs = [t.location.x for t in spawn_points]
    ys = [t.location.y for t in spawn_points]
    box = ((min(xs) - BOX_MARGIN, min(ys) - BOX_MARGIN), (max(xs) + BOX_MARGIN, max(ys) + BOX_MARGIN))
    rng = random.Random(SEED)
    locations = draw_locations(rng, box, RANDOM_LOCATIONS)
    chain_locations = draw_locations(rng, box, CHAINS)

    chain_starts = [carla_map.get_waypoint(loc) for loc in chain_locations]
    xodr_queries = [[wp.road_id, wp.lane_id, wp.s] for wp in chain_starts[:XODR_QUERIES] if wp is not None]
    xodr_queries += [[q[0], q[1], 0.0] for q in xodr_queries[:3]] + [[999999, -1, 0.0]]
    result = {
        "map_name": carla_map.name,
        "spawn_points": [vector(t.location) + rotation(t.rotation) for t in spawn_points],
        "box": box,
        "get_waypoint": [waypoint(carla_map.get_waypoint(loc)) for loc in locations],
        "get_waypoint_off_road": [
            None if wp is None else ids(wp)
            for wp in (carla_map.get_waypoint(loc, project_to_road=False) for loc in locations)],
        "generate_waypoints": [pose(wp) for wp in carla_map.generate_waypoints(GENERATE_DISTANCE)],
        "topology": [[topology_end(a), topology_end(b)] for a, b in carla_map.get_topology()],
        "chains": [None if wp is None else chain_from(wp) for wp in chain_starts],
        "waypoint_xodr": [[query, waypoint(carla_map.get_waypoint_xodr(*query))] for query in xodr_queries],
    }
    emit_or_save(result, args.out, {"map_name": result["map_name"], "spawn_points": len(result["spawn_points"]),
                                    "generate_waypoints": len(result["generate_waypoints"]),
                                    "topology": len(result["topology"])})


main()
