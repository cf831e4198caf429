"""The benchmark tables' cells: one run shows its figure, several runs their median and range."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from _harness import spread  # noqa: E402


def test_one_run_shows_its_figure():
    assert spread([487.6]) == "488"
    assert spread([95.74], 1) == "95.7"


def test_several_runs_show_the_median_and_the_range():
    assert spread([504.2, 437.0, 476.4]) == "476 (437-504)"
    assert spread([20.0, 18.25, 18.5, 19.0], 1) == "18.8 (18.2-20.0)"


def test_benchmarks_refuse_a_repeat_below_one_with_usage():
    for script in ("tick_rate.py", "camera_fps.py"):
        done = subprocess.run([sys.executable, str(ROOT / "bench" / script), "--repeat", "0"],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 2, script
        assert "usage:" in done.stderr and "--repeat must be at least 1" in done.stderr
