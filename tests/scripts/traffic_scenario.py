"""Vehicles on autopilot and AI walkers for many synchronous ticks, measured on snapshots.

Counts what the issue forbids (a vehicle off the road, a vehicle crossing a stop line on red, two
vehicles overlapping, a walker off the sidewalks and crosswalks), how far each vehicle and walker went,
and a digest of every sampled snapshot so that two runs can be compared."""
import hashlib
import random

import numpy as np

import carla
from _common import connect, emit, synchronous

SAMPLE_EVERY = 10          # ticks between the off-road, overlap and walker checks
OVERLAP_SLACK = 0.02       # metres of box overlap tolerated (contact, not overlap)
SIDEWALK_SLACK = 0.3       # metres a walker may stand past a sidewalk's edge (curb)

client, args = connect({"--map": {"default": "Town03"}, "--vehicles": {"type": int, "default": 100},
                        "--walkers": {"type": int, "default": 50}, "--ticks": {"type": int, "default": 3000},
                        "--tm-port": {"type": int, "default": 8000}, "--seed": {"type": int, "default": 7}})
world = client.load_world(args.map)
synchronous(world, True)
tm = client.get_trafficmanager(args.tm_port)
tm.set_synchronous_mode(True)
tm.set_random_device_seed(args.seed)
world.set_pedestrians_seed(args.seed)
rng = random.Random(args.seed)
carla_map = world.get_map()
library = world.get_blueprint_library()

# -- vehicles on autopilot ---------------------------------------------------------------------------------
cars = sorted((bp for bp in library.filter("vehicle.*")
               if bp.get_attribute("number_of_wheels").as_int() == 4), key=lambda bp: bp.id)
spawn_points = carla_map.get_spawn_points()
rng.shuffle(spawn_points)
batch = []
for transform in spawn_points[:args.vehicles]:
    bp = rng.choice(cars)
    if bp.has_attribute("color"):
        bp.set_attribute("color", rng.choice(bp.get_attribute("color").recommended_values))
    bp.set_attribute("role_name", "autopilot")
    batch.append(carla.command.SpawnActor(bp, transform).then(
        carla.command.SetAutopilot(carla.command.FutureActor, True, args.tm_port)))
vehicle_ids = [r.actor_id for r in client.apply_batch_sync(batch, True) if not r.error]

# -- AI walkers --------------------------------------------------------------------------------------------
walker_bps = sorted(library.filter("walker.pedestrian.*"), key=lambda bp: bp.id)
batch = []
for _ in range(args.walkers):
    location = world.get_random_location_from_navigation()
    if location is None:
        continue
    bp = rng.choice(walker_bps)
    if bp.has_attribute("is_invincible"):
        bp.set_attribute("is_invincible", "false")
    batch.append(carla.command.SpawnActor(bp, carla.Transform(location + carla.Location(z=1.0))))
walker_ids = [r.actor_id for r in client.apply_batch_sync(batch, True) if not r.error]
controller_bp = library.find("controller.ai.walker")
responses = client.apply_batch_sync(
    [carla.command.SpawnActor(controller_bp, carla.Transform(), w) for w in walker_ids], True)
controllers = [world.get_actor(r.actor_id) for r in responses if not r.error]
world.set_pedestrians_cross_factor(0.2)
for controller in controllers:
    controller.start()
    controller.go_to_location(world.get_random_location_from_navigation())
    controller.set_max_speed(1.0 + rng.random())
world.tick()

# -- what the checks need ----------------------------------------------------------------------------------
vehicles = [world.get_actor(i) for i in vehicle_ids]
half_extents = np.array([[v.bounding_box.extent.x, v.bounding_box.extent.y] for v in vehicles])
lights = sorted(world.get_actors().filter("traffic.traffic_light"), key=lambda a: a.id)
stop_lines = []     # (light index, x, y, forward x, forward y, half lane width)
for index, light in enumerate(lights):
    for waypoint in light.get_stop_waypoints():
        t = waypoint.transform
        forward = t.get_forward_vector()
        stop_lines.append((index, t.location.x, t.location.y, forward.x, forward.y, waypoint.lane_width / 2))
stop_lines = np.array(stop_lines, dtype=np.float64).reshape(-1, 6)


def crosswalk_polygons():
    points, polygons, current = carla_map.get_crosswalks(), [], []
    for p in points:
        current.append((p.x, p.y))
        if len(current) > 2 and current[0] == current[-1]:
            polygons.append(np.array(current))
            current = []
    return polygons


CROSSWALKS = crosswalk_polygons()


def on_crosswalk(polygon, x, y) -> bool:
    """Inside the outline, or within SIDEWALK_SLACK of its edge (walkers' paths hug polygon edges)."""
    px, py = polygon[:, 0], polygon[:, 1]
    qx, qy = np.roll(px, -1), np.roll(py, -1)
    crosses = ((py > y) != (qy > y)) & (x < (qx - px) * (y - py) / np.where(qy != py, qy - py, 1.0) + px)
    if np.count_nonzero(crosses) % 2:
        return True
    ex, ey = qx - px, qy - py
    t = np.clip(((x - px) * ex + (y - py) * ey) / np.maximum(ex * ex + ey * ey, 1e-12), 0.0, 1.0)
    return bool(np.min(np.hypot(px + t * ex - x, py + t * ey - y)) <= SIDEWALK_SLACK)


def on_walkable(location) -> bool:
    if carla_map.get_waypoint(location, project_to_road=False, lane_type=carla.LaneType.Sidewalk):
        return True
    if any(on_crosswalk(polygon, location.x, location.y) for polygon in CROSSWALKS):
        return True
    nearest = carla_map.get_waypoint(location, project_to_road=True, lane_type=carla.LaneType.Sidewalk)
    return nearest is not None and nearest.transform.location.distance(location) <= \
        nearest.lane_width / 2 + SIDEWALK_SLACK


def overlapping_pairs(xy, yaw) -> int:
    """Pairs of vehicle boxes that overlap by more than OVERLAP_SLACK (2D separating axes)."""
    c, s = np.cos(np.radians(yaw)), np.sin(np.radians(yaw))
    axes = np.stack([np.stack([c, s], 1), np.stack([-s, c], 1)], 1)          # (n, 2 axes, 2)
    near = np.argwhere(np.triu(np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1)) < 12.0, 1))
    count = 0
    for i, j in near:
        separated = False
        for axis in np.concatenate([axes[i], axes[j]]):
            reach_i = np.abs(axes[i] @ axis) @ half_extents[i]
            reach_j = np.abs(axes[j] @ axis) @ half_extents[j]
            if abs((xy[j] - xy[i]) @ axis) >= reach_i + reach_j - OVERLAP_SLACK:
                separated = True
                break
        count += not separated
    return count


# -- the run -----------------------------------------------------------------------------------------------
digest = hashlib.sha256()
previous = previous_front = None
travelled = np.zeros(len(vehicles))
walker_start = None
counts = {"off_road": 0, "red_light_crossings": 0, "overlapping_pairs": 0, "walkers_off_walkable": 0}
examples = []
for tick in range(1, args.ticks + 1):
    world.tick()
    snapshot = world.get_snapshot()
    transforms = [snapshot.find(i).get_transform() for i in vehicle_ids]
    xy = np.array([[t.location.x, t.location.y] for t in transforms])
    heading = np.radians([t.rotation.yaw for t in transforms])
    # A vehicle runs a light when its front bumper passes the stop line while the light is red.
    front = xy + half_extents[:, :1] * np.stack([np.cos(heading), np.sin(heading)], axis=1)
    if previous is not None:
        travelled += np.hypot(*(xy - previous).T)
        if len(stop_lines):
            red = np.array([lights[int(i)].get_state() == carla.TrafficLightState.Red for i in stop_lines[:, 0]])
            offset_now = front[None] - stop_lines[None, :, 1:3].transpose(1, 0, 2)
            offset_before = previous_front[None] - stop_lines[None, :, 1:3].transpose(1, 0, 2)
            forward = stop_lines[:, None, 3:5]
            along_now = (offset_now * forward).sum(-1)
            along_before = (offset_before * forward).sum(-1)
            lateral = np.abs(offset_now[..., 0] * -forward[..., 1] + offset_now[..., 1] * forward[..., 0])
            crossed = (along_before < 0) & (along_now >= 0) & (lateral <= stop_lines[:, None, 5]) & red[:, None]
            for line, vehicle in np.argwhere(crossed):
                counts["red_light_crossings"] += 1
                examples.append(f"tick {tick}: vehicle {vehicle_ids[vehicle]} crossed the stop line of "
                                f"light {lights[int(stop_lines[line, 0])].id} on red")
    previous, previous_front = xy, front
    if tick % SAMPLE_EVERY:
        continue
    yaw = np.array([t.rotation.yaw for t in transforms])
    for vehicle_id, t in zip(vehicle_ids, transforms):
        if carla_map.get_waypoint(t.location, project_to_road=False, lane_type=carla.LaneType.Driving) is None:
            counts["off_road"] += 1
            examples.append(f"tick {tick}: vehicle {vehicle_id} off the road at {t.location}")
        digest.update(b"%d %.3f %.3f %.3f %.2f;" % (vehicle_id, t.location.x, t.location.y, t.location.z,
                                                    t.rotation.yaw))
    counts["overlapping_pairs"] += overlapping_pairs(xy, yaw)
    walker_xy = []
    for walker_id in walker_ids:
        location = snapshot.find(walker_id).get_transform().location
        walker_xy.append((location.x, location.y))
        digest.update(b"%d %.3f %.3f;" % (walker_id, location.x, location.y))
        if not on_walkable(location):
            counts["walkers_off_walkable"] += 1
            examples.append(f"tick {tick}: walker {walker_id} off the sidewalks at {location}")
    walker_start = np.array(walker_xy) if walker_start is None else walker_start
    walker_end = np.array(walker_xy)

walker_moved = np.hypot(*(walker_end - walker_start).T) if len(walker_ids) else np.zeros(0)
emit({
    "vehicles": len(vehicle_ids), "walkers": len(walker_ids), "controllers": len(controllers),
    "traffic_lights": len(lights), "stop_lines": len(stop_lines), "ticks": args.ticks,
    **counts, "examples": examples[:10],
    "min_vehicle_distance_m": round(float(travelled.min()), 1) if len(travelled) else 0.0,
    "mean_vehicle_distance_m": round(float(travelled.mean()), 1) if len(travelled) else 0.0,
    "walkers_moved_over_1m": int(np.count_nonzero(walker_moved > 1.0)),
    "digest": digest.hexdigest(),
})
