"""Synchronous ticks per second in no-render mode, by vehicle count, through our client and the official one,
with fixed controls and with every vehicle on autopilot (the server's Traffic Manager, synchronous mode).

Fixed controls: Town01, vehicles on the spawn points and then on a parking grid off the roads, all driving
in circles (throttle 0.6, steer 0.1), so that most of them end up pushing against walls and each other.
Autopilot: Town03, vehicles on the spawn points and then on waypoints 6 m apart along the lanes.

usage: .venv/bin/python bench/tick_rate.py [--seconds S] [--out FILE] [--vehicles 0,10,50,100,250,1000]
"""
from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from serverproc import ServerProcess, client_command, official_available  # noqa: E402

CARLA_REPORTED = {100: "34 (CARLA, physics, desktop GPU)"}
# CARLA's published synchronous-mode figures with its Traffic Manager driving every vehicle, no rendering.
CARLA_REPORTED_TM = {0: "729", 10: "98", 50: "26", 100: "15", 250: "6"}


def free_tm_port() -> int:
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        return s.getsockname()[1]


def measure(which: str, vehicles: int, seconds: float, camera: bool = False, autopilot: bool = False) -> float:
    """Ticks/s in no-render mode; with camera, the server can render but no_rendering_mode is on; with
    autopilot, the server's Traffic Manager drives every vehicle."""
    flags = ("-RenderOffScreen", "-quality-level=Low") if camera else ("-nullrhi",)
    with ServerProcess(*flags) as server:
        argv, env = client_command(which, "placeholder", server.port)
        argv = [argv[0], str(ROOT / "bench" / "_tick_client.py"), "--port", str(server.port),
                "--vehicles", str(vehicles), "--seconds", str(seconds)] + (["--camera"] if camera else []) \
            + (["--autopilot-port", str(free_tm_port()), "--town", "Town03"] if autopilot else [])
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"{which} client failed:\n{done.stderr}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if result["vehicles"] != vehicles:
            raise RuntimeError(f"spawned {result['vehicles']} of {vehicles} vehicles")
        return result["ticks_per_second"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="measuring time per cell")
    parser.add_argument("--vehicles", default="0,10,50,100,250,1000")
    parser.add_argument("--out", help="also write the table to this file")
    args = parser.parse_args()
    counts = [int(v) for v in args.vehicles.split(",")]
    clients = ["ours"] + (["official"] if official_available() else [])
    lines = ["| vehicles | " + " | ".join(f"{c} client (ticks/s)" for c in clients)
             + " | ours, camera spawned, rendering off | CARLA reported | "
             + " | ".join(f"{c} client, TM autopilot (ticks/s)" for c in clients) + " | CARLA reported, TM |",
             "|---:|" + "---:|" * (len(clients) + 1) + "---|" + "---:|" * len(clients) + "---|"]
    for n in counts:
        cells = [f"{measure(c, n, args.seconds):.0f}" for c in clients]
        cells.append(f"{measure('ours', n, args.seconds, camera=True):.0f}")
        cells.append(CARLA_REPORTED.get(n, ""))
        cells += [f"{measure(c, n, args.seconds, autopilot=True):.0f}" for c in clients]
        lines.append(f"| {n} | " + " | ".join(cells) + f" | {CARLA_REPORTED_TM.get(n, '')} |")
        print(lines[-1] if len(lines) > 3 else "\n".join(lines), flush=True)
    table = "\n".join(lines)
    if args.out:
        Path(args.out).write_text(table + "\n")
    print("\n" + table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
