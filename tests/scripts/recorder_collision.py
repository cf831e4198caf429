"""A hero vehicle with a collision sensor drives into a parked vehicle while the recorder runs; then a replay
that ignores the hero."""
import math

import carla
from _common import connect, emit, synchronous

client, args = connect({"--file": {"required": True}, "--ticks": {"type": int, "default": 80}})
world = client.get_world()
synchronous(world, True)
library = world.get_blueprint_library()
point = world.get_map().get_spawn_points()[0]
parked = world.spawn_actor(library.find("vehicle.tesla.model3"), point)
hero_bp = library.find("vehicle.audi.tt")
hero_bp.set_attribute("role_name", "hero")
behind = carla.Transform(point.transform(carla.Location(x=-12.0)), point.rotation)
hero = world.spawn_actor(hero_bp, behind)
try:
    sensor = world.spawn_actor(library.find("sensor.other.collision"), carla.Transform(), attach_to=hero)
except (RuntimeError, IndexError) as error:
    parked.destroy()
    hero.destroy()
    synchronous(world, False)
    emit({"skip": "sensor.other.collision cannot be spawned: %s" % error})
    raise SystemExit(0)
sensor.listen(lambda event: None)
hero.apply_control(carla.VehicleControl(throttle=1.0))
client.start_recorder(args.file)
for _ in range(args.ticks):
    world.tick()
client.stop_recorder()
result = {"hero": hero.id, "parked": parked.id, "hero_vs_any": client.show_recorder_collisions(args.file, "h", "a"),
          "walker_vs_any": client.show_recorder_collisions(args.file, "w", "a"),
          "info": client.show_recorder_file_info(args.file, False)}
# replaying with ignore_hero leaves the hero where it is and puts the other vehicle back
hero.apply_control(carla.VehicleControl(brake=1.0, hand_brake=True))
for _ in range(20):
    world.tick()
hero_before = hero.get_location()
client.set_replayer_ignore_hero(True)
result["ignore_hero_text"] = client.replay_file(args.file, 0.0, 0.0, 0)
world.tick()
result["hero_moved_cm"] = hero.get_location().distance(hero_before) * 100.0
where = parked.get_location()
result["parked_from_start_cm"] = math.hypot(where.x - point.location.x, where.y - point.location.y) * 100.0
client.stop_replayer(True)
client.set_replayer_ignore_hero(False)
sensor.stop()
for actor in (sensor, hero, parked):
    actor.destroy()
synchronous(world, False)
emit(result)
