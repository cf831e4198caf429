"""Bloom (Epic): a bright pass with a 4-tap box down to half resolution, 13-tap downsamples below that,
tent upsamples added back."""
from __future__ import annotations

from engine.render.passes.base import Pass

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
        self.first_down = self.post("bloom_down.glsl", {"DOWN_TAPS": 4}, samplers=("u_source",))
        self.down = self.post("bloom_down.glsl", samplers=("u_source",))
        self.first_down["u_threshold"].value = BRIGHT_THRESHOLD      # the bright pass, on the first level only
        self.down["u_threshold"].value = 0.0
        self.up = self.post("bloom_up.glsl", samplers=("u_source",))

    def execute(self, frame):
        chain = frame.targets.texture("bloom_chain")
        source = frame.texture("scene_color")
        for level, target in enumerate(chain):
            source.use(0)
            (self.first_down if level == 0 else self.down).run(frame, f"bloom_chain:{level}")
            source = target
        for level in range(len(chain) - 1, 0, -1):
            chain[level].use(0)
            self.up.run(frame, f"bloom_chain:{level - 1}", accumulate=True)
