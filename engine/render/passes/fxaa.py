"""FXAA (Epic) on the tone-mapped colour; writes the sensor's BGRA bytes."""
from __future__ import annotations

from engine.render.passes.base import Pass


class FxaaPass(Pass):
    name = "fxaa"
    reads = ("ldr_color",)
    writes = ("final_color",)

    @classmethod
    def enabled(cls, preset, kind):
        return kind == "rgb" and preset.fxaa

    def __init__(self, env):
        super().__init__(env)
        self.program_ = self.post("fxaa.glsl", samplers=("u_ldr",))

    def execute(self, frame):
        frame.texture("ldr_color").use(0)
        self.program_.run(frame, "final_color")
