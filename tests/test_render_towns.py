"""Every town renders as a town: a top-down camera over a spawn point sees roads, and two towns have
Low-quality golden images (160x120, same rules as tests/test_render_goldens.py).

Regenerate the town goldens with

    REGENERATE_GOLDENS=1 .venv/bin/python -m pytest tests/test_render_towns.py
"""
from __future__ import annotations

import functools

import numpy as np
import pytest

from engine.map.town import available_maps, load_town
from engine.render.semantic_tags import CityObjectLabel as Tag
from render_support import offscreen_context
from test_render_goldens import (CHANNEL_TOLERANCE, GOLDEN_DIR, MAX_FAILED_PIXEL_FRACTION, MAX_RMS, REGENERATE,
                                 is_llvmpipe, load_png, renderer_note, save_png, write_failure)

WIDTH, HEIGHT = 160, 120
CAMERA_HEIGHT = 40.0           # metres above the spawn point; 90 degrees of view cover 80 m across
MIN_ROAD_FRACTION = 0.05
GOLDEN_TOWNS = ("Town01", "Town02")


@functools.lru_cache(maxsize=None)
def top_down_images(name: str) -> dict:
    """{"rgb": image, "semantic_segmentation": image} of a town seen from above its first spawn point."""
    from engine.render.props import build_props
    from engine.render.quality import preset_by_name
    from engine.render.renderer import Renderer
    from engine.render.scene_data import CameraRequest, Mesh
    from engine.render.town_mesh import build_town_mesh
    from engine.world.weather import CLEAR_NOON
    ctx = offscreen_context()
    town = load_town(name)
    x, y, z = town.spawn_points[0][:3]
    images = {}
    with Renderer(ctx, preset_by_name("Low")) as renderer:
        renderer.set_static_scene(Mesh.merge([build_town_mesh(town), build_props(town)]))
        renderer.set_models([])
        kinds = ("rgb", "semantic_segmentation")
        requests = [CameraRequest(kind, WIDTH, HEIGHT, 90.0, (x, y, z + CAMERA_HEIGHT), (-90.0, 0.0, 0.0))
                    for kind in kinds]
        tickets = renderer.render(requests, None, CLEAR_NOON, 1)
        done = dict(renderer.poll(wait=True))
        for kind, ticket in zip(kinds, tickets):
            images[kind] = np.frombuffer(done[ticket], np.uint8).reshape(HEIGHT, WIDTH, 4)
    return ctx, images


@pytest.mark.parametrize("name", available_maps())
def test_top_down_camera_over_a_spawn_point_sees_roads(name):
    _, images = top_down_images(name)
    labels = images["semantic_segmentation"][:, :, 2]
    roads = float((labels == Tag.Roads).mean())
    assert roads > MIN_ROAD_FRACTION, f"{name}: only {roads:.1%} of the top-down view is road"
    assert (labels == Tag.Sky).mean() == 0.0, f"{name}: the ground must fill a top-down view"


@pytest.mark.parametrize("name", GOLDEN_TOWNS)
def test_town_top_down_low_rgb_matches_golden_image(name):
    if name not in available_maps():
        pytest.skip(f"{name} is not among the maps")
    ctx, images = top_down_images(name)
    actual = images["rgb"]
    path = GOLDEN_DIR / f"town_{name.lower()}_top_low_rgb.png"
    if REGENERATE:
        if not is_llvmpipe(ctx):
            pytest.fail("goldens are made on Mesa llvmpipe; force it with "
                        "__EGL_VENDOR_LIBRARY_FILENAMES=/usr/share/glvnd/egl_vendor.d/50_mesa.json")
        save_png(path, actual, "rgb")
        return
    if not is_llvmpipe(ctx):
        pytest.skip("rgb goldens are compared on llvmpipe only")
    assert path.exists(), f"missing golden {path}; regenerate with REGENERATE_GOLDENS=1"
    expected = load_png(path, "rgb")
    diff = np.abs(actual.astype(np.int16) - expected.astype(np.int16))
    failed = (diff[:, :, :3].max(axis=2) > CHANNEL_TOLERANCE).mean()
    rms = float(np.sqrt((diff[:, :, :3].astype(np.float64) ** 2).mean()))
    if failed > MAX_FAILED_PIXEL_FRACTION or rms > MAX_RMS:
        where = write_failure(f"town_{name.lower()}_top", "rgb", actual, expected)
        pytest.fail(f"{name} top-down rgb: {failed:.2%} of pixels off by more than {CHANNEL_TOLERANCE}, RMS {rms:.2f}; "
                    f"images in {where}; {renderer_note(ctx)}")
