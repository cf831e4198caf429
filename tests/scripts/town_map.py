"""Load a town and read its map: waypoints, topology, spawn points, and driving along next() through junctions."""
import math

import carla
from _common import connect, emit

client, args = connect({"--town": {"required": True}})
world = client.load_world(args.town)
carla_map = world.get_map()
waypoints = carla_map.generate_waypoints(2.0)
topology = carla_map.get_topology()
spawn_points = carla_map.get_spawn_points()

# Every spawn point sits on a driving lane: its projection onto the nearest driving lane is close by.
spawn_offsets = []
for transform in spawn_points:
    projected = carla_map.get_waypoint(transform.location, project_to_road=True, lane_type=carla.LaneType.Driving)
    spawn_offsets.append(projected.transform.location.distance(transform.location) if projected else math.inf)

# Follow next() from waypoints spread over the map; count the junctions crossed and any dead end.
junction_roads, dead_ends, steps = set(), 0, 0
for start in waypoints[:: max(1, len(waypoints) // 60)]:
    current = start
    for _ in range(80):
        following = current.next(4.0)
        if not following:
            dead_ends += 1
            break
        current = following[0]
        steps += 1
        if current.is_junction:
            junction_roads.add(current.road_id)

emit({
    "map_name": carla_map.name,
    "waypoints": len(waypoints),
    "topology": len(topology),
    "spawn_points": len(spawn_points),
    "max_spawn_offset": max(spawn_offsets) if spawn_offsets else None,
    "junction_roads_driven": len(junction_roads),
    "dead_ends": dead_ends,
    "steps": steps,
    "max_waypoint_z": max(w.transform.location.z for w in waypoints),
    "lane_types": sorted({str(w.lane_type) for w in waypoints}),
})
