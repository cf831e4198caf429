"""Sky at the far plane (both presets): Preetham on Epic, a flat colour on Low."""
from __future__ import annotations

import moderngl

from engine.render.passes.base import Pass, draw_fullscreen, pick


class SkyPass(Pass):
    name = "sky"
    reads = ("depth", "scene_color")
    writes = ("scene_color",)

    @classmethod
    def enabled(cls, preset, kind):
        return kind == "rgb"

    def __init__(self, env):
        super().__init__(env)
        self.program_ = self.program("sky.glsl", pick(env.preset.defines(), "ANALYTIC_SKY"))
        self.vao = self.fullscreen(self.program_)

    def execute(self, frame):
        fbo = frame.targets.fbo(("scene_color",), "depth", depth_mask=False)
        fbo.use()
        self.ctx.enable_only(moderngl.DEPTH_TEST)
        self.ctx.depth_func = "<="
        draw_fullscreen(self.vao)
