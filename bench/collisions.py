"""Cost of the collision step (engine.world.collisions) with many vehicles, in process.

Vehicles are spawned at random clear spots of a town (off every prop); scenarios: 'parked' (no control:
the broad phase finds no contact), 'driving' (random throttle and steer: they drive off and crash into
each other and into buildings, so hundreds of contacts are resolved on every tick). Prints the median and
90th percentile of the collision step and, for scale, of the vehicle physics step, as the CPU time of the
process (unaffected by other programs sharing the cores; numpy runs these steps on one thread) and as
wall-clock time.

usage: .venv/bin/python bench/collisions.py [--town Town03] [--vehicles 1000] [--ticks 200] [--out FILE]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.map import load_town  # noqa: E402
from engine.world import collisions, obb  # noqa: E402
from engine.world.blueprints import find_blueprint  # noqa: E402
from engine.world.world import World, WorldError  # noqa: E402

CAR = "vehicle.tesla.model3"
TARGET = "well under 2 ms for 1000 vehicles"


def clear_of_props(system, x: float, y: float, yaw: float, half) -> bool:
    grid = system._static_grid(4.0)
    cos, sin = obb.cos_sin(np.array([yaw]))
    lo, hi = obb.aabb(np.array([[x, y]]), np.array([half]), cos, sin)
    _, q = obb.static_pairs(lo, hi, grid)
    if len(q) == 0:
        return True
    s = system._static
    zero = np.zeros((len(q), 2))
    hit = obb.swept_contacts(np.repeat([[x, y]], len(q), 0), np.repeat([half], len(q), 0), np.repeat(cos, len(q)),
                             np.repeat(sin, len(q)), zero, s["center"][q], s["half"][q], s["cos"][q], s["sin"][q],
                             zero, slop=0.5).hit
    return not hit.any()


def build(town, count: int, driving: bool, seed: int = 0) -> World:
    world = World(town, episode_id=1)
    collisions.attach(object(), world)
    rng = np.random.default_rng(seed)
    points = np.array([p[:2] for p in town.spawn_points])
    lo, hi = points.min(axis=0), points.max(axis=0)
    half = find_blueprint(CAR).extent[:2]
    placed = 0
    while placed < count:
        x, y = rng.uniform(lo, hi)
        yaw = float(rng.uniform(-180.0, 180.0))
        if not clear_of_props(world.collisions, x, y, yaw, half):
            continue
        try:
            actor = world.spawn([0, CAR, []], ((float(x), float(y), 0.0), (0.0, yaw, 0.0)))
        except WorldError:
            continue
        if driving:
            world.apply_vehicle_control(actor.id, [float(rng.uniform(0.3, 1.0)), float(rng.uniform(-0.3, 0.3)),
                                                   0.0, False, False, False, 0])
        placed += 1
    return world


def measure(world, ticks: int, dt: float = 0.05) -> dict:
    collide = world.after_physics[0]
    physics = world.vehicles.step
    timings = {"collision": [], "physics": [], "collision_wall": []}
    contacts = []

    def timed_collide(w, step):
        start, wall = time.process_time(), time.perf_counter()
        collide(w, step)
        timings["collision"].append(time.process_time() - start)
        timings["collision_wall"].append(time.perf_counter() - wall)
        contacts.append(len(w.collisions._contacts))

    def timed_physics(*a, **k):
        start = time.process_time()
        physics(*a, **k)
        timings["physics"].append(time.process_time() - start)

    world.after_physics[0] = timed_collide
    world.vehicles.step = timed_physics
    for _ in range(ticks):
        world.step(dt)
    skip = min(5, ticks - 1)
    out = {name: np.array(values[skip:]) * 1000.0 for name, values in timings.items()}
    return {"collision_median": float(np.median(out["collision"])),
            "collision_p90": float(np.percentile(out["collision"], 90)),
            "wall_median": float(np.median(out["collision_wall"])), "physics_median": float(np.median(out["physics"])),
            "contacts": float(np.mean(contacts[skip:]))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--town", default="Town03")
    parser.add_argument("--vehicles", type=int, default=1000)
    parser.add_argument("--ticks", type=int, default=200)
    parser.add_argument("--out", help="also write the table to this file")
    args = parser.parse_args()
    town = load_town(args.town)
    rows = [f"collision step, {args.vehicles} vehicles on {args.town}, {args.ticks} ticks of 0.05 s (target: {TARGET})",
            f"{'scenario':<10} {'contacts/tick':>13} {'collision CPU median':>20} {'CPU p90':>10} {'wall median':>12} "
            f"{'physics CPU median':>19}"]
    for scenario in ("parked", "driving"):
        world = build(town, args.vehicles, driving=scenario == "driving")
        world.collisions.props                   # planned at load, not in the first tick
        result = measure(world, args.ticks)
        rows.append(f"{scenario:<10} {result['contacts']:>13.0f} {result['collision_median']:>17.3f} ms "
                    f"{result['collision_p90']:>7.3f} ms {result['wall_median']:>9.3f} ms "
                    f"{result['physics_median']:>16.3f} ms")
    table = "\n".join(rows)
    print(table)
    if args.out:
        Path(args.out).write_text(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
