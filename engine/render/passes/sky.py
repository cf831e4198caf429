"""Analytic (Preetham) sky at the far plane (Epic). Without it the lit pass clears to the flat sky colour."""
from __future__ import annotations

import moderngl

from engine.render.passes.base import Pass, draw_fullscreen, pick


class SkyPass(Pass):
    name = "sky"

    @classmethod
    def enabled(cls, preset, kind):
        return kind == "rgb" and preset.analytic_sky

    def __init__(self, env):
        super().__init__(env)
        preset = env.preset
        self.target = "scene_color" if preset.post_processing else "final_color"
        self.reads = ("depth", self.target)
        self.writes = (self.target,)
        defines = pick(preset.defines(), "ANALYTIC_SKY")
        defines["OUTPUT_BGRA"] = int(not preset.post_processing)
        self.program_ = self.program("sky.glsl", defines)
        self.vao = self.fullscreen(self.program_)

    def execute(self, frame):
        fbo = frame.targets.fbo((self.target,), "depth", depth_mask=False)
        fbo.use()
        self.ctx.enable_only(moderngl.DEPTH_TEST)
        self.ctx.depth_func = "<="
        draw_fullscreen(self.vao)
