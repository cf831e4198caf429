"""Semantic and instance segmentation: exact tags (and actor ids), no lighting or post."""
from __future__ import annotations

import moderngl

from engine.render.passes.base import Pass

SKY_TAG = 11


class LabelsPass(Pass):
    name = "labels"
    reads = ("scene",)
    writes = ("labels_bgra", "depth")

    @classmethod
    def enabled(cls, preset, kind):
        return kind in ("semantic_segmentation", "instance_segmentation")

    def __init__(self, env):
        super().__init__(env)
        defines = {"INSTANCE_IDS": int(env.kind == "instance_segmentation")}
        self.program_ = self.program("labels.glsl", defines)

    def execute(self, frame):
        fbo = frame.targets.fbo(("labels_bgra",), "depth")
        fbo.use()
        # Sky: tag 11 in R, which is the third byte of B, G, R, A.
        fbo.clear(0.0, 0.0, SKY_TAG / 255.0, 1.0, depth=1.0)
        self.ctx.enable_only(moderngl.DEPTH_TEST)
        self.ctx.depth_func = "<"
        self.env.geometry.draw(self.program_, "camera", frame.cam.orientation)

    def release(self):
        super().release()
        self.env.geometry.forget_program(self.program_)
