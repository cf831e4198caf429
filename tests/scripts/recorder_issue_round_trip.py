"""The recorder issue's round trip in one run: in synchronous mode (0.05 s) on Town01, record 800 ticks (40 s)
of 20 vehicles driving, one vehicle parked far from them and a hero that drives into a stationary vehicle,
keeping every vehicle's pose at every tick; then ask for the file info, the hero's collisions and the blocked
actors (CARLA's defaults, 30 s and 10 cm), replay from second 10 for 5 s and compare the replayed transforms
with the recorded ones tick by tick."""
import math

import carla
from _common import angle_error, connect, emit, pose, spawn_drivers, synchronous

client, args = connect({"--file": {"required": True}, "--ticks": {"type": int, "default": 800},
                        "--start": {"type": float, "default": 10.0}, "--duration": {"type": float, "default": 5.0}})
DELTA = 0.05
world = client.get_world()
synchronous(world, True, DELTA)
library = world.get_blueprint_library()
points = world.get_map().get_spawn_points()

# 20 drivers at the first spawn points, on fixed controls (as recorder_round_trip.py)
drivers = spawn_drivers(world)


def farthest_point(taken):
    """The spawn point farthest from every location in `taken` (ties: the lowest index)."""
    return max(points[20:], key=lambda p: min(p.location.distance(t) for t in taken))


# the hero drives into a stationary vehicle from 12 m behind it (as recorder_collision.py), far from the drivers
taken = [p.location for p in points[:20]]
target_point = farthest_point(taken)
target = world.spawn_actor(library.find("vehicle.tesla.model3"), target_point)
hero_bp = library.find("vehicle.audi.tt")
hero_bp.set_attribute("role_name", "hero")
hero = world.spawn_actor(hero_bp, carla.Transform(target_point.transform(carla.Location(x=-12.0)),
                                                  target_point.rotation))
hero.apply_control(carla.VehicleControl(throttle=1.0))
# the recorder writes the collisions that a collision sensor reports (as CARLA's does): the hero carries one
sensor = world.spawn_actor(library.find("sensor.other.collision"), carla.Transform(), attach_to=hero)
hits = []
sensor.listen(lambda event: hits.append((event.frame, event.other_actor.id)))
# one more vehicle parked, with no control at all, far from all of them
taken.append(target_point.location)
parked = world.spawn_actor(library.find("vehicle.lincoln.mkz_2020"), farthest_point(taken))
vehicles = drivers + [target, hero, parked]
world.tick()


client.start_recorder(args.file)
recorded, frames = [], []
for _ in range(args.ticks):
    world.tick()
    snapshot = world.get_snapshot()
    frames.append(snapshot.frame)
    recorded.append({v.id: pose(snapshot, v.id) for v in vehicles})
client.stop_recorder()
for _ in range(5):          # the sensor's events come on their own stream: let the last ones arrive
    world.tick()
sensor.stop()
# when (s into the recording) each contact of the hero with another actor began, as the sensor reported it
hero_contacts = sorted([frames.index(frame) * DELTA, other] for frame, other in hits if frame in frames)


def blocked_runs(track, min_time=30.0, min_distance=0.1):
    """CARLA's blocked-actor algorithm (recorder-format.md 8.5) over the poses the client saw: [since, seconds]
    of every stretch of at least min_time within min_distance of where the actor last moved to."""
    anchor, since, duration, runs = None, 0.0, 0.0, []
    for k, location in enumerate(track):
        if anchor is not None and math.dist(location, anchor) < min_distance:
            if duration == 0.0:
                since = k * DELTA
            duration += -1.0 if k == len(track) - 1 else DELTA   # CARLA's last frame adds -1.0
        else:
            if duration >= min_time:
                runs.append([since, duration])
            anchor, duration = location, 0.0
    return runs + ([[since, duration]] if duration >= min_time else [])


still = {str(v.id): blocked_runs([r[v.id][:3] for r in recorded]) for v in vehicles}

parked_moved_cm = max(math.dist(r[parked.id][:3], recorded[0][parked.id][:3]) for r in recorded) * 100.0
closest_to_parked_m = min(math.dist(r[v.id][:3], r[parked.id][:3]) for r in recorded for v in vehicles if v != parked)
info = client.show_recorder_file_info(args.file, False)
collisions = client.show_recorder_collisions(args.file, "h", "v")
blocked = client.show_recorder_actors_blocked(args.file, 30.0, 10.0)

replay_text = client.replay_file(args.file, args.start, args.duration, 0)
first = int(round(args.start / DELTA))
location_error = rotation_error = 0.0
worst = None
for j in range(1, int(round(args.duration / DELTA)) + 1):
    world.tick()
    snapshot = world.get_snapshot()
    expected = recorded[first + j]
    for v in vehicles:
        got, want = pose(snapshot, v.id), expected[v.id]
        error = math.dist(got[:3], want[:3]) * 100.0
        if error > location_error:
            location_error, worst = error, [j, v.id]
        rotation_error = max(rotation_error, *(angle_error(g, w) for g, w in zip(got[3:], want[3:])))
client.stop_replayer(True)
for actor in [sensor] + vehicles:
    actor.destroy()
synchronous(world, False)


def rows(text):
    """The table rows of a query's text: after the 5 header lines, before the blank line and the two totals."""
    return [line.split() for line in text.splitlines()[5:-3] if line.strip()]


emit({
    "vehicles": {str(v.id): v.type_id for v in vehicles},
    "drivers": len(drivers),
    "hero": hero.id, "target": target.id, "parked": parked.id,
    "spectator": world.get_spectator().id,
    "created_listed": [v.id for v in vehicles if f" Create {v.id}: {v.type_id} (1) at " in info],
    "hero_listed_as_hero": f" Create {hero.id}: vehicle.audi.tt (1) at " in info and "role_name = hero" in info,
    "info_tail": info.strip().splitlines()[-2:],
    "collision_header": collisions.splitlines()[4],
    "collision_rows": rows(collisions),
    "collision_tail": collisions.strip().splitlines()[-2:],
    "blocked_header": blocked.splitlines()[4],
    "blocked_rows": rows(blocked),
    "blocked_tail": blocked.strip().splitlines()[-2:],
    "hero_contacts": hero_contacts,
    "still": {i: runs for i, runs in still.items() if runs},
    "parked_moved_cm": parked_moved_cm,
    "closest_to_parked_m": closest_to_parked_m,
    "hero_travel_m": math.dist(recorded[0][hero.id][:3], recorded[-1][hero.id][:3]),
    "replay_text": replay_text,
    "compared_ticks": int(round(args.duration / DELTA)),
    "max_location_error_cm": location_error,
    "worst": worst,
    "max_rotation_error_deg": rotation_error,
})
