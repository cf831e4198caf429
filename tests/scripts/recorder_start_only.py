"""Start a recording with vehicles driving in asynchronous mode and leave it running (the server is then stopped)."""
import carla
from _common import connect, emit

client, args = connect({"--file": {"required": True}})
world = client.get_world()
library = world.get_blueprint_library()
for i, point in enumerate(world.get_map().get_spawn_points()[:5]):
    world.spawn_actor(library.find("vehicle.tesla.model3"), point).apply_control(carla.VehicleControl(throttle=0.5))
path = client.start_recorder(args.file, True)
for _ in range(10):
    world.wait_for_tick()
emit({"path": path})
