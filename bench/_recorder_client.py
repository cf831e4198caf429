"""Record a synchronous run of vehicles (driving in circles, a fifth of them parked) and walkers on a running
server, with the town's traffic lights; runs under either client. Prints JSON: the actor counts, the recording's
path and the tick rate, or with --query-file the RPC times of the three queries on that recording."""
import argparse
import json
import time

import carla

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=2000)
parser.add_argument("--vehicles", type=int, default=100)
parser.add_argument("--walkers", type=int, default=10)
parser.add_argument("--ticks", type=int, default=600)
parser.add_argument("--file", help="the recording to write (required unless --query-file)")
parser.add_argument("--additional-data", action="store_true")
parser.add_argument("--query-file", help="time the three queries on this recording through RPC")
args = parser.parse_args()
client = carla.Client("127.0.0.1", args.port)
client.set_timeout(600.0)
result = {}
if args.query_file:
    for name, call in (("file_info", lambda: client.show_recorder_file_info(args.query_file, False)),
                       ("collisions", lambda: client.show_recorder_collisions(args.query_file, "a", "a")),
                       ("blocked", lambda: client.show_recorder_actors_blocked(args.query_file, 30.0, 100.0))):
        start = time.perf_counter()
        call()
        result[name] = time.perf_counter() - start
    print(json.dumps(result))
    raise SystemExit(0)
if not args.file:
    parser.error("--file is required unless --query-file is given")
world = client.get_world()
settings = world.get_settings()
settings.synchronous_mode, settings.fixed_delta_seconds, settings.no_rendering_mode = True, 0.05, True
world.apply_settings(settings)
library = world.get_blueprint_library()
vehicle_blueprints = sorted(library.filter("vehicle.*"), key=lambda bp: bp.id)
walker_blueprints = sorted(library.filter("walker.pedestrian.*"), key=lambda bp: bp.id)
points = list(world.get_map().get_spawn_points())
actors = []
for i, point in enumerate(points):
    if len(actors) >= args.vehicles:
        break
    vehicle = world.try_spawn_actor(vehicle_blueprints[i % len(vehicle_blueprints)], point)
    if vehicle is not None:
        parked = len(actors) % 5 == 0
        vehicle.apply_control(carla.VehicleControl(throttle=0.0 if parked else 0.3 + 0.05 * (i % 5),
                                                   steer=0.3, brake=1.0 if parked else 0.0))
        actors.append(vehicle)
vehicles = len(actors)
for i, point in enumerate(points):
    if len(actors) - vehicles >= args.walkers:
        break
    location = point.location + carla.Location(y=6.0, z=1.0)
    walker = world.try_spawn_actor(walker_blueprints[i % len(walker_blueprints)], carla.Transform(location))
    if walker is not None:
        walker.apply_control(carla.WalkerControl(direction=carla.Vector3D(1.0, 0.0, 0.0), speed=1.3))
        actors.append(walker)
world.tick()
result["path"] = client.start_recorder(args.file, args.additional_data)
start = time.perf_counter()
for _ in range(args.ticks):
    world.tick()
result["ticks_per_second"] = args.ticks / (time.perf_counter() - start)
client.stop_recorder()
result["vehicles"], result["walkers"] = vehicles, len(actors) - vehicles
result["lights"] = len(world.get_actors().filter("traffic.traffic_light"))
client.apply_batch_sync([carla.command.DestroyActor(a.id) for a in actors])
settings.synchronous_mode, settings.fixed_delta_seconds = False, None
world.apply_settings(settings)
print(json.dumps(result))
