"""Matrices for CARLA's coordinates (x forward, y right, z up, left-handed, degrees) and GL clip space.

World positions stay in CARLA coordinates on the GPU. The view matrix maps them to GL view space
(x right, y up, -z forward); that basis change is a reflection, so it also fixes the handedness.
Camera projections flip y so that GL's bottom-up framebuffer rows read back top row first.
All matrices are numpy float64, row-major, applied to column vectors (p' = M @ p).
"""
from __future__ import annotations

import math

import numpy as np

# Rows: GL view axes expressed in the camera's local CARLA axes (forward, right, up).
LOCAL_TO_GL = np.array([[0.0, 1.0, 0.0],     # GL x = local right
                         [0.0, 0.0, 1.0],     # GL y = local up
                         [-1.0, 0.0, 0.0]])   # GL z = -local forward


def rotation_matrices(rotation, dtype=np.float64) -> np.ndarray:
    """(k, 3) pitch, yaw, roll in degrees -> (k, 3, 3) matrices whose columns are forward, right, up."""
    rot = np.radians(np.asarray(rotation, dtype=dtype).reshape(-1, 3))
    cos, sin = np.cos(rot), np.sin(rot)
    cp, cy, cr = cos.T
    sp, sy, sr = sin.T
    out = np.empty((len(rot), 3, 3), dtype=dtype)
    out[:, 0, 0] = cp * cy
    out[:, 1, 0] = cp * sy
    out[:, 2, 0] = sp
    out[:, 0, 1] = sr * sp * cy - cr * sy
    out[:, 1, 1] = sr * sp * sy + cr * cy
    out[:, 2, 1] = -sr * cp
    out[:, 0, 2] = -(cr * sp * cy + sr * sy)
    out[:, 1, 2] = cy * sr - cr * sp * sy
    out[:, 2, 2] = cr * cp
    return out


def rotation_matrix(rotation) -> np.ndarray:
    """One rotation (pitch, yaw, roll) -> 3x3 matrix with columns forward, right, up."""
    pitch, yaw, roll = (math.radians(float(a)) for a in rotation)
    cp, sp = math.cos(pitch), math.sin(pitch)
    cy, sy = math.cos(yaw), math.sin(yaw)
    cr, sr = math.cos(roll), math.sin(roll)
    return np.array([[cp * cy, sr * sp * cy - cr * sy, -(cr * sp * cy + sr * sy)],
                     [cp * sy, sr * sp * sy + cr * cy, cy * sr - cr * sp * sy],
                     [sp, -sr * cp, cr * cp]])


def view_matrix(location, rotation) -> np.ndarray:
    """World (CARLA) -> GL view space of a camera looking along its local +x."""
    basis = LOCAL_TO_GL @ rotation_matrix(rotation).T
    view = np.eye(4)
    view[:3, :3] = basis
    view[:3, 3] = -basis @ np.asarray(location, dtype=np.float64)
    return view


def look_view_matrix(eye, forward, up_hint=(0.0, 0.0, 1.0)) -> np.ndarray:
    """GL view matrix of an eye at `eye` looking along `forward` (CARLA world vectors)."""
    fx, fy, fz = (float(v) for v in forward)
    norm = math.sqrt(fx * fx + fy * fy + fz * fz)
    fx, fy, fz = fx / norm, fy / norm, fz / norm
    ux, uy, uz = (float(v) for v in up_hint)
    if abs(fx * ux + fy * uy + fz * uz) > 0.99:
        ux, uy, uz = 1.0, 0.0, 0.0
    # CARLA is left-handed: right = up x forward.
    rx, ry, rz = uy * fz - uz * fy, uz * fx - ux * fz, ux * fy - uy * fx
    norm = math.sqrt(rx * rx + ry * ry + rz * rz)
    rx, ry, rz = rx / norm, ry / norm, rz / norm
    tx, ty, tz = fy * rz - fz * ry, fz * rx - fx * rz, fx * ry - fy * rx
    local_axes = np.array([[fx, rx, tx], [fy, ry, ty], [fz, rz, tz]])
    view = np.eye(4)
    view[:3, :3] = LOCAL_TO_GL @ local_axes.T
    view[:3, 3] = -view[:3, :3] @ np.asarray(eye, dtype=np.float64)
    return view


def perspective(hfov_deg: float, width: int, height: int, near: float, far: float,
                flip_y: bool = True) -> np.ndarray:
    """GL projection from a horizontal field of view; flip_y gives top-row-first readback."""
    sx = 1.0 / math.tan(math.radians(hfov_deg) * 0.5)
    sy = sx * width / height
    proj = np.zeros((4, 4))
    proj[0, 0] = sx
    proj[1, 1] = -sy if flip_y else sy
    proj[2, 2] = -(far + near) / (far - near)
    proj[2, 3] = -2.0 * far * near / (far - near)
    proj[3, 2] = -1.0
    return proj


def orthographic(half_width: float, half_height: float, near: float, far: float) -> np.ndarray:
    proj = np.eye(4)
    proj[0, 0] = 1.0 / half_width
    proj[1, 1] = 1.0 / half_height
    proj[2, 2] = -2.0 / (far - near)
    proj[2, 3] = -(far + near) / (far - near)
    return proj


# Rows m[3] + m[0], m[3] - m[0], m[3] + m[1], ... of the Gribb-Hartmann plane extraction.
_PLANE_ROWS = np.array([[1.0, 0.0, 0.0, 1.0], [-1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 0.0, 1.0],
                        [0.0, -1.0, 0.0, 1.0], [0.0, 0.0, 1.0, 1.0], [0.0, 0.0, -1.0, 1.0]])


def frustum_planes(view_proj: np.ndarray) -> np.ndarray:
    """(6, 4) planes (a, b, c, d), inside where a*x + b*y + c*z + d >= 0, normals unit length."""
    planes = _PLANE_ROWS @ view_proj
    planes /= np.sqrt(np.einsum("ij,ij->i", planes[:, :3], planes[:, :3]))[:, None]
    return planes


def spheres_visible(planes: np.ndarray, centers: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Vectorised sphere-against-planes test; True where a sphere touches the volume."""
    if len(centers) == 0:
        return np.zeros(0, dtype=bool)
    dist = centers @ planes[:, :3].T + planes[:, 3]
    return dist.min(axis=1) >= -radii


def orientation_sign(view: np.ndarray, proj: np.ndarray) -> float:
    """+1 when world-space right-handed (numeric) windings stay counter-clockwise on screen."""
    (a, b, c), (d, e, f), (g, h, i) = view[:3, :3].tolist()
    sign = math.copysign(1.0, a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g))
    if proj[3, 3] == 0.0:      # perspective: GL's projection keeps orientation, y flip reverses it
        sign *= np.sign(proj[1, 1])
    else:
        sign *= np.sign(proj[0, 0] * proj[1, 1])
    return float(sign)


def inverse_view(view: np.ndarray) -> np.ndarray:
    """Inverse of a rigid view matrix (orthonormal 3x3 part, possibly a reflection)."""
    inv = np.eye(4)
    inv[:3, :3] = view[:3, :3].T
    inv[:3, 3] = -view[:3, :3].T @ view[:3, 3]
    return inv


def inverse_perspective(proj: np.ndarray) -> np.ndarray:
    """Inverse of a matrix made by `perspective`."""
    inv = np.zeros((4, 4))
    inv[0, 0] = 1.0 / proj[0, 0]
    inv[1, 1] = 1.0 / proj[1, 1]
    inv[2, 3] = -1.0
    inv[3, 2] = 1.0 / proj[2, 3]
    inv[3, 3] = proj[2, 2] / proj[2, 3]
    return inv


def gl_columns(matrix: np.ndarray) -> np.ndarray:
    """Float32 column-major copy for std140 / glUniformMatrix."""
    return np.ascontiguousarray(matrix.T, dtype=np.float32)
