"""Sun shadow map (Epic): depth of the scene seen from the sun, shared by the cameras of a frame
that fit the same texel-snapped light box."""
from __future__ import annotations

import moderngl

from engine.render.passes.base import Pass


class ShadowPass(Pass):
    name = "shadow"
    reads = ("scene",)
    writes = ("shadow_map",)

    @classmethod
    def enabled(cls, preset, kind):
        return kind == "rgb" and preset.shadows

    def __init__(self, env):
        super().__init__(env)
        size = env.preset.shadow_map_size
        self.program_ = self.program("shadow.glsl")
        self.map = self.ctx.depth_texture((size, size))
        self.map.compare_func = "<="
        self.map.filter = (moderngl.LINEAR, moderngl.LINEAR)
        self.map.repeat_x = self.map.repeat_y = False
        self.fbo = self.ctx.framebuffer(depth_attachment=self.map)
        self._rendered = None

    def execute(self, frame):
        shadow = frame.shadow
        frame.shared["shadow_map"] = self.map
        key = (frame.generation, shadow.key)
        if key == self._rendered:
            return
        self._rendered = key
        geometry = self.env.geometry
        geometry.prepare("shadow", shadow.view_proj, key=key)
        ctx = self.ctx
        self.fbo.use()
        self.fbo.clear(depth=1.0)
        ctx.enable_only(moderngl.DEPTH_TEST)
        ctx.depth_func = "<"
        ctx.polygon_offset = (2.0, 4.0)
        geometry.draw(self.program_, "shadow", shadow.orientation)
        ctx.polygon_offset = (0.0, 0.0)

    def release(self):
        super().release()
        self.env.geometry.forget_program(self.program_)
        self.fbo.release()
        self.map.release()
