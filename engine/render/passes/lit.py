"""Forward lighting of the scene geometry into the scene colour target (both presets).

Without post-processing (Low) the pass writes the sensor's gamma-encoded BGRA bytes straight into
the output target. Without the analytic sky it also lays down the flat sky by clearing to it.
"""
from __future__ import annotations

import moderngl

from engine.render.passes.base import Pass, pick


def encoded_clear_color(linear_rgb, gamma: float, encode: bool) -> tuple:
    """The clear colour of a target: linear RGB, or the sensor's gamma-encoded B, G, R."""
    r, g, b = (min(max(float(c), 0.0), 1.0) for c in linear_rgb)
    if not encode:
        return (r, g, b, 1.0)
    r, g, b = (c ** (1.0 / gamma) for c in (r, g, b))
    return (b, g, r, 1.0)


class LitPass(Pass):
    name = "lit"

    @classmethod
    def enabled(cls, preset, kind):
        return kind == "rgb"

    def __init__(self, env):
        super().__init__(env)
        preset = env.preset
        self.equal_depth = preset.ssao          # the prepass laid down depth already
        self.encode = not preset.post_processing
        self.clears_sky = not preset.analytic_sky
        self.target = "scene_color" if preset.post_processing else "final_color"
        reads = ["scene"]
        if self.equal_depth:
            reads.append("depth")
        if preset.shadows:
            reads.append("shadow_map")
        if preset.ssao:
            reads.append("ao")
        self.reads = tuple(reads)
        self.writes = (self.target,) if self.equal_depth else (self.target, "depth")
        defines = pick(preset.defines(), "SHADOWS", "SHADOW_PCF_TAPS", "SSAO", "SPECULAR", "ANALYTIC_SKY",
                       "DRAW_DISTANCE_CUT", "HEIGHT_FOG")
        defines["OUTPUT_BGRA"] = int(self.encode)
        self.program_ = self.program("lit.glsl", defines, samplers=("u_shadow_map", "u_ao"))

    def execute(self, frame):
        ctx = self.ctx
        targets = frame.targets
        sky = (0.0, 0.0, 0.0, 1.0)
        if self.clears_sky:
            sky = encoded_clear_color(frame.atmosphere.flat_sky, frame.cam.gamma, self.encode)
        if self.equal_depth:
            if self.clears_sky:
                self.clear_color(frame, self.target, sky)
            fbo = targets.fbo((self.target,), "depth", depth_mask=False)
            fbo.use()
            ctx.enable_only(moderngl.DEPTH_TEST)
            ctx.depth_func = "=="
            if "shadow_map" in self.reads:
                frame.texture("shadow_map").use(0)
            frame.texture("ao").use(1)
        else:
            self.clear_color(frame, self.target, sky)
            targets.fbo((), "depth").clear(depth=1.0)
            fbo = targets.fbo((self.target,), "depth")
            fbo.use()
            ctx.enable_only(moderngl.DEPTH_TEST)
            ctx.depth_func = "<"
            if "shadow_map" in self.reads:
                frame.texture("shadow_map").use(0)
        self.env.geometry.draw(self.program_, "camera", frame.cam.orientation)

    def release(self):
        super().release()
        self.env.geometry.forget_program(self.program_)
