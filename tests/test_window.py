"""./CarlaUE4.sh -quality-level=Low with a display opens a window showing the town (under Xvfb).

The screenshot is written to test-output/window_low.png."""
import subprocess
import time

import numpy as np
from PIL import Image

from serverproc import ROOT, ServerProcess
from xwd import read_xwd

OUTPUT = ROOT / "test-output"


def test_low_quality_window_shows_the_town(display, monkeypatch):
    monkeypatch.setenv("DISPLAY", display)
    with ServerProcess("-quality-level=Low", "-windowed", "-ResX=320", "-ResY=240") as server:
        assert "rendering window" in server.ready_line
        time.sleep(1.0)   # let the window draw a few frames
        OUTPUT.mkdir(exist_ok=True)
        dump = OUTPUT / "window_low.xwd"
        subprocess.run(["xwd", "-root", "-silent", "-display", display, "-out", str(dump)], check=True)
    screen = read_xwd(dump)
    Image.fromarray(np.ascontiguousarray(screen)).save(OUTPUT / "window_low.png")
    print(f"screenshot: {OUTPUT / 'window_low.png'}")
    window = screen[:240, :320].reshape(-1, 3)
    assert len(np.unique(window // 16, axis=0)) >= 4, "the window shows a flat colour, not a town"
