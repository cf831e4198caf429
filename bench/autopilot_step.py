"""Per-tick cost of the autopilot (engine.traffic.driver) in-process, by vehicle count, on Town03 with its
traffic lights: the driver's step alone and the whole world tick (lights, driver, physics).

Vehicles stand on the spawn points first, then on lane samples spaced along the driving lanes (outside
junctions) until the count is reached. Times are the median over windows of ticks after a warm-up.

usage: .venv/bin/python bench/autopilot_step.py [--vehicles 100,250,1000] [--ticks 400] [--town Town03]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.map.town import load_town  # noqa: E402
from engine.traffic import light_calls  # noqa: E402
from engine.traffic.driver import AutopilotDriver  # noqa: E402
from engine.traffic.lane_graph import lane_graph  # noqa: E402
from engine.world.world import World, WorldError  # noqa: E402
from launcher.allocator import keep_freed_memory  # noqa: E402

CARS = ("vehicle.audi.a2", "vehicle.citroen.c3", "vehicle.mini.cooper_s", "vehicle.nissan.micra",
        "vehicle.seat.leon", "vehicle.toyota.prius", "vehicle.tesla.model3")


def candidate_poses(town, spacing: float = 6.0):
    """Spawn points, then lane-centre poses every ``spacing`` metres on lanes outside junctions."""
    for p in town.spawn_points:
        yield (p[0], p[1], p[2]), (p[3], p[4], p[5])
    g = lane_graph(town)
    step = max(int(round(spacing / 1.5)), 1)
    for lane in range(g.n_lanes):
        if g.lane_junction[lane] >= 0:
            continue
        for point in range(g.lane_first[lane] + 2, g.lane_last[lane] - 6, step):
            yield (float(g.x[point]), float(g.y[point]), 0.0), (0.0, float(np.degrees(g.yaw[point])), 0.0)


def populate(world, driver, count: int, seed: int = 0) -> int:
    rng = np.random.default_rng(seed)
    spawned = 0
    for transform in candidate_poses(world.town):
        if spawned == count:
            break
        try:
            actor = world.spawn([0, CARS[int(rng.integers(len(CARS)))], []], transform)
        except WorldError:
            continue
        driver.register(actor.slot, actor.id)
        spawned += 1
    return spawned


def measure(town_name: str, count: int, ticks: int, window: int = 50) -> dict:
    town = load_town(town_name)
    world = World(town, episode_id=1)
    light_calls.attach(None, world)
    driver = AutopilotDriver(town, seed=0)
    spawned = populate(world, driver, count)
    driver.attach(world)
    for _ in range(100):
        world.step(0.05)
    driver_times, tick_times = [], []
    step = driver.step
    timed = {"t": 0.0}

    def timed_step(w, dt):
        t0 = time.perf_counter()
        step(w, dt)
        timed["t"] += time.perf_counter() - t0

    world.before_physics[world.before_physics.index(step)] = timed_step
    for _ in range(max(ticks // window, 1)):
        timed["t"] = 0.0
        t0 = time.perf_counter()
        for _ in range(window):
            world.step(0.05)
        tick_times.append((time.perf_counter() - t0) / window)
        driver_times.append(timed["t"] / window)
    speeds = world.vehicles.speed[world.vehicles.slots()]
    return {"vehicles": spawned, "driver_ms": 1e3 * statistics.median(driver_times),
            "tick_ms": 1e3 * statistics.median(tick_times), "moving": float((speeds > 0.1).mean())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vehicles", default="100,250,1000")
    parser.add_argument("--ticks", type=int, default=400)
    parser.add_argument("--town", default="Town03")
    args = parser.parse_args()
    keep_freed_memory()                  # as the server process does
    print(f"{'vehicles':>8} {'driver ms/tick':>15} {'world ms/tick':>14} {'ticks/s':>8} {'moving':>7}")
    for count in (int(v) for v in args.vehicles.split(",")):
        r = measure(args.town, count, args.ticks)
        print(f"{r['vehicles']:>8} {r['driver_ms']:>15.3f} {r['tick_ms']:>14.3f} {1e3 / r['tick_ms']:>8.0f} "
              f"{r['moving']:>7.0%}", flush=True)


if __name__ == "__main__":
    main()
