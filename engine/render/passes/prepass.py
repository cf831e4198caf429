"""Depth and view-space normal prepass (Epic): feeds SSAO and the EQUAL-tested lit pass."""
from __future__ import annotations

import moderngl

from engine.render.passes.base import Pass


class PrePass(Pass):
    name = "prepass"
    reads = ("scene",)
    writes = ("depth", "normal_vs")

    @classmethod
    def enabled(cls, preset, kind):
        return kind == "rgb" and preset.ssao

    def __init__(self, env):
        super().__init__(env)
        self.program_ = self.program("prepass.glsl")

    def execute(self, frame):
        self.clear_color(frame, "normal_vs", (0.0, 0.0, 0.0, 0.0))
        frame.targets.fbo((), "depth").clear(depth=1.0)
        fbo = frame.targets.fbo(("normal_vs",), "depth")
        fbo.use()
        self.ctx.enable_only(moderngl.DEPTH_TEST)
        self.ctx.depth_func = "<"
        self.env.geometry.draw(self.program_, "camera", frame.cam.orientation)

    def release(self):
        super().release()
        self.env.geometry.forget_program(self.program_)
