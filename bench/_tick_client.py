"""Measure synchronous ticks per second with N vehicles; runs under either client. Prints JSON."""
import argparse
import json
import time

import carla

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=2000)
parser.add_argument("--vehicles", type=int, default=0)
parser.add_argument("--seconds", type=float, default=3.0)
parser.add_argument("--camera", action="store_true", help="also spawn a listening 800x600 RGB camera")
parser.add_argument("--autopilot-port", type=int, default=0,
                    help="put the vehicles on autopilot with the Traffic Manager on this port (0: fixed control)")
parser.add_argument("--town", help="load this map first")
args = parser.parse_args()
client = carla.Client("127.0.0.1", args.port)
client.set_timeout(60.0)
world = client.load_world(args.town) if args.town else client.get_world()
settings = world.get_settings()
settings.synchronous_mode, settings.fixed_delta_seconds, settings.no_rendering_mode = True, 0.05, True
world.apply_settings(settings)
blueprint = world.get_blueprint_library().find("vehicle.tesla.model3")
points = list(world.get_map().get_spawn_points())
if args.autopilot_port:
    # Past the spawn points, autopiloted vehicles stand on the lanes: waypoints 6 m apart outside junctions
    # (those that overlap a vehicle already there fail to spawn and are left out of the count).
    lanes = [w for w in world.get_map().generate_waypoints(6.0) if not w.is_junction]
    points += [carla.Transform(w.transform.location + carla.Location(z=0.3), w.transform.rotation) for w in lanes]
while len(points) < args.vehicles:   # past those, a parking grid away from the roads
    i = len(points)
    points.append(carla.Transform(carla.Location(x=-2000.0 - 8.0 * (i % 50), y=-2000.0 - 5.0 * (i // 50), z=0.3)))
if args.autopilot_port:
    traffic_manager = client.get_trafficmanager(args.autopilot_port)
    traffic_manager.set_synchronous_mode(True)
    follow_up = lambda: carla.command.SetAutopilot(carla.command.FutureActor, True, args.autopilot_port)  # noqa: E731
else:
    follow_up = lambda: carla.command.ApplyVehicleControl(  # noqa: E731
        carla.command.FutureActor, carla.VehicleControl(throttle=0.6, steer=0.1))
camera_point = points[0]
ids = []
while len(ids) < args.vehicles and points:
    batch = [carla.command.SpawnActor(blueprint, t).then(follow_up()) for t in points[:args.vehicles - len(ids)]]
    points = points[len(batch):]
    ids += [r.actor_id for r in client.apply_batch_sync(batch, True) if not r.error]
camera = None
if args.camera:
    camera = world.spawn_actor(world.get_blueprint_library().find("sensor.camera.rgb"), camera_point)
    camera.listen(lambda image: None)
for _ in range(20):
    world.tick()
ticks, start = 0, time.perf_counter()
while time.perf_counter() - start < args.seconds:
    for _ in range(50):
        world.tick()
    ticks += 50
elapsed = time.perf_counter() - start
if camera is not None:
    camera.stop()
    camera.destroy()
client.apply_batch_sync([carla.command.DestroyActor(i) for i in ids], True)
settings.synchronous_mode, settings.fixed_delta_seconds = False, None
world.apply_settings(settings)
print(json.dumps({"vehicles": len(ids), "ticks_per_second": ticks / elapsed}))
