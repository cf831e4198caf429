"""Bloom (Epic): bright pass and 13-tap downsamples from half resolution, tent upsamples added back."""
from __future__ import annotations

import moderngl

from engine.render.passes.base import Pass, draw_fullscreen

BRIGHT_THRESHOLD = 1.0


class BloomPass(Pass):
    name = "bloom"
    reads = ("scene_color",)
    writes = ("bloom_chain",)

    @classmethod
    def enabled(cls, preset, kind):
        return kind == "rgb" and preset.bloom

    def __init__(self, env):
        super().__init__(env)
        self.down = self.program("bloom_down.glsl", samplers=("u_source",))
        self.up = self.program("bloom_up.glsl", samplers=("u_source",))
        self.down_vao = self.fullscreen(self.down)
        self.up_vao = self.fullscreen(self.up)

    def execute(self, frame):
        ctx = self.ctx
        chain = frame.targets.texture("bloom_chain")
        ctx.enable_only(moderngl.NOTHING)
        source = frame.texture("scene_color")
        for level, target in enumerate(chain):
            frame.targets.fbo((f"bloom_chain:{level}",), None).use()
            source.use(0)
            self.down["u_threshold"].value = BRIGHT_THRESHOLD if level == 0 else 0.0
            draw_fullscreen(self.down_vao)
            source = target
        ctx.enable_only(moderngl.BLEND)
        ctx.blend_func = moderngl.ONE, moderngl.ONE
        for level in range(len(chain) - 1, 0, -1):
            frame.targets.fbo((f"bloom_chain:{level - 1}",), None).use()
            chain[level].use(0)
            draw_fullscreen(self.up_vao)
        ctx.enable_only(moderngl.NOTHING)
