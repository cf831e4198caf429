"""Map loading and road queries: load_world time (the server builds its meshes: -RenderOffScreen) and the
time of 10000 Map.get_waypoint calls, for every town we serve and CARLA's Town01-03 sent with
generate_opendrive_world.

usage: .venv/bin/python bench/map_load.py [--repeats N] [--queries N] [--no-carla-maps] [--out FILE]
"""
from __future__ import annotations

import argparse
import sys

from _harness import ROOT, finish_table, run_bench_client
from engine.map.town import available_maps
from serverproc import ServerProcess, official_available

CARLA_XODR_DIR = ROOT.parent / "shared" / "testdata" / "opendrive"
LOAD_TARGET = "< 1 s (CARLA: 4.5-30 s)"
WAYPOINT_TARGET = "< 0.5 s"


def measure(which: str, port: int, map_argument: str, repeats: int, queries: int) -> dict:
    return run_bench_client(which, "_map_load_client.py", port, "--map", map_argument, "--repeats", str(repeats),
                            "--queries", str(queries))


def waypoint_cell(result: dict) -> str:
    if result["waypoint_seconds"] is None:
        return f"not available ({result['waypoint_error'][:60]})"
    return f"{result['waypoint_seconds']:.3f} s"


def index_cell(result: dict) -> str:
    seconds = result.get("index_seconds")
    return "" if seconds is None else f"{seconds:.3f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="loads per map (first and best are shown)")
    parser.add_argument("--queries", type=int, default=10000, help="get_waypoint calls per map")
    parser.add_argument("--no-carla-maps", action="store_true", help="leave out CARLA's Town01-03 .xodr files")
    parser.add_argument("--out", help="also write the table to this file")
    args = parser.parse_args()
    maps = [(name, name) for name in available_maps()]
    if not args.no_carla_maps:
        maps += [(f"CARLA {p.stem} (generate_opendrive_world)", str(p))
                 for p in sorted(CARLA_XODR_DIR.glob("Town0[1-3].xodr"))]
    official = official_available()
    official_column = f" {args.queries} get_waypoint, official client |" if official else ""
    lines = ["| map | load_world, first | load_world, best | target | get_map() | first road query (index) | "
             f"{args.queries} get_waypoint, ours | target |" + official_column,
             "|---|---:|---:|---|---:|---:|---:|---|" + ("---:|" if official else "")]
    print("\n".join(lines), flush=True)
    with ServerProcess("-RenderOffScreen") as server:
        for label, map_argument in maps:
            ours = measure("ours", server.port, map_argument, args.repeats, args.queries)
            loads = ours["load_seconds"]
            row = (f"| {label} | {loads[0]:.3f} s | {min(loads):.3f} s | {LOAD_TARGET} | "
                   f"{ours['get_map_seconds']:.3f} s | {index_cell(ours)} | {waypoint_cell(ours)} | {WAYPOINT_TARGET} |")
            if official:
                row += f" {waypoint_cell(measure('official', server.port, map_argument, 1, args.queries))} |"
            lines.append(row)
            print(row, flush=True)
    finish_table(lines, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
