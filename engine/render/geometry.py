"""GPU copies of the scene: the static town in spatial tiles, the actor models in one atlas, and the
per-frame instances, drawn with one multi-draw-indirect call per (group, pass).

Static triangles are sorted into square tiles (split road pieces from other geometry), so culling
a tile is a contiguous index range. Models share one vertex/index buffer; each draw command picks a
model with its index range and base vertex and its instances with the base instance. Per view
(`prepare`), tiles and instances are culled in numpy against the view's planes and, for Low, its
draw distance; then the surviving instance rows and the draw commands are written in one go.
"""
from __future__ import annotations

import numpy as np

from engine.render import camera_math
from engine.render.quality import ROAD_TAGS
from engine.render.scene_data import Mesh

VERTEX_DTYPE = np.dtype([("position", "f4", 3), ("normal", "f4", 3), ("color", "f4", 3),
                         ("tag_flags", "u1", 2), ("pad", "u1", 2)])
VERTEX_FORMAT = ("3f 3f 3f 2u1 2x", "in_position", "in_normal", "in_color", "in_tag_flags")
# Instance row: the three rows of the 3x4 model matrix, paint colour, actor id (uint bits).
INSTANCE_FLOATS = 16
INSTANCE_FORMAT = ("4f 4f 4f 3f u/i", "in_model_row0", "in_model_row1", "in_model_row2", "in_paint",
                   "in_actor_id")
COMMAND_DTYPE = np.uint32          # DrawElementsIndirectCommand: count, instances, first, base vertex, base instance
TILE_SIZE_M = 64.0
GROUPS = ("static", "models")


def pack_vertices(mesh: Mesh) -> np.ndarray:
    data = np.zeros(len(mesh.positions), VERTEX_DTYPE)
    data["position"] = mesh.positions
    data["normal"] = mesh.normals
    data["color"] = mesh.colors
    data["tag_flags"][:, 0] = mesh.tags
    data["tag_flags"][:, 1] = mesh.flags
    return data


def winding_sign(positions: np.ndarray, normals: np.ndarray, indices: np.ndarray) -> int:
    """+1 if triangles wind counter-clockwise (right-hand rule on the raw numbers) around their
    vertex normals, -1 if clockwise, 0 if mixed (then faces are not culled)."""
    tri = indices.reshape(-1, 3)
    if len(tri) == 0:
        return 1
    p = positions[tri].astype(np.float64)
    face = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
    along = np.einsum("ij,ij->i", face, normals[tri].sum(axis=1))
    along = along[np.abs(along) > 1e-12]
    if len(along) == 0:
        return 0
    positive = float(np.mean(along > 0))
    if positive >= 0.99:
        return 1
    if positive <= 0.01:
        return -1
    return 0


def _replace(buffer, data: bytes) -> None:
    """Orphan, then write: draws still queued keep the old storage, so the CPU never waits for them."""
    buffer.orphan(max(len(data), buffer.size))
    buffer.write(data)


def identity_instance() -> np.ndarray:
    row = np.zeros((1, INSTANCE_FLOATS), np.float32)
    row[0, 0] = row[0, 5] = row[0, 10] = 1.0
    return row


class _DrawList:
    """One view's culled draw commands and instance rows (GPU buffers owned here)."""

    def __init__(self, ctx, static_tiles: int, model_count: int):
        self.instance_buffer = ctx.buffer(reserve=INSTANCE_FLOATS * 4 * 64, dynamic=True)
        self.static_commands = ctx.buffer(reserve=max(static_tiles, 1) * 20, dynamic=True)
        self.model_commands = ctx.buffer(reserve=max(model_count, 1) * 20, dynamic=True)
        self.static_count = 0
        self.model_count = 0
        self.static_data = None       # the static commands last uploaded
        self.visible_instances = None # mask over the frame's instances
        self.key = None

    def release(self):
        for buffer in (self.instance_buffer, self.static_commands, self.model_commands):
            buffer.release()


class SceneGeometry:
    """Owns every scene buffer and vertex array; see the module docstring."""

    def __init__(self, ctx):
        self.ctx = ctx
        self._static = None           # dict of buffers and tile table
        self.static_version = 0       # counts set_static calls: caches of static views key on it
        self._models = None           # dict of buffers and per-model table
        self._identity = ctx.buffer(identity_instance().tobytes())
        self._vaos = {}               # (program glo, group, slot) -> VertexArray
        self._lists = {}              # slot -> _DrawList
        self._frame = None            # packed instances of the current frame

    # -- uploads -------------------------------------------------------------------------------
    def set_static(self, mesh: Mesh, tile_size: float = TILE_SIZE_M) -> None:
        self._release_group("static")
        self.static_version += 1
        if len(mesh.indices) == 0:
            return
        tri = mesh.indices.reshape(-1, 3).astype(np.uint32)
        corners = mesh.positions[tri]                                   # (m, 3, 3)
        centroid = corners.mean(axis=1)
        cells = np.floor(centroid[:, :2] / tile_size).astype(np.int64)
        road = np.isin(mesh.tags[tri[:, 0]], ROAD_TAGS)
        cells -= cells.min(axis=0)
        keys = (cells[:, 0] * (int(cells[:, 1].max()) + 1) + cells[:, 1]) * 2 + road
        _, tile_of_tri = np.unique(keys, return_inverse=True)
        tile_of_tri = tile_of_tri.reshape(-1)
        order = np.argsort(tile_of_tri, kind="stable")
        tri_sorted = tri[order]
        tile_sorted = tile_of_tri[order]
        starts = np.flatnonzero(np.r_[True, tile_sorted[1:] != tile_sorted[:-1]])
        counts = np.diff(np.r_[starts, len(tri_sorted)])
        lo = np.minimum.reduceat(corners[order].min(axis=1), starts)
        hi = np.maximum.reduceat(corners[order].max(axis=1), starts)
        center = ((lo + hi) * 0.5).astype(np.float64)
        commands = np.zeros((len(starts), 5), COMMAND_DTYPE)
        commands[:, 0] = counts * 3
        commands[:, 1] = 1
        commands[:, 2] = starts * 3
        self._static = {
            "vbo": self.ctx.buffer(pack_vertices(mesh).tobytes()),
            "ibo": self.ctx.buffer(tri_sorted.astype(np.uint32).tobytes()),
            "commands": commands,                                  # one draw command per tile
            "center": center,
            "center_h": np.c_[center, np.ones(len(center))],       # homogeneous, for plane distances
            "radius": (np.linalg.norm(hi - lo, axis=1) * 0.5).astype(np.float64),
            "road": road[order][starts],
            "winding": winding_sign(mesh.positions, mesh.normals, mesh.indices),
        }
        self._reset_lists()

    def set_models(self, models: list) -> None:
        self._release_group("models")
        if not models:
            return
        vertex_counts = np.array([len(m.positions) for m in models], np.int64)
        index_counts = np.array([len(m.indices) for m in models], np.int64)
        base_vertex = np.r_[0, np.cumsum(vertex_counts)[:-1]]
        first_index = np.r_[0, np.cumsum(index_counts)[:-1]]
        # Mesh.merge offsets indices; the atlas keeps them local and uses base vertex instead.
        local = np.concatenate([m.indices for m in models]).astype(np.uint32) if index_counts.sum() else \
            np.zeros(0, np.uint32)
        centers = np.zeros((len(models), 3))
        radii = np.zeros(len(models))
        for i, m in enumerate(models):
            if len(m.positions):
                lo, hi = m.positions.min(axis=0), m.positions.max(axis=0)
                centers[i] = (lo + hi) * 0.5
                radii[i] = np.linalg.norm(hi - lo) * 0.5
        windings = {winding_sign(m.positions, m.normals, m.indices) for m in models if len(m.indices)}
        commands = np.zeros((len(models), 5), COMMAND_DTYPE)
        commands[:, 0] = index_counts
        commands[:, 2] = first_index
        commands[:, 3] = base_vertex
        self._models = {
            "commands": commands,       # per model; instance count and base instance set per view
            "vbo": self.ctx.buffer(np.concatenate([pack_vertices(m) for m in models]).tobytes() or b"\0" * 40),
            "ibo": self.ctx.buffer(local.tobytes() or b"\0" * 4),
            "center": centers,
            "radius": radii,
            "winding": windings.pop() if len(windings) == 1 else 0,
        }
        self._reset_lists()

    @property
    def model_count(self) -> int:
        return 0 if self._models is None else len(self._models["commands"])

    def set_instances(self, instances) -> None:
        """Pack this frame's instances once (sorted by model) for all views."""
        if instances is None or len(instances.model) == 0:
            self._frame = None
            return
        model = np.asarray(instances.model, dtype=np.int64)
        if self._models is None or model.min() < 0 or model.max() >= self.model_count:
            raise ValueError(f"instance model index out of range (renderer has {self.model_count} models)")
        order = None if (model[1:] >= model[:-1]).all() else np.argsort(model, kind="stable")
        pick = (lambda a: a) if order is None else (lambda a: a[order])
        model = pick(model)
        location = pick(np.asarray(instances.location, dtype=np.float32))
        rot = camera_math.rotation_matrices(pick(np.asarray(instances.rotation)), dtype=np.float32)
        packed = np.empty((len(model), INSTANCE_FLOATS), np.float32)
        rows = packed[:, :12].reshape(-1, 3, 4)
        rows[:, :, :3] = rot
        rows[:, :, 3] = location
        packed[:, 12:15] = pick(np.asarray(instances.paint, dtype=np.float32))
        actor_id = pick(np.asarray(instances.actor_id, dtype=np.uint32))
        packed[:, 15].view(np.uint32)[:] = actor_id
        centers = location + np.einsum("kij,kj->ki", rot, self._models["center"][model].astype(np.float32))
        self._frame = {
            "model": model,
            "packed": packed,
            "center": centers.astype(np.float64),
            "radius": self._models["radius"][model],
            "actor_id": actor_id,
        }

    # -- per view ------------------------------------------------------------------------------
    def prepare(self, slot: str, view_proj: np.ndarray, eye=None, draw_distance: float = 0.0,
                road_draw_distance: float = 0.0, exclude_actor: int = 0, key=None, groups=GROUPS) -> None:
        """Cull `groups` for one view and upload its commands; `key` skips the work when unchanged."""
        draw_list = self._draw_list(slot)
        if key is not None and draw_list.key == key:
            return
        draw_list.key = key
        planes = camera_math.frustum_planes(view_proj)
        eye = None if eye is None else np.asarray(eye, dtype=np.float64)
        draw_list.static_count = 0
        if self._static is not None and "static" in groups:
            st = self._static
            radius = st["radius"]
            visible = (st["center_h"] @ planes.T).min(axis=1) >= -radius
            if eye is not None:
                offset = st["center"] - eye
                near = np.sqrt(np.einsum("ij,ij->i", offset, offset)) - radius
                if draw_distance > 0.0:
                    visible &= near <= np.where(st["road"], road_draw_distance, draw_distance)
                # Front to back: nearer tiles fill the depth buffer first, so hidden fragments
                # of farther tiles fail the depth test before shading.
                tiles = np.argsort(np.where(visible, near, np.inf), kind="stable")[:np.count_nonzero(visible)]
            else:
                tiles = np.flatnonzero(visible)
            if len(tiles):
                data = st["commands"][tiles].tobytes()
                if data != draw_list.static_data:
                    _replace(draw_list.static_commands, data)
                    draw_list.static_data = data
                draw_list.static_count = len(tiles)
        draw_list.model_count = 0
        draw_list.visible_instances = None
        frame = self._frame if "models" in groups else None
        if frame is not None:
            visible = camera_math.spheres_visible(planes, frame["center"], frame["radius"])
            if draw_distance > 0.0 and eye is not None:
                offset = frame["center"] - eye
                visible &= np.sqrt(np.einsum("ij,ij->i", offset, offset)) - frame["radius"] <= draw_distance
            if exclude_actor:
                visible &= frame["actor_id"] != exclude_actor
            draw_list.visible_instances = visible
            if visible.any():
                rows = frame["packed"][visible]
                per_model = np.bincount(frame["model"][visible], minlength=self.model_count)
                used = np.flatnonzero(per_model)
                commands = self._models["commands"][used]
                commands[:, 1] = per_model[used]
                commands[:, 4] = (np.cumsum(per_model) - per_model)[used]
                _replace(draw_list.instance_buffer, rows.tobytes())
                _replace(draw_list.model_commands, commands.tobytes())
                draw_list.model_count = len(used)

    def instance_spheres(self, slot: str) -> tuple:
        """(centres (k, 3), radii (k,)) of the bounding spheres of the instances `prepare(slot)` kept."""
        draw_list = self._lists.get(slot)
        visible = None if draw_list is None else draw_list.visible_instances
        if visible is None or self._frame is None:
            return np.zeros((0, 3)), np.zeros(0)
        return self._frame["center"][visible], self._frame["radius"][visible]

    def draw_count(self, slot: str) -> int:
        """Draw commands that `prepare(slot)` kept."""
        draw_list = self._lists.get(slot)
        return 0 if draw_list is None else draw_list.static_count + draw_list.model_count

    def draw(self, program, slot: str, orientation: float) -> None:
        """Draw what `prepare(slot)` kept with `program`; orientation from camera_math.orientation_sign."""
        draw_list = self._lists.get(slot)
        if draw_list is None:
            return
        # Actors first: they are often near the camera (an attached camera sees its own vehicle),
        # so the town behind them fails the depth test before shading.
        for group, data, count, commands in (
                ("models", self._models, draw_list.model_count, draw_list.model_commands),
                ("static", self._static, draw_list.static_count, draw_list.static_commands)):
            if count == 0 or data is None:
                continue
            self._set_culling(data["winding"] * orientation)
            self._vao(program, group, slot).render_indirect(commands, count=count)

    def _set_culling(self, sign: float) -> None:
        ctx = self.ctx
        if sign == 0:
            ctx.disable(ctx.CULL_FACE)
            return
        ctx.enable(ctx.CULL_FACE)
        ctx.cull_face = "back"
        ctx.front_face = "ccw" if sign > 0 else "cw"

    def _vao(self, program, group: str, slot: str):
        key = (program.glo, group, slot)
        vao = self._vaos.get(key)
        if vao is None:
            data = self._static if group == "static" else self._models
            instances = self._identity if group == "static" else self._lists[slot].instance_buffer
            vao = self.ctx.vertex_array(
                program, [(data["vbo"], *VERTEX_FORMAT), (instances, *INSTANCE_FORMAT)],
                index_buffer=data["ibo"], index_element_size=4, skip_errors=True)
            self._vaos[key] = vao
        return vao

    def _draw_list(self, slot: str) -> _DrawList:
        draw_list = self._lists.get(slot)
        if draw_list is None:
            tiles = 0 if self._static is None else len(self._static["commands"])
            draw_list = _DrawList(self.ctx, tiles, self.model_count)
            self._lists[slot] = draw_list
        return draw_list

    def _reset_lists(self) -> None:
        """Tile and model counts changed: drop the views' buffers (and the arrays that use them)."""
        for key in [k for k in self._vaos if k[1] == "models"]:
            self._vaos.pop(key).release()
        for draw_list in self._lists.values():
            draw_list.release()
        self._lists.clear()

    def _release_group(self, group: str) -> None:
        for key in [k for k in self._vaos if k[1] == group]:
            self._vaos.pop(key).release()
        data = self._static if group == "static" else self._models
        if data is not None:
            data["vbo"].release()
            data["ibo"].release()
        if group == "static":
            self._static = None
        else:
            self._models = None
            self._frame = None

    def forget_program(self, program) -> None:
        """Release the vertex arrays built for a program that is going away."""
        for key in [k for k in self._vaos if k[0] == program.glo]:
            self._vaos.pop(key).release()

    def release(self) -> None:
        for vao in self._vaos.values():
            vao.release()
        self._vaos.clear()
        for draw_list in self._lists.values():
            draw_list.release()
        self._lists.clear()
        self._release_group("static")
        self._release_group("models")
        self._identity.release()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()
