"""What the server benchmarks share: the repository and tests/ on the import path, running a bench/_*_client.py
script under either client, and the result table."""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from serverproc import client_command  # noqa: E402


def run_bench_client(which: str, script: str, port: int, *args: str, timeout: float = 600) -> dict:
    """Run bench/<script> with 'ours' or 'official' client against the server on `port`; its last JSON line
    (kept when the client reported and then failed at exit)."""
    argv, env = client_command(which, "unused", port)
    argv = [argv[0], str(ROOT / "bench" / script), "--port", str(port), *args]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0:
        if not lines or not lines[-1].startswith("{"):
            raise RuntimeError(f"{which} client failed running {script} {' '.join(args)}:\n{done.stderr}")
        # The measurement is complete; only the client process's exit failed (the official client
        # sometimes aborts while shutting down).
        print(f"note: {which} client exited with code {done.returncode} after reporting "
              f"({done.stderr.strip()[-120:]})", file=sys.stderr)
    return json.loads(lines[-1])


def spread(values: list, digits: int = 0) -> str:
    """A table cell for a figure measured once per run: the median, and with more than one run the range
    after it, "median (lowest-highest)". On a shared machine separate runs of the same build differ by a
    tenth or more, so one run alone says little about a target near the figure."""
    values = sorted(values)
    cell = f"{statistics.median(values):.{digits}f}"
    return cell if len(values) == 1 else f"{cell} ({values[0]:.{digits}f}-{values[-1]:.{digits}f})"


def finish_table(lines: list, out: str | None) -> None:
    """Print the whole table once more after the rows printed as they came, and write it to `out` if given."""
    table = "\n".join(lines)
    if out:
        Path(out).write_text(table + "\n")
    print("\n" + table)
