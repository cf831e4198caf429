"""Recorder figures: file size per simulated hour for 150 actors (100 vehicles, 10 walkers and Town01's 40
traffic lights, as in CARLA's size estimate; measured on a running server, with and without additional
data), and the time of CARLA's three recorder queries on a one-hour recording of those 150 actors (20 of the
vehicles parked, the others stopping now and then; made in-process by the same recording code the server
runs, at 20 frames per second), in-process and through our client.

usage: .venv/bin/python bench/recorder.py [--ticks N] [--hour-seconds S] [--vehicles N] [--walkers N]
                                          [--show-all] [--keep DIR] [--out FILE]
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _harness import finish_table, run_bench_client
from engine.map.town import load_town
from engine.recorder import queries
from engine.recorder.packets import PacketId
from engine.recorder.reader import read_recording
from engine.recorder.session import RecordingSession
from engine.traffic import light_calls
from engine.world import blueprints
from engine.world.world import World, WorldError
from serverproc import ServerProcess

FPS = 20
HOUR_FRAMES = 3600 * FPS
CARLA_SIZE = "about 200 MB (CARLA docs: 50 traffic lights and 100 vehicles)"
QUERY_TARGET = "< 10 s"


def run_client(port: int, *args: str) -> dict:
    return run_bench_client("ours", "_recorder_client.py", port, *args, timeout=3600)


def size_per_hour(path: Path) -> tuple[float, float]:
    """(MB per simulated hour, bytes per frame): the first frame (every actor's creation) once, then the
    mean size of the other frames for an hour of frames."""
    recording = read_recording(path, packet_ids=())
    starts = recording.packets["offset"][recording.packets["id"] == PacketId.FRAME_START]
    first_end = int(starts[1]) if len(starts) > 1 else recording.size
    per_frame = (recording.size - first_end) / max(len(starts) - 1, 1)
    return (first_end + per_frame * (HOUR_FRAMES - 1)) / 1e6, per_frame


def spawn_up_to(world, count: int, kinds: list, poses: list) -> list:
    """Up to `count` actors, the i-th pose taking kinds[i % len(kinds)]; poses where a spawn fails are skipped."""
    actors = []
    for i, pose in enumerate(poses):
        if len(actors) == count:
            break
        try:
            actors.append(world.spawn([0, kinds[i % len(kinds)].id, []], pose))
        except WorldError:
            continue
    return actors


def build_hour(path: Path, seconds: float, vehicle_count: int, walker_count: int) -> dict:
    """A recording of vehicles, walkers and the traffic lights of Town01 written by RecordingSession, as the
    server does."""
    town = load_town("Town01")
    world = World(town, episode_id=1)
    light_calls.attach(None, world)   # the town's traffic lights and their cycle, as the server has them
    vehicle_kinds = [b for b in blueprints.blueprint_library() if b.kind == "vehicle"]
    walker_kinds = [b for b in blueprints.blueprint_library() if b.kind == "walker"]
    points = town.spawn_points
    vehicles = spawn_up_to(world, vehicle_count, vehicle_kinds, [(p[:3], p[3:6]) for p in points])
    walkers = spawn_up_to(world, walker_count, walker_kinds,
                          [((p[0], p[1] + 6.0, p[2] + 1.0), p[3:6]) for p in points])

    def drive(world, dt):
        """Stop-and-go: every minute a fifth of the moving vehicles stop for a while; a fifth are parked."""
        if world.frame % (60 * FPS):
            return
        minute = world.frame // (60 * FPS)
        for n, actor in enumerate(vehicles):
            parked = n % 5 == 0
            waiting = (n + minute) % 5 == 1
            go = not (parked or waiting)
            world.apply_vehicle_control(actor.id, [0.3 + 0.05 * (n % 5) if go else 0.0, 0.3, 0.0 if go else 1.0,
                                                   False, False, False, 0])
        for n, actor in enumerate(walkers):
            direction = 1.0 if (n + minute) % 2 else -1.0
            world.apply_walker_control(actor.id, [[direction, 0.0, 0.0], 1.3, False])

    world.before_physics.append(drive)
    session = RecordingSession(world, path)
    session.attach()
    frames = int(round(seconds * FPS))
    start = time.perf_counter()
    for _ in range(frames):
        world.step(1.0 / FPS)
    elapsed = time.perf_counter() - start
    session.close()
    return {"vehicles": len(vehicles), "walkers": len(walkers), "lights": len(world.traffic_lights.actor_ids),
            "frames": frames, "seconds": elapsed}


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ticks", type=int, default=600, help="server ticks recorded for the size figures")
    parser.add_argument("--hour-seconds", type=float, default=3600.0, help="simulated length of the long recording")
    parser.add_argument("--vehicles", type=int, default=100)
    parser.add_argument("--walkers", type=int, default=10)
    parser.add_argument("--show-all", action="store_true",
                        help="also time show_recorder_file_info(show_all=True) in-process (about 1.3 GB of text)")
    parser.add_argument("--keep", help="keep the recordings in this folder")
    parser.add_argument("--out", help="also write the table to this file")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="recorder-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    try:
        lines += ["| recording (server, our client, 20 fps) | actors | bytes per frame | MB per simulated hour | CARLA |",
                  "|---|---:|---:|---:|---|"]
        with ServerProcess("-nullrhi") as server:
            for additional in (False, True):
                path = folder / f"size_{'additional' if additional else 'default'}.log"
                result = run_client(server.port, "--file", str(path), "--ticks", str(args.ticks),
                                    "--vehicles", str(args.vehicles), "--walkers", str(args.walkers),
                                    *(["--additional-data"] if additional else []))
                mb, per_frame = size_per_hour(path)
                actors = (f"{result['vehicles']} vehicles, {result['walkers']} walkers, "
                          f"{result['lights']} traffic lights")
                lines.append(f"| {'additional_data=True' if additional else 'default'} | {actors} | "
                             f"{per_frame:,.0f} | {mb:,.0f} | {CARLA_SIZE if not additional else ''} |")
                print(lines[-1], flush=True)
        hour = folder / "hour.log"
        built = build_hour(hour, args.hour_seconds, args.vehicles, args.walkers)
        size_mb = hour.stat().st_size / 1e6
        label = (f"{args.hour_seconds / 3600:g} h, {built['vehicles']} vehicles + {built['walkers']} walkers + "
                 f"{built['lights']} traffic lights, {built['frames']} frames, {size_mb:,.0f} MB "
                 f"(written in {built['seconds']:.0f} s)")
        lines += ["", f"Queries on a recording of {label}:", "",
                  "| query | in-process | through our client (RPC) | target |", "|---|---:|---:|---|"]
        in_process = {
            "show_recorder_file_info": timed(lambda: queries.file_info(hour)),
            "show_recorder_collisions (a, a)": timed(lambda: queries.collisions(hour, "a", "a")),
            "show_recorder_actors_blocked (30 s, 100 cm)": timed(lambda: queries.actors_blocked(hour, 30, 100)),
        }
        with ServerProcess("-nullrhi") as server:
            rpc = run_client(server.port, "--query-file", str(hour))
        for (name, seconds), remote in zip(in_process.items(), (rpc["file_info"], rpc["collisions"], rpc["blocked"])):
            lines.append(f"| {name} | {seconds:.2f} s | {remote:.2f} s | {QUERY_TARGET} |")
            print(lines[-1], flush=True)
        if args.show_all:
            seconds = timed(lambda: queries.file_info(hour, True))
            lines.append(f"| show_recorder_file_info (show_all=True) | {seconds:.2f} s | not measured | |")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    finish_table(lines, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
