"""Spawn 50 vehicles with apply_batch_sync, drive one at full throttle for 40 ticks, destroy all.

Prints the distance driven along the heading (to the centimetre) and a digest of every snapshot,
so two runs, or two clients, can be compared."""
import hashlib
import math

import carla
from _common import connect, emit, synchronous

client, _ = connect()
world = client.get_world()
synchronous(world, True)
spawn_points = world.get_map().get_spawn_points()
library = world.get_blueprint_library()
vehicles = sorted(library.filter("vehicle.*"), key=lambda bp: bp.id)
batch = []
for i, transform in enumerate(spawn_points[:50]):
    bp = vehicles[i % len(vehicles)]
    if bp.has_attribute("color"):
        bp.set_attribute("color", bp.get_attribute("color").recommended_values[0])
    batch.append(carla.command.SpawnActor(bp, transform))
responses = client.apply_batch_sync(batch, True)
ids = [r.actor_id for r in responses if not r.error]
errors = [r.error for r in responses if r.error]
hero = world.get_actor(ids[0])
start = hero.get_transform()
hero.apply_control(carla.VehicleControl(throttle=1.0))
digest = hashlib.sha256()
for _ in range(40):
    world.tick()
    snapshot = world.get_snapshot()
    for actor_id in ids:
        t = snapshot.find(actor_id).get_transform()
        digest.update(("%.4f %.4f %.4f %.3f;" % (t.location.x, t.location.y, t.location.z, t.rotation.yaw)).encode())
end = hero.get_transform()
dx, dy = end.location.x - start.location.x, end.location.y - start.location.y
forward = start.get_forward_vector()
along = dx * forward.x + dy * forward.y
across = abs(-dx * forward.y + dy * forward.x)
control = hero.get_control()
velocity = hero.get_velocity()
results = client.apply_batch_sync([carla.command.DestroyActor(i) for i in ids], True)
remaining = [a.id for a in world.get_actors().filter("vehicle.*")]
synchronous(world, False)
emit({
    "spawned": len(ids), "spawn_errors": errors,
    "distance_forward_cm": round(along * 100), "sideways_cm": round(across * 100),
    "moved_forward": along > 1.0 and across < 0.05 * along,
    "throttle": round(control.throttle, 3), "speed_m_s": round(math.hypot(velocity.x, velocity.y), 2),
    "destroyed": sum(1 for r in results if not r.error), "vehicles_left": len(remaining),
    "snapshots": digest.hexdigest()[:16],
})
