"""Helpers shared by the render tests: one offscreen EGL context for the whole run, image decoding
and projection of world points to pixels."""
from __future__ import annotations

import functools

import numpy as np
import pytest


@functools.lru_cache(maxsize=1)
def _shared_context():
    from engine.render.context import create_context
    return create_context("offscreen")


def offscreen_context():
    """The run's offscreen context; skips the test when EGL with GL 4.3 cannot be created here."""
    try:
        return _shared_context()
    except Exception as exc:  # no libEGL, no GPU and no Mesa, or too old a GL
        pytest.skip(f"no offscreen OpenGL 4.3 context through EGL on this machine: {exc}")


def gl_info(context) -> dict:
    return getattr(context, "ctx", context).info


def is_llvmpipe(context) -> bool:
    return "llvmpipe" in gl_info(context)["GL_RENDERER"].lower()


def as_image(data: bytes, width: int, height: int) -> np.ndarray:
    """Sensor bytes -> (height, width, 4) uint8 array in B, G, R, A order, row 0 at the top."""
    assert len(data) == width * height * 4
    return np.frombuffer(data, np.uint8).reshape(height, width, 4)


def decode_depth(image: np.ndarray) -> np.ndarray:
    """CARLA: normalized = (R + G*256 + B*65536) / (256**3 - 1), metres = 1000 * normalized."""
    bgra = image.astype(np.int64)
    return 1000.0 * (bgra[..., 2] + bgra[..., 1] * 256 + bgra[..., 0] * 65536) / (256 ** 3 - 1)


def project(request, point) -> tuple:
    """Pixel (column, row) of a world point in a camera request's image."""
    from engine.render import camera_math
    view = camera_math.view_matrix(request.location, request.rotation)
    proj = camera_math.perspective(request.fov, request.width, request.height, 0.1, 1000.0, flip_y=True)
    clip = proj @ view @ np.append(np.asarray(point, np.float64), 1.0)
    ndc = clip[:3] / clip[3]
    return int((ndc[0] + 1.0) * 0.5 * request.width), int((ndc[1] + 1.0) * 0.5 * request.height)


def render_one(renderer, request, instances=None, weather=None, frame=0) -> np.ndarray:
    from engine.world.weather import CLEAR_NOON
    tickets = renderer.render([request], instances, weather or CLEAR_NOON, frame)
    images = dict(renderer.poll(wait=True))
    return as_image(images[tickets[0]], request.width, request.height)
