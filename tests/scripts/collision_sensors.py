"""Collision and obstacle sensors on a car driven at full throttle.

--scenario vehicle: a parked car stands 10 m (bumper to bumper) ahead of the hero on spawn point 0; the
hero carries a collision sensor and an obstacle sensor on its front bumper, the parked car a collision
sensor. --scenario wall: the hero starts at --x --y --yaw facing a building. Prints what the sensors
reported (frames counted from the first tick after listening) and how close the boxes came.
"""
import math
import threading
import time

import carla
from _common import connect, emit, synchronous

client, args = connect({"--scenario": {"default": "vehicle"}, "--x": {"type": float, "default": 0.0},
                        "--y": {"type": float, "default": 0.0}, "--yaw": {"type": float, "default": 0.0}})
world = client.get_world()
synchronous(world, True)
library = world.get_blueprint_library()
car = library.find("vehicle.tesla.model3")
car.set_attribute("role_name", "hero")
if args.scenario == "vehicle":
    start = world.get_map().get_spawn_points()[0]
else:
    start = carla.Transform(carla.Location(x=args.x, y=args.y, z=0.5), carla.Rotation(yaw=args.yaw))
hero = world.spawn_actor(car, start)
extent = hero.bounding_box.extent.x
forward = start.get_forward_vector()
actors = [hero]
parked = None
if args.scenario == "vehicle":
    car.set_attribute("role_name", "parked")
    ahead = carla.Transform(start.location + forward * (10.0 + 2 * extent), start.rotation)
    parked = world.spawn_actor(car, ahead)
    actors.append(parked)

lock = threading.Lock()
received = {"hero": [], "parked": [], "obstacle": []}


def on_collision(key):
    def record(event):
        other = event.other_actor
        impulse = event.normal_impulse
        with lock:
            received[key].append({"frame": event.frame, "actor": event.actor.id, "other": other.id,
                                  "other_type": other.type_id, "other_text": str(other),
                                  "other_tags": list(other.semantic_tags),
                                  "impulse": [round(impulse.x), round(impulse.y), round(impulse.z)]})
    return record


def on_obstacle(event):
    with lock:
        received["obstacle"].append({"frame": event.frame, "actor": event.actor.id,
                                     "actor_type": event.actor.type_id, "other": event.other_actor.id,
                                     "other_type": event.other_actor.type_id, "distance": round(event.distance, 2)})


sensors = []
collision_bp = library.find("sensor.other.collision")
sensor = world.spawn_actor(collision_bp, carla.Transform(), attach_to=hero)
sensor.listen(on_collision("hero"))
sensors.append(sensor)
if parked is not None:
    sensor = world.spawn_actor(collision_bp, carla.Transform(), attach_to=parked)
    sensor.listen(on_collision("parked"))
    sensors.append(sensor)
    obstacle_bp = library.find("sensor.other.obstacle")
    obstacle_bp.set_attribute("distance", "20")
    obstacle = world.spawn_actor(obstacle_bp, carla.Transform(carla.Location(x=extent, z=1.0)), attach_to=hero)
    obstacle.listen(on_obstacle)
    sensors.append(obstacle)

first = world.tick()
for _ in range(3):
    world.tick()
hero.apply_control(carla.VehicleControl(throttle=1.0))
min_gap = math.inf
for _ in range(70):
    world.tick()
    if parked is not None:
        a, b = hero.get_location(), parked.get_location()
        along = (b.x - a.x) * forward.x + (b.y - a.y) * forward.y
        min_gap = min(min_gap, along - 2 * extent)
for _ in range(3):
    world.tick()
time.sleep(0.5)       # the last events are on their way on the sensor streams
end = hero.get_location()
speed = hero.get_velocity().length()
for sensor in sensors:
    sensor.stop()
    sensor.destroy()
ids = {hero.id: "hero"}
if parked is not None:
    ids[parked.id] = "parked"
for actor in actors:
    actor.destroy()
synchronous(world, False)


def named(events, keys):
    out = []
    for e in sorted(events, key=lambda e: e["frame"]):
        e = dict(e, frame=e["frame"] - first)
        for key in keys:
            e[key] = ids.get(e[key], e[key])
        out.append(e)
    return out


obstacle_seen = [e for e in named(received["obstacle"], ("other",)) if e["frame"] >= 2]
emit({
    "hero_events": named(received["hero"], ("actor", "other")),
    "parked_events": named(received["parked"], ("actor", "other")),
    "obstacle_first": obstacle_seen[0] if obstacle_seen else None,
    "min_gap_cm": None if parked is None else round(min_gap * 100),
    "travelled_cm": round(((end.x - start.location.x) * forward.x + (end.y - start.location.y) * forward.y) * 100),
    "final_speed": round(speed, 2),
})
