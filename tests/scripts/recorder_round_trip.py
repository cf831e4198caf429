"""Record 20 driving vehicles in synchronous mode, read the file info, replay a part and compare the replayed
transforms with the recorded ones; then replay in asynchronous mode."""
import math

import carla
from _common import angle_error, connect, emit, pose, spawn_drivers, synchronous

client, args = connect({"--file": {"required": True}, "--ticks": {"type": int, "default": 60},
                        "--start": {"type": float, "default": 1.0}, "--duration": {"type": float, "default": 1.0}})
world = client.get_world()
synchronous(world, True)
library = world.get_blueprint_library()
points = world.get_map().get_spawn_points()
vehicles = spawn_drivers(world)
world.tick()


lights = list(world.get_actors().filter("traffic.traffic_light"))
path = client.start_recorder(args.file)
recorded, recorded_lights, recorded_elapsed = [], [], []
for _ in range(args.ticks):
    world.tick()
    snapshot = world.get_snapshot()
    recorded.append({v.id: pose(snapshot, v.id) for v in vehicles})
    recorded_lights.append({light.id: int(light.get_state()) for light in lights})
    recorded_elapsed.append({light.id: light.get_elapsed_time() for light in lights})
client.stop_recorder()
# the replay sets the recorded light states again: switch every light off and freeze it first
world.freeze_all_traffic_lights(True)
for light in lights:
    light.set_state(carla.TrafficLightState.Off)

bystander = world.spawn_actor(library.find(vehicles[0].type_id), points[30])
bystander.apply_control(carla.VehicleControl(throttle=0.4))
world.tick()
bystander_before = world.get_snapshot().find(bystander.id).get_transform().location

info = client.show_recorder_file_info(args.file, False)
leader = vehicles[0].id
replay_text = client.replay_file(args.file, args.start, args.duration, leader)
first = int(round(args.start / 0.05))
location_error = rotation_error = follow_error = follow_pitch_error = 0.0
light_mismatches = elapsed_mismatches = 0
for j in range(1, int(round(args.duration / 0.05)) + 1):
    world.tick()
    snapshot = world.get_snapshot()
    expected = recorded[first + j]
    for v in vehicles:
        got = pose(snapshot, v.id)
        want = expected[v.id]
        location_error = max(location_error, math.dist(got[:3], want[:3]) * 100.0)
        rotation_error = max(rotation_error, *(angle_error(g, w) for g, w in zip(got[3:], want[3:])))
    light_mismatches += sum(int(light.get_state()) != recorded_lights[first + j][light.id] for light in lights)
    elapsed_mismatches += sum(abs(light.get_elapsed_time() - recorded_elapsed[first + j][light.id]) > 1e-3
                              for light in lights)
    transform = snapshot.find(leader).get_transform()
    behind = transform.transform(carla.Location(x=-10.0, z=5.0))
    spectator = snapshot.find(world.get_spectator().id).get_transform()
    follow_error = max(follow_error, spectator.location.distance(behind) * 100.0)
    follow_pitch_error = max(follow_pitch_error, angle_error(spectator.rotation.pitch, transform.rotation.pitch - 25.0))
bystander_after = world.get_snapshot().find(bystander.id).get_transform().location
end_positions = {v.id: world.get_snapshot().find(v.id).get_transform().location for v in vehicles}
for _ in range(10):
    world.tick()
moved_after_end = min(world.get_snapshot().find(v.id).get_transform().location.distance(end_positions[v.id])
                      for v in vehicles)
negative_start_text = client.replay_file(args.file, -1.0, 0.0, 0)
client.stop_replayer(True)

# from a time factor of 2 on, frames are set without interpolation
client.set_replayer_time_factor(2.6)
fast_text = client.replay_file(args.file, args.start, 0.5, 0)
fast_error = 0.0
for j in range(1, 4):
    world.tick()
    snapshot = world.get_snapshot()
    frame = int((args.start + 0.13 * j) / 0.05)   # between two frames: no rounding question
    for v in vehicles:
        fast_error = max(fast_error, math.dist(pose(snapshot, v.id)[:3], recorded[frame][v.id][:3]) * 100.0)
client.stop_replayer(True)
client.set_replayer_time_factor(1.0)

# asynchronous mode: the server ticks the replay on its own clock
synchronous(world, False)
track = [r[leader] for r in recorded]


def distance_to_track(location):
    best = float("inf")
    for a, b in zip(track, track[1:]):
        ab = [b[i] - a[i] for i in range(3)]
        ap = [location[i] - a[i] for i in range(3)]
        length = sum(c * c for c in ab)
        s = 0.0 if length == 0 else max(0.0, min(1.0, sum(p * q for p, q in zip(ab, ap)) / length))
        best = min(best, math.dist(location, [a[i] + s * ab[i] for i in range(3)]))
    return best


client.replay_file(args.file, 0.0, 0.0, 0)
async_error, async_positions = 0.0, []
for _ in range(10):
    snapshot = world.wait_for_tick()
    location = snapshot.find(leader).get_transform().location
    async_positions.append([location.x, location.y, location.z])
    async_error = max(async_error, distance_to_track(async_positions[-1]) * 100.0)
client.stop_replayer(True)
for actor in vehicles + [bystander]:
    actor.destroy()
# a recording of another map: the replay loads it first
client.load_world("Town02")
map_text = client.replay_file(args.file, 0.0, 0.0, 0)
world = client.get_world()
loaded_map = world.get_map().name
world.wait_for_tick()
replayed_vehicles = len(world.get_actors().filter("vehicle.*"))
client.stop_replayer(False)
emit({
    "path": path,
    "vehicles": len(vehicles),
    "traffic_lights": len(lights),
    "light_mismatches": light_mismatches,
    "elapsed_mismatches": elapsed_mismatches,
    "created_listed": all(f" Create {v.id}: {v.type_id} (1) at " in info for v in vehicles),
    "info_tail": info.strip().splitlines()[-2:],
    "replay_text": replay_text,
    "max_location_error_cm": location_error,
    "max_rotation_error_deg": rotation_error,
    "follow_error_cm": follow_error,
    "follow_pitch_error_deg": follow_pitch_error,
    "bystander_moved_m": bystander_after.distance(bystander_before),
    "moved_after_end_m": moved_after_end,
    "negative_start_text": negative_start_text,
    "fast_text": fast_text,
    "fast_max_error_cm": fast_error,
    "async_max_off_track_cm": async_error,
    "async_travel_m": math.dist(async_positions[0], async_positions[-1]),
    "map_text": map_text,
    "loaded_map": loaded_map,
    "replayed_vehicles": replayed_vehicles,
})
