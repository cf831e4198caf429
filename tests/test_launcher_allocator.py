"""The server process keeps freed memory for its next tick instead of faulting it in again."""
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from serverproc import ROOT, ServerProcess, free_port_pair

sys.path.insert(0, str(ROOT / "bench"))
from _harness import run_bench_client  # noqa: E402

# Allocate and free arrays of the sizes a busy tick uses (0.3 to 12 MB), many times over, and count the
# minor page faults; with ``tuned`` the allocator is set up as the launcher does first.
_CYCLES = """
import resource, sys
import numpy as np
sys.path.insert(0, {root!r})
if {tuned}:
    from launcher.allocator import keep_freed_memory
    assert keep_freed_memory()
def cycle():
    held = [np.ones(n) for n in (40_000, 400_000, 800_000, 1_500_000, 400_000)]
    del held
cycle()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(50):
    cycle()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""

glibc_only = pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                                reason="mallopt is glibc's")


def _page_faults(tuned: bool) -> int:
    code = _CYCLES.format(root=str(ROOT), tuned=tuned)
    return int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


@glibc_only
def test_freed_tick_sized_blocks_are_reused_without_page_faults():
    untuned, tuned = _page_faults(False), _page_faults(True)
    # 50 cycles of 25 MB are about 300 000 pages; glibc's defaults fault most of them in again.
    assert untuned > 10_000
    assert tuned < untuned / 100


def _minor_faults(pid: int) -> int:
    # /proc/<pid>/stat: the command name in parentheses, then fields from "state" on; minflt is field 10.
    return int((Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[7])


@glibc_only
def test_the_server_ticks_a_thousand_autopiloted_vehicles_without_faulting_memory_in_again():
    seconds, warm_up_ticks = 1.0, 20                 # _tick_client.py ticks 20 times before it measures
    with ServerProcess("-nullrhi") as server:
        before = _minor_faults(server.process.pid)
        result = run_bench_client("ours", "_tick_client.py", server.port, "--vehicles", "1000", "--seconds",
                                  str(seconds), "--autopilot-port", str(free_port_pair()), "--town", "Town03")
        faults = _minor_faults(server.process.pid) - before
    ticks = warm_up_ticks + seconds * result["ticks_per_second"]
    # Loading Town03 and spawning take about 15 000; glibc's defaults add 2 000 to 3 000 a tick.
    assert faults < 30_000 + 100 * ticks, (faults, ticks)
