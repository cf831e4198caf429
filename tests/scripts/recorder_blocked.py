"""Record a parked vehicle and one moved round a circle for --ticks synchronous ticks, then ask for the actors
blocked at least 30 s within 1 m (the example script's defaults)."""
import math

import carla
from _common import connect, emit, synchronous

client, args = connect({"--file": {"required": True}, "--ticks": {"type": int, "default": 800}})
world = client.get_world()
synchronous(world, True)
library = world.get_blueprint_library()
points = world.get_map().get_spawn_points()
parked = world.spawn_actor(library.find("vehicle.tesla.model3"), points[0])
parked.apply_control(carla.VehicleControl(brake=1.0, hand_brake=True))
centre = points[40]
driver = world.spawn_actor(library.find("vehicle.audi.tt"), centre)
driver.set_simulate_physics(False)   # moved by hand: half a metre a tick round a 10 m circle
world.tick()
client.start_recorder(args.file)
for k in range(args.ticks):
    angle = 0.05 * k
    location = centre.location + carla.Location(x=10.0 * math.cos(angle), y=10.0 * math.sin(angle))
    driver.set_transform(carla.Transform(location, carla.Rotation(yaw=math.degrees(angle) + 90.0)))
    world.tick()
client.stop_recorder()
text = client.show_recorder_actors_blocked(args.file, 30.0, 100.0)
rows = [line.split() for line in text.splitlines()[5:] if line.strip() and not line.startswith(("Frames", "Duration"))]
parked.destroy()
driver.destroy()
synchronous(world, False)
emit({"parked": parked.id, "driver": driver.id, "spectator": world.get_spectator().id, "rows": rows,
      "header": text.splitlines()[4], "tail": text.strip().splitlines()[-2:]})
