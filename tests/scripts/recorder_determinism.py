"""A fixed synchronous run recorded (with additional data unless --additional 0): vehicles and walkers, controls
and lights."""
import carla
from _common import connect, emit, synchronous

client, args = connect({"--file": {"required": True}, "--ticks": {"type": int, "default": 40},
                        "--additional": {"type": int, "default": 1}})
world = client.get_world()
synchronous(world, True)
world.reset_all_traffic_lights()   # the light cycle ran on the wall clock until now
library = world.get_blueprint_library()
points = world.get_map().get_spawn_points()
actors = []
for i, name in enumerate(("vehicle.tesla.model3", "vehicle.audi.tt", "vehicle.nissan.patrol", "vehicle.mini.cooper_s")):
    vehicle = world.spawn_actor(library.find(name), points[i * 3])
    vehicle.apply_control(carla.VehicleControl(throttle=0.3 + 0.1 * i, steer=0.1 * i))
    actors.append(vehicle)
actors[0].set_light_state(carla.VehicleLightState(carla.VehicleLightState.Position | carla.VehicleLightState.LowBeam))
for i in range(2):
    location = points[20 + i].location + carla.Location(y=4.0, z=1.0)
    walker = world.spawn_actor(library.find("walker.pedestrian.000%d" % (i + 1)), carla.Transform(location))
    walker.apply_control(carla.WalkerControl(direction=carla.Vector3D(1.0, 0.0, 0.0), speed=1.2))
    actors.append(walker)
world.tick()
path = client.start_recorder(args.file, bool(args.additional))
for k in range(args.ticks):
    if k == args.ticks // 2:
        actors[1].apply_control(carla.VehicleControl(brake=1.0))
    world.tick()
client.stop_recorder()
for actor in actors:
    actor.destroy()
synchronous(world, False)
emit({"path": path})
