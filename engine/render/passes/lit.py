"""Forward lighting of the scene geometry into the scene colour target (both presets)."""
from __future__ import annotations

import moderngl

from engine.render.passes.base import Pass, pick


class LitPass(Pass):
    name = "lit"

    @classmethod
    def enabled(cls, preset, kind):
        return kind == "rgb"

    def __init__(self, env):
        super().__init__(env)
        preset = env.preset
        self.equal_depth = preset.ssao          # the prepass laid down depth already
        reads = ["scene"]
        if self.equal_depth:
            reads.append("depth")
        if preset.shadows:
            reads.append("shadow_map")
        if preset.ssao:
            reads.append("ao")
        self.reads = tuple(reads)
        self.writes = ("scene_color",) if self.equal_depth else ("scene_color", "depth")
        defines = pick(preset.defines(), "SHADOWS", "SHADOW_PCF_TAPS", "SSAO", "SPECULAR", "ANALYTIC_SKY",
                       "DRAW_DISTANCE_CUT", "HEIGHT_FOG")
        self.program_ = self.program("lit.glsl", defines, samplers=("u_shadow_map", "u_ao"))

    def execute(self, frame):
        ctx = self.ctx
        if self.equal_depth:
            fbo = frame.targets.fbo(("scene_color",), "depth", depth_mask=False)
            fbo.use()
            ctx.enable_only(moderngl.DEPTH_TEST)
            ctx.depth_func = "=="
            if "shadow_map" in self.reads:
                frame.texture("shadow_map").use(0)
            frame.texture("ao").use(1)
        else:
            fbo = frame.targets.fbo(("scene_color",), "depth")
            fbo.use()
            fbo.clear(0.0, 0.0, 0.0, 1.0, depth=1.0)
            ctx.enable_only(moderngl.DEPTH_TEST)
            ctx.depth_func = "<"
            if "shadow_map" in self.reads:
                frame.texture("shadow_map").use(0)
        self.env.geometry.draw(self.program_, "camera", frame.cam.orientation)

    def release(self):
        super().release()
        self.env.geometry.forget_program(self.program_)
