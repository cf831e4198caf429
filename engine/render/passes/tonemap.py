"""Scene colour -> 8-bit colour (both presets); writes the sensor's BGRA bytes when it is last."""
from __future__ import annotations

import moderngl

from engine.render.passes.base import Pass, draw_fullscreen, pick


class TonemapPass(Pass):
    name = "tonemap"

    @classmethod
    def enabled(cls, preset, kind):
        return kind == "rgb"

    def __init__(self, env):
        super().__init__(env)
        preset = env.preset
        self.reads = ("scene_color", "bloom_chain") if preset.bloom else ("scene_color",)
        self.writes = ("ldr_color",) if preset.fxaa else ("final_color",)
        defines = pick(preset.defines(), "TONEMAP", "BLOOM")
        defines["OUTPUT_BGRA"] = int(not preset.fxaa)
        self.program_ = self.program("tonemap.glsl", defines, samplers=("u_scene", "u_bloom"))
        if preset.bloom:
            self.program_["u_bloom_intensity"].value = preset.bloom_intensity
        self.vao = self.fullscreen(self.program_)

    def execute(self, frame):
        frame.targets.fbo(self.writes, None).use()
        self.ctx.enable_only(moderngl.NOTHING)
        frame.texture("scene_color").use(0)
        if "bloom_chain" in self.reads:
            frame.texture("bloom_chain")[0].use(1)
        draw_fullscreen(self.vao)
