"""What the presets and the weather change in RGB images, measured on pixels: Epic's sun shadows,
Low's draw distance (100 m for objects, 150 m for road pieces), and weather-driven sky and fog."""
from __future__ import annotations

import numpy as np
import pytest

from render_support import offscreen_context, project, render_one

# Sun from +x at 45 degrees: the shadow of a 2 m box standing at the origin covers x in [-3, -1].
SUNNY = (0.0, 0.0, 0.0, 0.0, 0.0, 45.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.03, 0.0331, 0.0)


def luminance_around(image, request, point, half_size_px=3):
    column, row = project(request, point)
    patch = image[row - half_size_px:row + half_size_px + 1, column - half_size_px:column + half_size_px + 1, :3]
    return float(patch.astype(np.float64).mean())


@pytest.mark.parametrize("quality", ["Low", "Epic"])
def test_shadow_of_a_box_darkens_the_ground_on_epic_only(quality):
    from engine.render.quality import preset_by_name
    from engine.render.renderer import Renderer
    from engine.render.scene_data import CameraRequest, Mesh
    from engine.render.synthetic import box_mesh, plane_mesh
    scene = Mesh.merge([plane_mesh(200.0, 200.0, (0.5, 0.5, 0.5), 10),
                        box_mesh((0.0, 0.0, 1.0), (2.0, 2.0, 2.0), (0.5, 0.5, 0.5), 3)])
    request = CameraRequest("rgb", 160, 160, 60.0, (0.0, 0.0, 20.0), (-90.0, 0.0, 0.0))
    with Renderer(offscreen_context(), preset_by_name(quality)) as renderer:
        renderer.set_static_scene(scene)
        renderer.set_models([])
        image = render_one(renderer, request, weather=SUNNY)
    in_shadow = luminance_around(image, request, (-2.2, 0.0, 0.0))
    in_sun = luminance_around(image, request, (2.5, 2.5, 0.0))
    ratio = in_shadow / in_sun
    if quality == "Epic":
        assert ratio < 0.75, f"no shadow behind the box on Epic (shadow/sun luminance {ratio:.2f})"
    else:
        assert ratio > 0.95, f"Low must not draw shadows (shadow/sun luminance {ratio:.2f})"


def sky_and_wall(renderer, weather, wall_distance=60.0):
    """RGB image of a camera looking along +x at a grey wall, with sky above it."""
    from engine.render.scene_data import CameraRequest
    from engine.render.synthetic import box_mesh
    renderer.set_static_scene(box_mesh((wall_distance + 1.0, 0.0, 0.0), (2.0, 400.0, 20.0), (0.5, 0.5, 0.5), 3))
    renderer.set_models([])
    request = CameraRequest("rgb", 96, 64, 90.0, (0.0, 0.0, 2.0), (0.0, 0.0, 0.0))
    return render_one(renderer, request, weather=weather).astype(np.float64)


def weather_with(**changes):
    from engine.render.atmosphere import WEATHER_FIELDS
    from engine.world.weather import CLEAR_NOON
    values = dict(zip(WEATHER_FIELDS, CLEAR_NOON))
    values.update(changes)
    return tuple(values[name] for name in WEATHER_FIELDS)


@pytest.mark.parametrize("quality", ["Low", "Epic"])
def test_sky_follows_sun_and_clouds(quality):
    from engine.render.quality import preset_by_name
    from engine.render.renderer import Renderer
    with Renderer(offscreen_context(), preset_by_name(quality)) as renderer:
        noon = sky_and_wall(renderer, weather_with())
        night = sky_and_wall(renderer, weather_with(sun_altitude_angle=-30.0))
        overcast = sky_and_wall(renderer, weather_with(cloudiness=100.0))
    sky_noon, sky_night, sky_overcast = (img[2:10, :, :3].mean(axis=(0, 1)) for img in (noon, night, overcast))
    assert sky_noon[0] > sky_noon[2], f"clear sky must be blue (BGR {sky_noon})"
    assert sky_night.mean() < 0.4 * sky_noon.mean(), "night sky must be dark"
    assert np.ptp(sky_overcast) < 0.5 * np.ptp(sky_noon), "overcast sky must be greyer than a clear one"
    assert night[32, 48, :3].mean() < 0.5 * noon[32, 48, :3].mean(), "the wall must be darker at night"


@pytest.mark.parametrize("quality", ["Low", "Epic"])
def test_dense_fog_hides_a_distant_wall(quality):
    from engine.render.quality import preset_by_name
    from engine.render.renderer import Renderer
    with Renderer(offscreen_context(), preset_by_name(quality)) as renderer:
        clear = sky_and_wall(renderer, weather_with(fog_density=0.0), wall_distance=60.0)
        foggy = sky_and_wall(renderer, weather_with(fog_density=100.0, fog_distance=0.0), wall_distance=60.0)
    wall_row, sky_row = 32, 4
    contrast_clear = np.abs(clear[wall_row, 48, :3] - clear[sky_row, 48, :3]).max()
    contrast_foggy = np.abs(foggy[wall_row, 48, :3] - foggy[sky_row, 48, :3]).max()
    assert contrast_foggy < 0.5 * contrast_clear, (contrast_clear, contrast_foggy)


def test_low_cuts_objects_beyond_100_m_and_roads_beyond_150_m():
    from engine.render.quality import EPIC, LOW
    from engine.render.renderer import Renderer
    from engine.render.scene_data import CameraRequest, Mesh
    from engine.render.synthetic import box_mesh, plane_mesh
    scene = Mesh.merge([
        box_mesh((120.0, -12.0, 5.0), (4.0, 8.0, 10.0), (0.8, 0.1, 0.1), 3),     # building at 120 m
        box_mesh((80.0, 12.0, 5.0), (4.0, 8.0, 10.0), (0.8, 0.1, 0.1), 3),      # building at 80 m
        plane_mesh(20.0, 30.0, (0.05, 0.05, 0.05), 1, center=(130.0, 0.0)),     # road piece at 130 m
    ])
    request = CameraRequest("rgb", 200, 100, 40.0, (0.0, 0.0, 20.0), (-8.0, 0.0, 0.0))
    seen = {}
    for preset in (LOW, EPIC):
        with Renderer(offscreen_context(), preset) as renderer:
            renderer.set_static_scene(scene)
            renderer.set_models([])
            image = render_one(renderer, request, weather=weather_with(fog_density=0.0)).astype(np.int32)
        sky = image[2, 100, :3]
        seen[preset.name] = {name: np.abs(image[row, col, :3] - sky).max() > 8 for name, (row, col) in {
            "far building": project(request, (118.0, -12.0, 5.0))[::-1],
            "near building": project(request, (78.0, 12.0, 5.0))[::-1],
            "road at 130 m": project(request, (130.0, 0.0, 0.0))[::-1]}.items()}
    assert seen["Epic"] == {"far building": True, "near building": True, "road at 130 m": True}
    assert seen["Low"] == {"far building": False, "near building": True, "road at 130 m": True}


def test_ssao_darkens_the_foot_of_a_wall_and_leaves_open_ground_alone():
    import dataclasses
    from engine.render.quality import EPIC
    from engine.render.renderer import Renderer
    from engine.render.scene_data import CameraRequest, Mesh
    from engine.render.synthetic import box_mesh, plane_mesh
    scene = Mesh.merge([plane_mesh(200.0, 200.0, (0.5, 0.5, 0.5), 10),
                        box_mesh((10.0, 0.0, 2.0), (1.0, 20.0, 4.0), (0.5, 0.5, 0.5), 3)])
    request = CameraRequest("rgb", 160, 120, 90.0, (0.0, 0.0, 2.0), (-20.0, 0.0, 0.0))
    images = {}
    for ssao in (True, False):
        with Renderer(offscreen_context(), dataclasses.replace(EPIC, ssao=ssao)) as renderer:
            renderer.set_static_scene(scene)
            renderer.set_models([])
            images[ssao] = render_one(renderer, request).astype(np.float64)
    foot = [luminance_around(images[s], request, (9.3, 2.0, 0.15), 2) for s in (True, False)]
    ground = [luminance_around(images[s], request, (5.0, -2.0, 0.0), 2) for s in (True, False)]
    assert abs(ground[0] - ground[1]) < 2.0, f"SSAO darkened open ground: {ground}"
    assert foot[0] < foot[1] - 3.0, f"SSAO left the foot of the wall unchanged: {foot}"


def test_moving_actor_shadows_leave_no_trace_in_the_cached_shadow_map():
    """The static shadow depth is cached and actors are drawn into a copy of it: after a car drove
    through the light box, the image equals one rendered from scratch."""
    from engine.render.quality import EPIC
    from engine.render.renderer import Renderer
    from engine.render.scene_data import CameraRequest, Instances
    from engine.render.synthetic import box_mesh, plane_mesh, vehicle_model
    from engine.render.scene_data import Mesh
    scene = Mesh.merge([plane_mesh(200.0, 200.0, (0.5, 0.5, 0.5), 10),
                        box_mesh((0.0, 8.0, 1.0), (2.0, 2.0, 2.0), (0.5, 0.5, 0.5), 3)])
    request = CameraRequest("rgb", 96, 96, 60.0, (0.0, 0.0, 25.0), (-90.0, 0.0, 0.0))

    def car(y):
        return Instances(np.zeros(1, np.int32), np.array([[0.0, y, 0.0]], np.float32), np.zeros((1, 3), np.float32),
                         np.ones((1, 3), np.float32), np.ones(1, np.uint32))

    def renderer_with_scene():
        renderer = Renderer(offscreen_context(), EPIC)
        renderer.set_static_scene(scene)
        renderer.set_models([vehicle_model()])
        return renderer

    with renderer_with_scene() as renderer:
        for frame, y in enumerate((-8.0, -4.0, 0.0, 4.0)):
            moved = render_one(renderer, request, car(y), weather=SUNNY, frame=frame)
    with renderer_with_scene() as renderer:
        fresh = render_one(renderer, request, car(4.0), weather=SUNNY, frame=0)
        without_car = render_one(renderer, request, car(60.0), weather=SUNNY, frame=1)
    assert np.array_equal(moved, fresh)
    assert not np.array_equal(fresh, without_car), "the car casts no shadow in the test view"
