"""The window context (GLFW): presents sensor images and reports input. Needs a display (X11 or an
Xvfb); the display fixture starts one. Runs in a subprocess so its GL context never replaces the shared
offscreen one of the other render tests."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
from engine.render.context import create_context
from engine.render.quality import LOW
from engine.render.renderer import Renderer
from engine.render.synthetic import golden_request, golden_scene
from engine.world.weather import CLEAR_NOON
window = create_context("window", 160, 120, "render test")
assert window.mode == "window" and not window.should_close()
with Renderer(window, LOW) as renderer:
    static, models, instances = golden_scene()
    renderer.set_static_scene(static)
    renderer.set_models(models)
    request = golden_request("rgb")
    window.present(renderer.render_texture(request, instances, CLEAR_NOON, 0), 160, 120)
    renderer.render([request], instances, CLEAR_NOON, 1)
    ((ticket, image),) = renderer.poll(wait=True)
    window.present(image, 160, 120)
    state = window.poll_input()
    assert set(state) == {"move", "look", "speed_boost"}
    assert state["move"] == (0.0, 0.0, 0.0) and state["look"] == (0.0, 0.0) and state["speed_boost"] is False
window.release()
print("ok")
"""


def test_window_presents_images_and_reports_idle_input(display):
    env = {**os.environ, "DISPLAY": display}
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr
