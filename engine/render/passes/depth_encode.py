"""Depth camera: planar depth in CARLA's 24-bit B, G, R encoding; sky reads 1000 m."""
from __future__ import annotations

import moderngl

from engine.render.passes.base import Pass


class DepthEncodePass(Pass):
    name = "depth_encode"
    reads = ("scene",)
    writes = ("depth_bgra", "depth")

    @classmethod
    def enabled(cls, preset, kind):
        return kind == "depth"

    def __init__(self, env):
        super().__init__(env)
        self.program_ = self.program("depth_encode.glsl")

    def execute(self, frame):
        fbo = frame.targets.fbo(("depth_bgra",), "depth")
        fbo.use()
        fbo.clear(1.0, 1.0, 1.0, 1.0, depth=1.0)     # bytes 255, 255, 255 = 1000 m
        self.ctx.enable_only(moderngl.DEPTH_TEST)
        self.ctx.depth_func = "<"
        self.env.geometry.draw(self.program_, "camera", frame.cam.orientation)

    def release(self):
        super().release()
        self.env.geometry.forget_program(self.program_)
