"""Render plumbing: readback order and latency, frame labelling, pass lists per preset, pipeline
validation, GPU resource release, the shader loader and the no-GL mode."""
from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from render_support import as_image, offscreen_context

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("rgb", "depth", "semantic_segmentation", "instance_segmentation")


def small_scene(renderer, cars=4):
    from engine.render.synthetic import box_field
    static, models, instances = box_field(cars, radius=30.0)
    renderer.set_static_scene(static)
    renderer.set_models(models)
    return instances


def request(kind, x=-20.0, width=48, height=32):
    from engine.render.scene_data import CameraRequest
    return CameraRequest(kind, width, height, 90.0, (x, 0.0, 2.0), (0.0, 0.0, 0.0))


@pytest.mark.parametrize("ring_length", [1, 2, 3])
def test_tickets_come_back_in_order_and_waiting_drains_everything(ring_length):
    from engine.render.quality import EPIC
    from engine.render.renderer import Renderer
    from engine.world.weather import CLEAR_NOON
    with Renderer(offscreen_context(), EPIC, ring_length=ring_length) as renderer:
        instances = small_scene(renderer)
        issued, received = [], []
        for frame in range(5):
            issued += renderer.render([request(kind) for kind in KINDS], instances, CLEAR_NOON, frame)
            received += renderer.poll()
            # An image is at most ring_length - 1 render calls late.
            due = issued[-1] - len(KINDS) * (ring_length - 1)
            if due >= 1:
                assert received and received[-1][0] >= due
        received += renderer.poll(wait=True)
        assert renderer.outstanding == 0
        assert renderer.poll(wait=True) == []
    assert [ticket for ticket, _ in received] == issued == list(range(1, 21))
    sizes = {len(data) for _, data in received}
    assert sizes == {48 * 32 * 4}


def test_each_image_shows_the_frame_that_produced_it():
    from engine.render.quality import LOW
    from engine.render.renderer import Renderer
    from engine.render.scene_data import Instances
    from engine.render.synthetic import plane_mesh, vehicle_model
    from engine.world.weather import CLEAR_NOON
    with Renderer(offscreen_context(), LOW, ring_length=3) as renderer:
        renderer.set_static_scene(plane_mesh(200.0, 200.0, (0.3, 0.3, 0.3), 1))
        renderer.set_models([vehicle_model()])
        frame_of = {}
        received = []
        for frame in range(6):
            # The car moves 2 m to the right each frame.
            car = Instances(np.zeros(1, np.int32), np.array([[15.0, -5.0 + 2.0 * frame, 0.0]], np.float32),
                            np.zeros((1, 3), np.float32), np.ones((1, 3), np.float32), np.ones(1, np.uint32))
            (ticket,) = renderer.render([request("semantic_segmentation", x=0.0, width=96, height=64)], car,
                                        CLEAR_NOON, frame)
            frame_of[ticket] = frame
            received += renderer.poll()
        received += renderer.poll(wait=True)
    centers = []
    for ticket, data in received:
        columns = np.nonzero(as_image(data, 96, 64)[:, :, 2] == 14)[1]
        centers.append((frame_of[ticket], columns.mean()))
    assert [f for f, _ in centers] == list(range(6))
    assert all(b > a for (_, a), (_, b) in zip(centers, centers[1:])), centers


def test_held_images_stay_intact_and_their_buffers_are_reused_once_dropped():
    """Images from mapped pixel buffers are views of that memory: a buffer is written again only
    after every view of its image is gone."""
    from engine.render.quality import LOW
    from engine.render.renderer import Renderer
    from engine.world.weather import CLEAR_NOON
    with Renderer(offscreen_context(), LOW, ring_length=2) as renderer:
        instances = small_scene(renderer, cars=10)
        held = []
        for frame in range(6):
            renderer.render([request("rgb", x=-20.0 + 4.0 * frame)], instances, CLEAR_NOON, frame)
            held += [(image, bytes(image)) for _, image in renderer.poll(wait=True)]
        assert len({snapshot for _, snapshot in held}) == 6
        assert all(bytes(image) == snapshot for image, snapshot in held)
        created = len(held)
        held.clear()
        gc.collect()
        for frame in range(6, 12):
            renderer.render([request("rgb", x=-20.0 + 4.0 * frame)], instances, CLEAR_NOON, frame)
            images = renderer.poll(wait=True)
            del images
        pool = renderer.readback._free_buffers[48 * 32 * 4]
        assert len(pool) <= created


def test_low_runs_one_lit_pass_and_creates_no_shadow_or_post_targets():
    from engine.render.quality import EPIC, LOW
    from engine.render.renderer import Renderer
    with Renderer(offscreen_context(), LOW) as renderer:
        low = renderer.pipeline("rgb")
        # Low clears to the flat sky and writes the sensor's BGRA bytes in the lit pass itself.
        assert low.pass_names == ("lit",)
        assert set(low.target_names) == {"depth", "final_color"}
        renderer.set_quality(EPIC)
        epic = renderer.pipeline("rgb")
        assert epic.pass_names == ("shadow", "prepass", "ssao", "ssao_blur", "lit", "sky", "bloom", "tonemap", "fxaa")
        assert {"normal_vs", "ao_half", "ao", "bloom_chain", "ldr_color"} <= set(epic.target_names)
        assert low.passes == [], "switching presets releases the old passes"


@pytest.mark.parametrize("kind,passes", [("depth", ("depth_encode",)), ("semantic_segmentation", ("labels",)),
                                         ("instance_segmentation", ("labels",))])
def test_depth_and_label_cameras_run_one_pass_whatever_the_preset(kind, passes):
    from engine.render.quality import EPIC
    from engine.render.renderer import Renderer
    with Renderer(offscreen_context(), EPIC) as renderer:
        assert renderer.pipeline(kind).pass_names == passes


def test_pipeline_validation_names_the_pass_and_the_missing_target():
    from engine.render.pipeline import PipelineError, validate

    class Fake:
        def __init__(self, name, reads, writes):
            self.name, self.reads, self.writes = name, reads, writes

    with pytest.raises(PipelineError, match="'tonemap' reads 'bloom_chain'"):
        validate([Fake("lit", ("scene",), ("scene_color",)),
                  Fake("tonemap", ("scene_color", "bloom_chain"), ("final_color",))])
    assert validate([Fake("lit", ("scene",), ("scene_color",)),
                     Fake("tonemap", ("scene_color",), ("final_color",))]) == "final_color"


def test_unknown_camera_kind_is_an_error():
    from engine.render.quality import LOW
    from engine.render.renderer import Renderer
    from engine.world.weather import CLEAR_NOON
    with Renderer(offscreen_context(), LOW) as renderer:
        with pytest.raises(ValueError, match="unknown camera kind"):
            renderer.render([request("optical_flow")], None, CLEAR_NOON, 0)


def test_release_leaves_no_gl_object_behind():
    """With gc_mode "context_gc", a GL object whose wrapper is collected without release() lands in
    ctx.objects. (moderngl 5.13 also lands already-released objects there, as InvalidObject, and its
    ctx.gc() then fails on them, so the check filters them and the renderer leaves gc_mode alone.)"""
    import moderngl
    from engine.render.quality import EPIC
    from engine.render.renderer import Renderer
    from engine.world.weather import CLEAR_NOON
    ctx = offscreen_context().ctx
    gc.collect()
    ctx.gc_mode = "context_gc"
    try:
        ctx.objects.clear()
        renderer = Renderer(ctx, EPIC, ring_length=2)
        instances = small_scene(renderer)
        renderer.render([request(kind) for kind in KINDS], instances, CLEAR_NOON, 0)
        renderer.render([request(kind, width=40) for kind in KINDS], instances, CLEAR_NOON, 1)
        renderer.release()
        del renderer
        gc.collect()
        leaked = [obj for obj in ctx.objects if not isinstance(obj, moderngl.InvalidObject)]
        assert leaked == [], f"{len(leaked)} GL objects were garbage collected without release()"
    finally:
        ctx.objects.clear()
        ctx.gc_mode = None


def test_preset_by_name_knows_carla_levels_only():
    from engine.render.quality import EPIC, LOW, preset_by_name
    assert preset_by_name("Low") is LOW and preset_by_name("epic") is EPIC
    with pytest.raises(ValueError, match="Medium"):
        preset_by_name("Medium")
    assert LOW.draw_distance_m == 100.0 and LOW.road_draw_distance_m == 150.0 and not LOW.shadows


def test_none_mode_imports_no_gl_module():
    code = ("import sys; from engine.render.context import create_context; c = create_context('none'); "
            "assert c.ctx is None; assert not any(m.split('.')[0] in ('moderngl', 'glcontext', 'glfw') "
            "for m in sys.modules), sorted(m for m in sys.modules if 'gl' in m); print('ok')")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


# -- shader loader ---------------------------------------------------------------------------------
def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


PROGRAM = """#version 330 core
#define SAMPLES 4
#include "include/a.glsl"
#if defined VERTEX_SHADER
void main() { gl_Position = vec4(float(SAMPLES)); }
#elif defined FRAGMENT_SHADER
out vec4 f;
void main() { f = vec4(value()); }
#endif
"""


def test_shader_loader_rewrites_declared_defines_and_expands_includes(tmp_path):
    from engine.render.shaders import ShaderSource
    write(tmp_path, "p.glsl", PROGRAM)
    write(tmp_path, "include/a.glsl", "float value() { return 1.0; }\n")
    source = ShaderSource("p.glsl", {"SAMPLES": 16}, root=tmp_path)
    text = source.stage_text("VERTEX_SHADER")
    assert text.startswith("#version 330 core\n#define VERTEX_SHADER 1\n#line 2 0\n")
    assert "#define SAMPLES 16" in text and "#define SAMPLES 4" not in text
    assert "float value()" in text and source.files == ["p.glsl", "include/a.glsl"]


def test_shader_loader_rejects_bad_files(tmp_path):
    from engine.render.shaders import ShaderError, ShaderSource
    write(tmp_path, "noversion.glsl", "void main() {}\n")
    with pytest.raises(ShaderError, match="#version"):
        ShaderSource("noversion.glsl", root=tmp_path)
    write(tmp_path, "p.glsl", PROGRAM)
    write(tmp_path, "include/a.glsl", "float value() { return 1.0; }\n")
    with pytest.raises(ShaderError, match="undeclared defines NOT_THERE"):
        ShaderSource("p.glsl", {"NOT_THERE": 1}, root=tmp_path)
    write(tmp_path, "include/a.glsl", '#include "include/b.glsl"\n')
    write(tmp_path, "include/b.glsl", '#include "include/a.glsl"\n')
    with pytest.raises(ShaderError, match="include cycle"):
        ShaderSource("p.glsl", root=tmp_path)


def test_shader_compile_errors_name_the_file_and_line(tmp_path):
    from engine.render.shaders import ShaderError, build_program
    write(tmp_path, "p.glsl", PROGRAM)
    write(tmp_path, "include/a.glsl", "float value() {\n    return undefined_name;\n}\n")
    with pytest.raises(ShaderError, match=r"include/a\.glsl:2"):
        build_program(offscreen_context().ctx, "p.glsl", root=tmp_path)


def test_every_program_in_shaders_compiles_under_both_presets():
    from engine.render.quality import EPIC, LOW
    from engine.render.renderer import Renderer
    from engine.render.pipeline import CAMERA_KINDS
    for preset in (LOW, EPIC):
        with Renderer(offscreen_context(), preset) as renderer:
            for kind in CAMERA_KINDS:
                assert renderer.pipeline(kind).passes


@pytest.mark.parametrize("quality", ["Low", "Epic"])
def test_compute_and_fragment_paths_give_the_same_images(quality):
    """GPUs run full-screen passes, colour clears and readback copies as compute shaders; CPU
    rasterisers as fragments, glClear and glReadPixels. Both give the same bytes."""
    from engine.render.quality import preset_by_name
    from engine.render.renderer import Renderer
    from engine.render.synthetic import golden_request, golden_scene
    from engine.world.weather import CLEAR_NOON
    static, models, instances = golden_scene()
    images = []
    for compute, ring_length in ((False, 1), (True, 2)):
        with Renderer(offscreen_context(), preset_by_name(quality), ring_length=ring_length,
                      compute=compute) as renderer:
            renderer.set_static_scene(static)
            renderer.set_models(models)
            requests = [golden_request(kind) for kind in KINDS]
            tickets = renderer.render(requests, instances, CLEAR_NOON, 1)
            done = dict(renderer.poll(wait=True))
            images.append([as_image(done[t], r.width, r.height).astype(np.int64) for t, r in zip(tickets, requests)])
    for kind, fragment, compute in zip(KINDS, *images):
        difference = np.abs(fragment - compute).max()
        assert difference <= (1 if kind == "rgb" else 0), f"{quality} {kind}: the paths differ by up to {difference}"
