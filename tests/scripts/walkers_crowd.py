"""AI walkers as CARLA's generate_traffic.py makes them: random sidewalk locations from the navigation
mesh, a walker on each, a controller.ai.walker attached, start, go_to_location, set_max_speed; then
synchronous ticks. Samples where every walker is and whether that is on a driving lane.

Usage: walkers_crowd.py --port P (--xodr PATH | --town NAME) [--walkers N] [--ticks N] [--seed S]
Prints one JSON line.
"""
import carla
from _common import connect, emit, synchronous

SAMPLE_EVERY = 5
FEET_BELOW_ORIGIN = 0.92      # a walker's location is mid-body


def load(client, args):
    if args.xodr:
        with open(args.xodr) as f:
            return client.generate_opendrive_world(f.read(), carla.OpendriveGenerationParameters(),
                                                   reset_settings=False)
    return client.load_world(args.town, reset_settings=False)


def on_lane(carla_map, location, lane_type):
    feet = carla.Location(location.x, location.y, location.z - FEET_BELOW_ORIGIN)
    return carla_map.get_waypoint(feet, project_to_road=False, lane_type=lane_type) is not None


client, args = connect({"--xodr": {"default": None}, "--town": {"default": "Town03"},
                        "--walkers": {"type": int, "default": 20}, "--ticks": {"type": int, "default": 300},
                        "--seed": {"type": int, "default": 5}})
synchronous(client.get_world(), True)
world = load(client, args)
carla_map = world.get_map()
world.set_pedestrians_seed(args.seed)
world.set_pedestrians_cross_factor(0.0)

randoms = [world.get_random_location_from_navigation() for _ in range(50)]
result = {
    "random_found": sum(1 for r in randoms if r is not None),
    "random_on_driving_lane": sum(1 for r in randoms if r is not None and carla_map.get_waypoint(
        r, project_to_road=False, lane_type=carla.LaneType.Driving) is not None),
    "random_points": [[round(r.x, 4), round(r.y, 4), round(r.z, 4)] for r in randoms if r is not None],
}

library = world.get_blueprint_library()
walkers = []
attempts = 0
while len(walkers) < args.walkers and attempts < 5 * args.walkers:
    attempts += 1
    location = world.get_random_location_from_navigation()
    if location is None:
        continue
    blueprint = library.find("walker.pedestrian.%04d" % (1 + len(walkers) % 14))
    walker = world.try_spawn_actor(blueprint, carla.Transform(location))
    if walker is not None:
        walkers.append(walker)
world.tick()
controllers = [world.spawn_actor(library.find("controller.ai.walker"), carla.Transform(), walker)
               for walker in walkers]
world.tick()
for controller in controllers:
    controller.start()
    controller.go_to_location(world.get_random_location_from_navigation())
    controller.set_max_speed(1.4)

samples = []            # per sample tick: per walker [x, y, z, on a driving lane]
for tick in range(args.ticks):
    world.tick()
    if tick % SAMPLE_EVERY == SAMPLE_EVERY - 1:
        row = []
        for walker in walkers:
            location = walker.get_location()
            row.append([round(location.x, 3), round(location.y, 3), round(location.z, 3),
                        on_lane(carla_map, location, carla.LaneType.Driving)])
        samples.append(row)

result["walkers"] = len(walkers)
result["controllers"] = [c.type_id for c in controllers[:1]]
result["samples"] = samples
for controller in controllers:
    controller.stop()
    controller.destroy()
for walker in walkers:
    walker.destroy()
synchronous(world, False)
emit(result)
