"""Per-camera view setup (matrices, culling volume) and the ViewBlock uniform data."""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from engine.render import camera_math
from engine.render.scene_data import CameraRequest

VIEW_BLOCK_BYTES = 6 * 64 + 4 * 16


@dataclasses.dataclass
class CameraView:
    width: int
    height: int
    eye: np.ndarray
    forward: np.ndarray
    view: np.ndarray
    proj: np.ndarray
    view_proj: np.ndarray
    orientation: float
    near: float
    far: float
    gamma: float


def camera_view(request: CameraRequest, near: float, far: float) -> CameraView:
    if request.width <= 0 or request.height <= 0:
        raise ValueError(f"camera image size must be positive, got {request.width}x{request.height}")
    if not 0.0 < request.fov < 180.0:
        raise ValueError(f"camera fov must be in (0, 180) degrees, got {request.fov}")
    eye = np.array(request.location, dtype=np.float64)
    rotation = camera_math.rotation_matrix(request.rotation)
    view = np.eye(4)
    view[:3, :3] = camera_math.LOCAL_TO_GL @ rotation.T
    view[:3, 3] = -view[:3, :3] @ eye
    proj = camera_math.perspective(request.fov, request.width, request.height, near, far, flip_y=True)
    return CameraView(
        width=request.width, height=request.height, eye=eye, forward=rotation[:, 0],
        view=view, proj=proj, view_proj=proj @ view,
        orientation=camera_math.orientation_sign(view, proj),
        near=near, far=far, gamma=float(request.gamma))


@dataclasses.dataclass
class ShadowView:
    view_proj: np.ndarray
    orientation: float
    texel_m: float
    key: tuple


SHADOW_SNAP_TEXELS = 128          # the sun's box moves in steps of this many shadow-map texels


def shadow_view(eye, forward, sun_dir, extent_m: float, map_size: int) -> ShadowView:
    """Orthographic sun view over a square of side extent_m, shifted ahead of the camera. Its centre
    is snapped to a coarse grid of whole texels: shadows do not shimmer as the camera moves, and the
    view (and a cached map of the static scene) stays the same over many frames."""
    sx, sy, sz = (float(v) for v in sun_dir)
    sz = max(sz, 0.05)            # sun at or below the horizon: keep a usable grazing light
    norm = math.sqrt(sx * sx + sy * sy + sz * sz)
    sun = (sx / norm, sy / norm, sz / norm)
    half = extent_m * 0.5
    ax, ay = float(forward[0]), float(forward[1])
    norm = math.hypot(ax, ay)
    shift = half * 0.5 / norm if norm > 1e-6 else 0.0
    center = np.array([eye[0] + ax * shift, eye[1] + ay * shift, eye[2]], dtype=np.float64)
    depth_range = 400.0
    view = camera_math.look_view_matrix((0.0, 0.0, 0.0), (-sun[0], -sun[1], -sun[2]))
    texel = extent_m / map_size
    step = texel * SHADOW_SNAP_TEXELS
    light_center = np.round(view[:3, :3] @ center / step) * step
    view[:3, 3] = -light_center
    view[2, 3] -= depth_range * 0.5   # centre half-way into the depth range
    proj = camera_math.orthographic(half, half, 0.0, depth_range)
    key = (tuple(np.round(light_center, 6)), tuple(np.round(sun, 6)), extent_m, map_size)
    return ShadowView(proj @ view, camera_math.orientation_sign(view, proj), texel, key)


def pack_view_block(cam: CameraView, shadow: ShadowView | None, exposure: float,
                    draw_distance: float, road_draw_distance: float, ssao_radius: float) -> bytes:
    inv_proj = camera_math.inverse_perspective(cam.proj)
    inv_view_proj = camera_math.inverse_view(cam.view) @ inv_proj
    out = np.empty(VIEW_BLOCK_BYTES // 4, np.float32)
    columns = out[:96].reshape(6, 4, 4)       # GL matrices are column-major: store transposes
    columns[0] = cam.view.T
    columns[1] = cam.proj.T
    columns[2] = cam.view_proj.T
    columns[3] = inv_proj.T
    columns[4] = inv_view_proj.T
    columns[5] = (shadow.view_proj if shadow is not None else np.eye(4)).T
    out[96:100] = (*cam.eye, cam.far)
    out[100:104] = (cam.width, cam.height, 1.0 / cam.width, 1.0 / cam.height)
    out[104:108] = (cam.gamma, cam.near, cam.far, exposure)
    texel = shadow.texel_m if shadow is not None else 0.0
    out[108:112] = (draw_distance, road_draw_distance, texel, ssao_radius)
    return out.tobytes()

