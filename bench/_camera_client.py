"""Synchronous ticks per second with N RGB cameras listening on a driving vehicle, with P parked vehicles spawned
ahead (10 by default: the camera vehicle runs into them and pushes them); runs under either client. Prints JSON."""
import argparse
import json
import queue
import time

import carla

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=2000)
parser.add_argument("--cameras", type=int, default=1)
parser.add_argument("--parked", type=int, default=10, help="vehicles parked at the next spawn points")
parser.add_argument("--width", type=int, default=800)
parser.add_argument("--height", type=int, default=600)
parser.add_argument("--seconds", type=float, default=5.0)
args = parser.parse_args()
client = carla.Client("127.0.0.1", args.port)
client.set_timeout(60.0)
world = client.get_world()
settings = world.get_settings()
settings.synchronous_mode, settings.fixed_delta_seconds = True, 0.05
world.apply_settings(settings)
library = world.get_blueprint_library()
vehicle = world.spawn_actor(library.find("vehicle.tesla.model3"), world.get_map().get_spawn_points()[0])
for i in range(args.parked):
    world.spawn_actor(library.find("vehicle.audi.a2"), world.get_map().get_spawn_points()[i + 1])
blueprint = library.find("sensor.camera.rgb")
blueprint.set_attribute("image_size_x", str(args.width))
blueprint.set_attribute("image_size_y", str(args.height))
images = queue.Queue()
cameras = []
for i in range(args.cameras):
    transform = carla.Transform(carla.Location(x=-5.5, z=2.8), carla.Rotation(pitch=-15, yaw=360.0 * i / args.cameras))
    camera = world.spawn_actor(blueprint, transform, attach_to=vehicle)
    camera.listen(images.put)
    cameras.append(camera)
vehicle.apply_control(carla.VehicleControl(throttle=0.5))


def tick_and_collect():
    frame = world.tick()
    for _ in cameras:
        image = images.get(timeout=60.0)
        assert image.frame == frame, (image.frame, frame)


for _ in range(5):
    tick_and_collect()
ticks, start = 0, time.perf_counter()
while time.perf_counter() - start < args.seconds:
    tick_and_collect()
    ticks += 1
elapsed = time.perf_counter() - start
for camera in cameras:
    camera.stop()
    camera.destroy()
settings.synchronous_mode, settings.fixed_delta_seconds = False, None
world.apply_settings(settings)
print(json.dumps({"cameras": args.cameras, "parked": args.parked, "ticks_per_second": ticks / elapsed,
                  "images_per_second": ticks * args.cameras / elapsed}), flush=True)
