"""Scene colour -> 8-bit colour (presets with post-processing); writes the sensor's BGRA bytes when it is last."""
from __future__ import annotations

from engine.render.passes.base import Pass, pick


class TonemapPass(Pass):
    name = "tonemap"

    @classmethod
    def enabled(cls, preset, kind):
        return kind == "rgb" and preset.post_processing

    def __init__(self, env):
        super().__init__(env)
        preset = env.preset
        self.reads = ("scene_color", "bloom_chain") if preset.bloom else ("scene_color",)
        self.writes = ("ldr_color",) if preset.fxaa else ("final_color",)
        defines = pick(preset.defines(), "TONEMAP", "BLOOM")
        defines["OUTPUT_BGRA"] = int(not preset.fxaa)
        self.program_ = self.post("tonemap.glsl", defines, samplers=("u_scene", "u_bloom"))
        if preset.bloom:
            self.program_["u_bloom_intensity"].value = preset.bloom_intensity

    def execute(self, frame):
        frame.texture("scene_color").use(0)
        if "bloom_chain" in self.reads:
            frame.texture("bloom_chain")[0].use(1)
        self.program_.run(frame, self.writes[0])
