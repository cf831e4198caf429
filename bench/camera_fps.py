"""Frames per second delivered to a client by 800x600 RGB cameras, offscreen, in synchronous mode.

Rows: one camera at Low and Epic, then 1, 2, 6 and 10 cameras at Low, on a vehicle driving into ten parked
ones (the collisions they make are part of each tick); then one camera at Low and Epic on the same vehicle
with nothing else in the world (the seed's loop: about the least a synchronous camera frame costs). Every
image is checked to carry the frame its tick returned. With --repeat R every row is measured R times, each
on a fresh server, and shows the median and the range.
usage: .venv/bin/python bench/camera_fps.py [--client ours|official] [--seconds S] [--repeat R] [--out FILE]
"""
from __future__ import annotations

import argparse
import sys

from _harness import finish_table, run_bench_client, spread
from serverproc import ServerProcess

CARLA_REPORTED_LOW = {1: "", 2: "45", 6: "17", 10: "12"}


def measure(client: str, quality: str, cameras: int, parked: int, seconds: float) -> dict:
    with ServerProcess("-RenderOffScreen", f"-quality-level={quality}") as server:
        return run_bench_client(client, "_camera_client.py", server.port, "--cameras", str(cameras),
                                "--parked", str(parked), "--seconds", str(seconds), timeout=900)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--client", default="ours", choices=["ours", "official"])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=1, help="runs per row: the median and range are shown")
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    rows = [("Epic", 1, 10), ("Low", 1, 10), ("Low", 2, 10), ("Low", 6, 10), ("Low", 10, 10), ("Epic", 1, 0),
            ("Low", 1, 0)]
    lines = [f"| quality | cameras | parked vehicles | ticks/s ({args.client} client) | images/s | "
             "CARLA users report (Low) |",
             "|---|---:|---:|---:|---:|---:|"]
    print("\n".join(lines), flush=True)
    for quality, cameras, parked in rows:
        ticks = [measure(args.client, quality, cameras, parked, args.seconds)["ticks_per_second"]
                 for _ in range(args.repeat)]
        reported = CARLA_REPORTED_LOW.get(cameras, "") if quality == "Low" and parked else ""
        lines.append(f"| {quality} | {cameras} | {parked} | {spread(ticks, 1)} | "
                     f"{spread([t * cameras for t in ticks], 1)} | {reported} |")
        print(lines[-1], flush=True)
    finish_table(lines, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
