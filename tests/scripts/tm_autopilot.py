"""Vehicles on autopilot three ways (set_autopilot, SetAutopilot in a batch's do_after, a plain batch),
a few synchronous ticks, then one destroyed and one taken off autopilot; prints one JSON line."""
import carla
from _common import connect, emit, synchronous

client, args = connect({"--tm-port": {"type": int, "required": True},
                        "--ticks": {"type": int, "default": 20}})
world = client.get_world()
tm = client.get_trafficmanager(args.tm_port)
tm.set_synchronous_mode(True)
synchronous(world, True)
library = world.get_blueprint_library()
points = world.get_map().get_spawn_points()
blueprint = library.find("vehicle.tesla.model3")
direct = world.spawn_actor(blueprint, points[0])
direct.set_autopilot(True, args.tm_port)
C = carla.command
responses = client.apply_batch_sync(
    [C.SpawnActor(blueprint, points[i]).then(C.SetAutopilot(C.FutureActor, True, args.tm_port)) for i in (1, 2, 3)],
    True)
batched = [r.actor_id for r in responses]
spectator_error = client.apply_batch_sync([C.SetAutopilot(world.get_spectator().id, True, args.tm_port)])[0].error
start = {a.id: a.get_location() for a in world.get_actors().filter("vehicle.*")}
for _ in range(args.ticks):
    world.tick()
moved = {str(a.id): round(a.get_location().distance(start[a.id]), 0) > 0 for a in world.get_actors().filter("vehicle.*")}
world.get_actor(batched[0]).destroy()
world.get_actor(batched[1]).set_autopilot(False, args.tm_port)
off = client.apply_batch_sync([C.SetAutopilot(batched[2], False, args.tm_port)], False)
world.tick()
synchronous(world, False)
tm.set_synchronous_mode(False)
emit({"direct": direct.id, "batched": batched, "batch_errors": [r.error for r in responses],
      "spectator_error": spectator_error, "moved": moved, "off_error": off[0].error})
