"""FXAA (Epic) on the tone-mapped colour; writes the sensor's BGRA bytes."""
from __future__ import annotations

import moderngl

from engine.render.passes.base import Pass, draw_fullscreen


class FxaaPass(Pass):
    name = "fxaa"
    reads = ("ldr_color",)
    writes = ("final_color",)

    @classmethod
    def enabled(cls, preset, kind):
        return kind == "rgb" and preset.fxaa

    def __init__(self, env):
        super().__init__(env)
        self.program_ = self.program("fxaa.glsl", samplers=("u_ldr",))
        self.vao = self.fullscreen(self.program_)

    def execute(self, frame):
        frame.targets.fbo(("final_color",), None).use()
        self.ctx.enable_only(moderngl.NOTHING)
        frame.texture("ldr_color").use(0)
        draw_fullscreen(self.vao)
