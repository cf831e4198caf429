"""Synchronous ticks per second in no-render mode, by vehicle count, through our client and the official one,
with fixed controls and with every vehicle on autopilot (the server's Traffic Manager, synchronous mode).

Fixed controls: Town01, vehicles on the spawn points and then on a parking grid off the roads, all driving
in circles (throttle 0.6, steer 0.1), so that most of them end up pushing against walls and each other.
Autopilot: Town03, vehicles on the spawn points and then on waypoints 6 m apart along the lanes.

With --repeat R every cell is measured R times, each on a fresh server, and shows the median and the range.

usage: .venv/bin/python bench/tick_rate.py [--seconds S] [--repeat R] [--out FILE] [--vehicles 0,10,50,100,250,1000]
"""
from __future__ import annotations

import argparse
import sys

from _harness import finish_table, run_bench_client, spread
from serverproc import ServerProcess, free_port_pair, official_available

CARLA_REPORTED = {100: "34 (CARLA, physics, desktop GPU)"}
# CARLA's published synchronous-mode figures with its Traffic Manager driving every vehicle, no rendering.
CARLA_REPORTED_TM = {0: "729", 10: "98", 50: "26", 100: "15", 250: "6"}


def measure(which: str, vehicles: int, seconds: float, camera: bool = False, autopilot: bool = False) -> float:
    """Ticks/s in no-render mode; with camera, the server can render but no_rendering_mode is on; with
    autopilot, the server's Traffic Manager drives every vehicle."""
    flags = ("-RenderOffScreen", "-quality-level=Low") if camera else ("-nullrhi",)
    options = (["--camera"] if camera else []) \
        + (["--autopilot-port", str(free_port_pair()), "--town", "Town03"] if autopilot else [])
    with ServerProcess(*flags) as server:
        result = run_bench_client(which, "_tick_client.py", server.port, "--vehicles", str(vehicles),
                                  "--seconds", str(seconds), *options)
        if result["vehicles"] != vehicles:
            raise RuntimeError(f"spawned {result['vehicles']} of {vehicles} vehicles")
        return result["ticks_per_second"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="measuring time per cell")
    parser.add_argument("--repeat", type=int, default=1, help="runs per cell: the median and range are shown")
    parser.add_argument("--vehicles", default="0,10,50,100,250,1000")
    parser.add_argument("--out", help="also write the table to this file")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    counts = [int(v) for v in args.vehicles.split(",")]
    clients = ["ours"] + (["official"] if official_available() else [])
    lines = ["| vehicles | " + " | ".join(f"{c} client (ticks/s)" for c in clients)
             + " | ours, camera spawned, rendering off | CARLA reported | "
             + " | ".join(f"{c} client, TM autopilot (ticks/s)" for c in clients) + " | CARLA reported, TM |",
             "|---:|" + "---:|" * (len(clients) + 1) + "---|" + "---:|" * len(clients) + "---|"]

    def cell(*how, **options) -> str:
        return spread([measure(*how, **options) for _ in range(args.repeat)])

    for n in counts:
        cells = [cell(c, n, args.seconds) for c in clients]
        cells.append(cell("ours", n, args.seconds, camera=True))
        cells.append(CARLA_REPORTED.get(n, ""))
        cells += [cell(c, n, args.seconds, autopilot=True) for c in clients]
        lines.append(f"| {n} | " + " | ".join(cells) + f" | {CARLA_REPORTED_TM.get(n, '')} |")
        print(lines[-1] if len(lines) > 3 else "\n".join(lines), flush=True)
    finish_table(lines, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
