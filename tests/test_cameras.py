"""Camera sensors through both clients: CARLA's synchronous loop, frames, encodings, no-render mode."""
import json
import os
import subprocess
from pathlib import Path

import pytest

from serverproc import ROOT, ServerProcess, client_command, run_client

SEED = ROOT.parent / "shared" / "conformance" / "seed_sync_camera.py"


def egl_available() -> bool:
    probe = "import moderngl; moderngl.create_context(standalone=True, backend='egl').release()"
    done = subprocess.run([os.sys.executable, "-c", probe], capture_output=True)
    return done.returncode == 0


pytestmark = pytest.mark.skipif(not egl_available(), reason="no EGL: offscreen rendering cannot start")


def run_seed(which: str, port: int, ticks: int = 100) -> dict:
    argv, env = client_command(which, "unused", port)
    argv = [argv[0], str(SEED), "--port", str(port), "--ticks", str(ticks)]
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not SEED.exists(), reason="../shared/conformance is not beside the project")
@pytest.mark.parametrize("quality", ["Low", "Epic"])
def test_every_image_carries_the_frame_tick_returned(client_kind, quality):
    with ServerProcess("-RenderOffScreen", f"-quality-level={quality}") as server:
        result = run_seed(client_kind, server.port)
    assert result == {"ticks": 100, "frames_matched": 100, "size": [320, 240], "fov": 90.0}


def test_depth_and_semantic_cameras_decode_as_carla_documents(client_kind):
    with ServerProcess("-RenderOffScreen", "-quality-level=Low") as server:
        result = json.loads(run_client(client_kind, "camera_kinds.py", server.port))
    assert abs(result["depth_m"] - 10.0) <= 0.01
    assert result["centre_tag"] == 1            # Roads
    assert 1 in result["tags_seen"] and result["rgb_alpha"] == 255
    assert all(result[k + "_frame_matches"] for k in ("depth", "semantic_segmentation", "rgb"))
    assert result["depth_size"] == [64, 48, 90.0, 64 * 48 * 4]


def test_both_clients_decode_the_same_camera_images():
    lines = {}
    for kind in ("official", "ours"):
        with ServerProcess("-RenderOffScreen", "-quality-level=Low") as server:
            lines[kind] = run_client(kind, "camera_kinds.py", server.port)
    assert lines["ours"] == lines["official"]


def test_cameras_deliver_nothing_without_rendering():
    with ServerProcess("-nullrhi") as server:
        result = json.loads(run_client("ours", "no_render_camera.py", server.port))
    assert result == {"spawned": True, "images": 0, "ticks": 20}


def test_no_rendering_mode_setting_stops_and_restarts_cameras(client_kind):
    with ServerProcess("-RenderOffScreen", "-quality-level=Low") as server:
        result = json.loads(run_client(client_kind, "no_rendering_setting.py", server.port))
    assert result == {"images_while_off": 0, "image_after": True}


def test_nullrhi_imports_no_gl():
    probe = ("import sys; from launcher.config import parse_args; from engine.server.server import Server; "
             "from serverproc import free_port_pair; "
             "server = Server(parse_args(['-nullrhi', f'-carla-rpc-port={free_port_pair()}'])); "
             "print(sorted(m for m in ('moderngl', 'glcontext', 'glfw') if m in sys.modules)); server.close()")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests")}
    done = subprocess.run([os.sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
