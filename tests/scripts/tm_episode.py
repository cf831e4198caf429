"""Autopilot, a TM-wide setting, then reload_world: the vehicles are gone, the TM stays; prints one JSON line."""
from _common import connect, emit

client, args = connect({"--tm-port": {"type": int, "required": True}})
world = client.get_world()
tm = client.get_trafficmanager(args.tm_port)
tm.global_percentage_speed_difference(-20.0)
car = world.spawn_actor(world.get_blueprint_library().find("vehicle.tesla.model3"),
                        world.get_map().get_spawn_points()[0])
car.set_autopilot(True, args.tm_port)
world = client.reload_world()
again = client.get_trafficmanager(args.tm_port)
car = world.spawn_actor(world.get_blueprint_library().find("vehicle.tesla.model3"),
                        world.get_map().get_spawn_points()[5])
car.set_autopilot(True, args.tm_port)
world.wait_for_tick()
emit({"port_after_reload": again.get_port(), "new_car": car.id,
      "vehicles": len(world.get_actors().filter("vehicle.*"))})
