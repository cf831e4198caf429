"""Time load_world (or generate_opendrive_world for an .xodr path), get_map and N get_waypoint calls on one
map; runs under either client. Prints JSON."""
import argparse
import json
import random
import time

import carla

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=2000)
parser.add_argument("--map", required=True, help="a town name, or the path of an .xodr file")
parser.add_argument("--repeats", type=int, default=3)
parser.add_argument("--queries", type=int, default=10000)
args = parser.parse_args()
client = carla.Client("127.0.0.1", args.port)
client.set_timeout(120.0)
client.get_world()

if args.map.endswith(".xodr"):
    with open(args.map) as f:
        text = f.read()
    load = lambda: client.generate_opendrive_world(text)  # noqa: E731
else:
    load = lambda: client.load_world(args.map)  # noqa: E731
load_seconds = []
for _ in range(args.repeats):
    start = time.perf_counter()
    world = load()
    load_seconds.append(time.perf_counter() - start)

start = time.perf_counter()
carla_map = world.get_map()
get_map_seconds = time.perf_counter() - start

points = carla_map.get_spawn_points()
xs, ys = [t.location.x for t in points], [t.location.y for t in points]
rng = random.Random(7)
locations = [carla.Location(x=rng.uniform(min(xs) - 20.0, max(xs) + 20.0),
                            y=rng.uniform(min(ys) - 20.0, max(ys) + 20.0), z=0.0) for _ in range(args.queries)]
try:
    # The first road query builds the map's road index (the official client builds it in get_map()).
    start = time.perf_counter()
    carla_map.get_waypoint(locations[0])
    index_seconds = time.perf_counter() - start
    start = time.perf_counter()
    for location in locations:
        carla_map.get_waypoint(location)
    waypoint_seconds = time.perf_counter() - start
    waypoint_error = None
except RuntimeError as error:
    index_seconds, waypoint_seconds, waypoint_error = None, None, str(error)
print(json.dumps({"load_seconds": load_seconds, "get_map_seconds": get_map_seconds,
                  "index_seconds": index_seconds, "waypoint_seconds": waypoint_seconds, "waypoint_error": waypoint_error}))
