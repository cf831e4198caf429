"""Golden images of a small synthetic scene (engine/render/synthetic.golden_scene, 160x120).

Rules (docs: shared rendering design, section 11): goldens are rendered offscreen on Mesa llvmpipe
through EGL with fixed scene, weather and frame. RGB: a pixel fails when a channel differs by more
than 4 of 255; the image fails when more than 1 % of pixels fail or the RMS difference exceeds 2.
Depth, semantic and instance images must match byte for byte. RGB and depth goldens are compared
only on llvmpipe (other drivers differ in low bits); semantic and instance are exact everywhere.

Regenerate the goldens with

    REGENERATE_GOLDENS=1 .venv/bin/python -m pytest tests/test_render_goldens.py

and say why in the commit. The renderer that made them is stored in tests/golden/render_goldens.json.
On failure the actual image and a diff image are written to test-output/render_goldens/.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from render_support import gl_info, is_llvmpipe, offscreen_context

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
FAILURE_DIR = Path(__file__).resolve().parents[1] / "test-output" / "render_goldens"
INFO_FILE = GOLDEN_DIR / "render_goldens.json"
REGENERATE = os.environ.get("REGENERATE_GOLDENS") == "1"
CHANNEL_TOLERANCE = 4
MAX_FAILED_PIXEL_FRACTION = 0.01
MAX_RMS = 2.0
CASES = [("Low", "rgb"), ("Epic", "rgb"), ("Low", "depth"), ("Low", "semantic_segmentation"),
         ("Low", "instance_segmentation")]


@pytest.fixture(scope="module")
def golden_images():
    """Every case rendered once: {(quality, kind): (height, width, 4) BGRA array}."""
    from engine.render.quality import preset_by_name
    from engine.render.renderer import Renderer
    from engine.render.synthetic import golden_request, golden_scene
    from engine.world.weather import CLEAR_NOON
    ctx = offscreen_context()
    static, models, instances = golden_scene()
    images = {}
    for quality in ("Low", "Epic"):
        with Renderer(ctx, preset_by_name(quality)) as renderer:
            renderer.set_static_scene(static)
            renderer.set_models(models)
            kinds = [kind for q, kind in CASES if q == quality]
            requests = [golden_request(kind) for kind in kinds]
            tickets = renderer.render(requests, instances, CLEAR_NOON, 1)
            done = dict(renderer.poll(wait=True))
            for kind, request, ticket in zip(kinds, requests, tickets):
                images[(quality, kind)] = np.frombuffer(done[ticket], np.uint8).reshape(
                    request.height, request.width, 4)
    return ctx, images


def golden_path(quality: str, kind: str) -> Path:
    name = f"render_{quality.lower()}_rgb.png" if kind == "rgb" else f"render_{kind}.png"
    return GOLDEN_DIR / name


def save_png(path: Path, bgra: np.ndarray, kind: str) -> None:
    """RGB goldens as viewable colour; label and depth goldens as the raw bytes in four channels."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "rgb":
        Image.fromarray(np.ascontiguousarray(bgra[:, :, [2, 1, 0]])).save(path)
    else:
        Image.fromarray(np.ascontiguousarray(bgra), mode="RGBA").save(path)


def load_png(path: Path, kind: str) -> np.ndarray:
    data = np.asarray(Image.open(path))
    if kind == "rgb":
        return np.concatenate([data[:, :, [2, 1, 0]], np.full(data.shape[:2] + (1,), 255, np.uint8)], axis=2)
    return data


def renderer_note(ctx) -> str:
    made = json.loads(INFO_FILE.read_text()) if INFO_FILE.exists() else {}
    info = gl_info(ctx)
    return (f"goldens made on {made.get('GL_RENDERER', '?')} / {made.get('GL_VERSION', '?')}; "
            f"this run: {info['GL_RENDERER']} / {info['GL_VERSION']}")


def write_failure(quality: str, kind: str, actual: np.ndarray, expected: np.ndarray) -> Path:
    FAILURE_DIR.mkdir(parents=True, exist_ok=True)
    stem = f"{quality.lower()}_{kind}"
    save_png(FAILURE_DIR / f"{stem}_actual.png", actual, kind)
    diff = np.abs(actual.astype(np.int16) - expected.astype(np.int16)).max(axis=2)
    Image.fromarray(np.clip(diff * 16, 0, 255).astype(np.uint8)).save(FAILURE_DIR / f"{stem}_diff.png")
    return FAILURE_DIR


@pytest.mark.parametrize("quality,kind", CASES)
def test_render_matches_golden_image(golden_images, quality, kind):
    ctx, images = golden_images
    actual = images[(quality, kind)]
    path = golden_path(quality, kind)
    if REGENERATE:
        if not is_llvmpipe(ctx):
            pytest.fail("goldens are made on Mesa llvmpipe; force it with "
                        "__EGL_VENDOR_LIBRARY_FILENAMES=/usr/share/glvnd/egl_vendor.d/50_mesa.json")
        save_png(path, actual, kind)
        info = gl_info(ctx)
        INFO_FILE.write_text(json.dumps({"GL_RENDERER": info["GL_RENDERER"],
                                         "GL_VERSION": info["GL_VERSION"]}, indent=2) + "\n")
        return
    assert (actual[:, :, 3] == 255).all(), "alpha must be 255 everywhere"
    exact = kind != "rgb"
    if kind in ("rgb", "depth") and not is_llvmpipe(ctx):
        pytest.skip(f"{kind} goldens are compared on llvmpipe only "
                    f"({gl_info(ctx)['GL_RENDERER']} differs in low bits)")
    assert path.exists(), f"missing golden {path}; regenerate with REGENERATE_GOLDENS=1"
    expected = load_png(path, kind)
    assert expected.shape == actual.shape
    diff = np.abs(actual.astype(np.int16) - expected.astype(np.int16))
    if exact:
        if not np.array_equal(actual, expected):
            where = write_failure(quality, kind, actual, expected)
            pytest.fail(f"{kind}: {(diff.max(axis=2) > 0).sum()} pixels differ from {path.name} "
                        f"(images in {where}); {renderer_note(ctx)}")
        return
    failed = (diff[:, :, :3].max(axis=2) > CHANNEL_TOLERANCE).mean()
    rms = float(np.sqrt((diff[:, :, :3].astype(np.float64) ** 2).mean()))
    if failed > MAX_FAILED_PIXEL_FRACTION or rms > MAX_RMS:
        where = write_failure(quality, kind, actual, expected)
        pytest.fail(f"{quality} rgb: {failed:.2%} of pixels off by more than {CHANNEL_TOLERANCE}, RMS {rms:.2f} "
                    f"(limits {MAX_FAILED_PIXEL_FRACTION:.0%}, {MAX_RMS}); images in {where}; {renderer_note(ctx)}")


def test_labels_and_depth_ignore_the_quality_preset(golden_images):
    from engine.render.quality import EPIC
    from engine.render.renderer import Renderer
    from engine.render.synthetic import golden_request, golden_scene
    from engine.world.weather import CLEAR_NOON
    ctx, images = golden_images
    static, models, instances = golden_scene()
    with Renderer(ctx, EPIC) as renderer:
        renderer.set_static_scene(static)
        renderer.set_models(models)
        for kind in ("depth", "semantic_segmentation", "instance_segmentation"):
            request = golden_request(kind)
            (ticket,) = renderer.render([request], instances, CLEAR_NOON, 1)
            (done,) = renderer.poll(wait=True)
            epic = np.frombuffer(done[1], np.uint8).reshape(request.height, request.width, 4)
            assert np.array_equal(epic, images[("Low", kind)]), f"{kind} differs between Low and Epic"
