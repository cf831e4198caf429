"""Frames per second delivered to a client by 800x600 RGB cameras, offscreen, in synchronous mode.

Rows: one camera at Low and Epic, then 1, 2, 6 and 10 cameras at Low. Every image is checked to carry
the frame its tick returned.
usage: .venv/bin/python bench/camera_fps.py [--client ours|official] [--seconds S] [--out FILE]
"""
from __future__ import annotations

import argparse
import sys

from _harness import finish_table, run_bench_client
from serverproc import ServerProcess

CARLA_REPORTED_LOW = {1: "", 2: "45", 6: "17", 10: "12"}


def measure(client: str, quality: str, cameras: int, seconds: float) -> dict:
    with ServerProcess("-RenderOffScreen", f"-quality-level={quality}") as server:
        return run_bench_client(client, "_camera_client.py", server.port, "--cameras", str(cameras),
                                "--seconds", str(seconds), timeout=900)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--client", default="ours", choices=["ours", "official"])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--out")
    args = parser.parse_args()
    rows = [("Epic", 1), ("Low", 1), ("Low", 2), ("Low", 6), ("Low", 10)]
    lines = [f"| quality | cameras | ticks/s ({args.client} client) | images/s | CARLA users report (Low) |",
             "|---|---:|---:|---:|---:|"]
    print("\n".join(lines), flush=True)
    for quality, cameras in rows:
        result = measure(args.client, quality, cameras, args.seconds)
        lines.append(f"| {quality} | {cameras} | {result['ticks_per_second']:.1f} | "
                     f"{result['images_per_second']:.1f} | {CARLA_REPORTED_LOW.get(cameras, '') if quality == 'Low' else ''} |")
        print(lines[-1], flush=True)
    finish_table(lines, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
