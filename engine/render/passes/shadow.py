"""Sun shadow map (Epic): depth of the scene seen from the sun, shared by the cameras of a frame
that fit the same light box.

The static scene's depth is cached and redrawn only when the light box (snapped to a coarse texel
grid, see views.shadow_view), the sun or the static scene change. The moving actors are drawn into a
working copy of it; the next frame copies the static depth back over the texels they covered only
(a whole 2048² copy costs GPUs about as much as drawing the town). With no actor in the box the
cached map is used as it is.
"""
from __future__ import annotations

import moderngl
import numpy as np

from engine.render.gl_sync import load_texture_copy
from engine.render.passes.base import Pass

RECT_MARGIN_TEXELS = 2
MAX_RESTORED_RECTS = 16           # more actors than this: restore their bounding rectangle at once


def texel_rects(view_proj: np.ndarray, centers: np.ndarray, radii: np.ndarray, texel_m: float,
                size: int) -> np.ndarray:
    """(k, 4) rectangles x0, y0, x1, y1 (end exclusive, row 0 at the bottom) of the map texels that
    bounding spheres can cover in an orthographic light view."""
    if len(centers) == 0:
        return np.zeros((0, 4), np.int64)
    ndc = centers @ view_proj[:2, :3].T + view_proj[:2, 3]
    texel = (ndc * 0.5 + 0.5) * size
    half = radii[:, None] / texel_m + RECT_MARGIN_TEXELS
    lo = np.clip(np.floor(texel - half), 0, size).astype(np.int64)
    hi = np.clip(np.ceil(texel + half), 0, size).astype(np.int64)
    rects = np.concatenate([lo, hi], axis=1)
    return rects[(rects[:, 2] > rects[:, 0]) & (rects[:, 3] > rects[:, 1])]


class ShadowPass(Pass):
    name = "shadow"
    reads = ("scene",)
    writes = ("shadow_map",)

    @classmethod
    def enabled(cls, preset, kind):
        return kind == "rgb" and preset.shadows

    def __init__(self, env):
        super().__init__(env)
        self.size = env.preset.shadow_map_size
        self.program_ = self.program("shadow.glsl")
        self.copy = load_texture_copy(self.ctx)
        self.static_map, self.static_fbo = self._depth_map(self.size)
        self.map, self.fbo = self._depth_map(self.size)
        self._static_key = None       # what static_map shows
        self._map_base = None         # the static key the working map was copied from
        self._dirty = np.zeros((0, 4), np.int64)   # working-map texels that actors were drawn over
        self._rendered = None
        self._current = self.map

    def _depth_map(self, size: int):
        texture = self.ctx.depth_texture((size, size))
        texture.compare_func = "<="
        texture.filter = (moderngl.LINEAR, moderngl.LINEAR)
        texture.repeat_x = texture.repeat_y = False
        return texture, self.ctx.framebuffer(depth_attachment=texture)

    def execute(self, frame):
        shadow = frame.shadow
        key = (frame.generation, shadow.key)
        if key != self._rendered:
            self._rendered = key
            self._current = self._render(shadow, key) if self.copy else self._render_uncached(shadow, key)
        frame.shared["shadow_map"] = self._current

    def _render(self, shadow, key):
        geometry = self.env.geometry
        static_key = (geometry.static_version, shadow.key)
        if static_key != self._static_key:
            self._static_key = static_key
            geometry.prepare("shadow_static", shadow.view_proj, key=static_key, groups=("static",))
            self._draw(self.static_fbo, "shadow_static", shadow, clear=True)
        geometry.prepare("shadow_models", shadow.view_proj, key=key, groups=("models",))
        if geometry.draw_count("shadow_models") == 0:
            return self.static_map
        self._restore(static_key)
        self._draw(self.fbo, "shadow_models", shadow, clear=False)
        centers, radii = geometry.instance_spheres("shadow_models")
        self._dirty = texel_rects(shadow.view_proj, centers, radii, shadow.texel_m, self.size)
        return self.map

    def _restore(self, static_key) -> None:
        """Make the working map equal to the static map again."""
        if static_key != self._map_base:
            self.copy(self.static_map, self.map)
            self._map_base = static_key
            return
        rects = self._dirty
        if len(rects) > MAX_RESTORED_RECTS:
            rects = np.concatenate([rects[:, :2].min(axis=0), rects[:, 2:].max(axis=0)])[None]
        for x0, y0, x1, y1 in rects.tolist():
            self.copy.rect(self.static_map, self.map, x0, y0, x1 - x0, y1 - y0)

    def _render_uncached(self, shadow, key):
        self.env.geometry.prepare("shadow", shadow.view_proj, key=key)
        self._draw(self.fbo, "shadow", shadow, clear=True)
        return self.map

    def _draw(self, fbo, slot: str, shadow, clear: bool) -> None:
        ctx = self.ctx
        fbo.use()
        if clear:
            fbo.clear(depth=1.0)
        ctx.enable_only(moderngl.DEPTH_TEST)
        ctx.depth_func = "<"
        ctx.polygon_offset = (2.0, 4.0)
        self.env.geometry.draw(self.program_, slot, shadow.orientation)
        ctx.polygon_offset = (0.0, 0.0)

    def release(self):
        super().release()
        self.env.geometry.forget_program(self.program_)
        for obj in (self.fbo, self.map, self.static_fbo, self.static_map):
            obj.release()
