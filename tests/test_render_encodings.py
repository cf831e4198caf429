"""CARLA camera encodings checked analytically (no goldens): planar depth in 24 bits, sky depth and
tag, every semantic tag exact, instance ids in G (low byte) and B (high byte), and CARLA's
left-handed camera convention (+y of a camera with yaw 0 is on the right of the image)."""
from __future__ import annotations

import numpy as np
import pytest

from render_support import as_image, decode_depth, offscreen_context, project, render_one

DEPTH_STEP_M = 1000.0 / (256 ** 3 - 1)


@pytest.fixture(scope="module")
def renderer():
    from engine.render.quality import LOW
    from engine.render.renderer import Renderer
    with Renderer(offscreen_context(), LOW) as r:
        yield r


def camera(kind, location, rotation, width=96, height=72, fov=90.0):
    from engine.render.scene_data import CameraRequest
    return CameraRequest(kind, width, height, fov, tuple(location), tuple(rotation))


def test_flat_ground_seen_straight_down_decodes_to_camera_height(renderer):
    from engine.render.synthetic import plane_mesh
    renderer.set_static_scene(plane_mesh(400.0, 400.0, (0.3, 0.3, 0.3), 10))
    renderer.set_models([])
    height = 37.5
    depth = decode_depth(render_one(renderer, camera("depth", (3.0, -2.0, height), (-90.0, 30.0, 0.0))))
    assert np.abs(depth - height).max() < 0.01


def test_depth_is_planar_distance_along_the_optical_axis(renderer):
    from engine.render.synthetic import box_mesh
    # A wall whose face is the plane x = 25 fills the whole view of a camera looking along +x.
    renderer.set_static_scene(box_mesh((75.0, 0.0, 0.0), (100.0, 400.0, 400.0), (0.5, 0.5, 0.5), 4))
    renderer.set_models([])
    depth = decode_depth(render_one(renderer, camera("depth", (0.0, 0.0, 2.0), (0.0, 0.0, 0.0))))
    assert np.abs(depth - 25.0).max() <= max(0.01, 2 * DEPTH_STEP_M)


def test_sky_is_1000_m_deep_and_tagged_11(renderer):
    from engine.render.scene_data import empty_mesh
    renderer.set_static_scene(empty_mesh())
    renderer.set_models([])
    request = camera("depth", (0.0, 0.0, 2.0), (10.0, 0.0, 0.0))
    depth = render_one(renderer, request)
    assert (depth == 255).all()
    for kind in ("semantic_segmentation", "instance_segmentation"):
        labels = render_one(renderer, camera(kind, (0.0, 0.0, 2.0), (10.0, 0.0, 0.0)))
        assert (labels[:, :, 2] == 11).all() and (labels[:, :, :2] == 0).all() and (labels[:, :, 3] == 255).all()


def test_every_semantic_tag_renders_exactly(renderer):
    from engine.render.scene_data import Mesh
    from engine.render.synthetic import box_mesh
    tags = list(range(29))
    centers = [((i % 6) * 4.0 - 10.0, (i // 6) * 4.0 - 8.0, 0.5) for i in tags]
    renderer.set_static_scene(Mesh.merge([box_mesh(c, (2.0, 2.0, 1.0), (0.5, 0.5, 0.5), t)
                                          for c, t in zip(centers, tags)]))
    renderer.set_models([])
    request = camera("semantic_segmentation", (0.0, 0.0, 40.0), (-90.0, 0.0, 0.0), 200, 200, 60.0)
    image = render_one(renderer, request)
    assert (image[:, :, :2] == 0).all() and (image[:, :, 3] == 255).all()
    for (x, y, _), tag in zip(centers, tags):
        column, row = project(request, (x, y, 1.0))
        assert image[row, column, 2] == tag, f"tag {tag} rendered as {image[row, column, 2]}"


def test_instance_ids_go_to_green_low_byte_and_blue_high_byte(renderer):
    from engine.render.scene_data import Instances
    from engine.render.synthetic import plane_mesh, vehicle_model
    renderer.set_static_scene(plane_mesh(200.0, 200.0, (0.3, 0.3, 0.3), 1))
    renderer.set_models([vehicle_model()])
    instances = Instances(np.zeros(1, np.int32), np.array([[10.0, 0.0, 0.0]], np.float32),
                          np.zeros((1, 3), np.float32), np.ones((1, 3), np.float32),
                          np.array([0x1234], np.uint32))
    request = camera("instance_segmentation", (0.0, 0.0, 2.0), (-5.0, 0.0, 0.0))
    image = render_one(renderer, request, instances)
    column, row = project(request, (10.0 - 2.25, 0.0, 0.75))     # the car's rear face
    assert tuple(image[row, column]) == (0x12, 0x34, 14, 255)
    column, row = project(request, (5.0, 0.0, 0.0))             # the road in front of it
    assert tuple(image[row, column]) == (0, 0, 1, 255)


@pytest.mark.parametrize("kind", ["rgb", "semantic_segmentation"])
def test_positive_y_is_on_the_right_and_up_is_the_top_row(renderer, kind):
    from engine.render.synthetic import box_mesh
    renderer.set_static_scene(box_mesh((10.0, 4.0, 3.0), (1.0, 1.0, 1.0), (0.9, 0.9, 0.9), 5))
    renderer.set_models([])
    image = render_one(renderer, camera(kind, (0.0, 0.0, 0.0), (0.0, 0.0, 0.0)))
    sky = image[0, 0].copy()
    rows, columns = np.nonzero((image != sky).any(axis=2))
    assert len(columns) > 0
    assert columns.min() > image.shape[1] // 2, "a point at +y must be on the right half"
    assert rows.max() < image.shape[0] // 2, "a point above the camera must be on the top half"


def test_camera_yaw_follows_carla_left_handed_rotation(renderer):
    from engine.render.synthetic import box_mesh
    # Yaw 90 looks along +y; its right is -x, so a box at +x shows on the left.
    renderer.set_static_scene(box_mesh((4.0, 10.0, 0.0), (1.0, 1.0, 1.0), (0.9, 0.9, 0.9), 5))
    renderer.set_models([])
    image = render_one(renderer, camera("semantic_segmentation", (0.0, 0.0, 0.0), (0.0, 90.0, 0.0)))
    rows, columns = np.nonzero(image[:, :, 2] == 5)
    assert len(columns) > 0 and columns.max() < image.shape[1] // 2


def test_images_are_bgra_with_opaque_alpha(renderer):
    from engine.render.synthetic import box_mesh
    renderer.set_static_scene(box_mesh((10.0, 0.0, 0.0), (2.0, 8.0, 8.0), (0.8, 0.05, 0.05), 3))
    renderer.set_models([])
    image = render_one(renderer, camera("rgb", (0.0, 0.0, 0.0), (0.0, 0.0, 0.0), 64, 48, 40.0))
    center = image[24, 32]
    assert center[3] == 255
    assert center[2] > 2 * center[0] and center[2] > 2 * center[1], f"red surface read as BGRA {center}"
    assert (image[:, :, 3] == 255).all()
    assert as_image(image.tobytes(), 64, 48).shape == (48, 64, 4)
