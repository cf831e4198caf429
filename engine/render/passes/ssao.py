"""Screen-space ambient occlusion at half resolution and its depth-aware 4x4 blur (Epic)."""
from __future__ import annotations

import moderngl
import numpy as np

from engine.render.passes.base import Pass, pick

_SEED = 1999


def ssao_kernel(samples: int, seed: int = _SEED) -> np.ndarray:
    """Hemisphere (z up) sample offsets, denser near the centre; fixed seed for repeatable images."""
    rng = np.random.default_rng(seed)
    out = np.empty((samples, 3), np.float32)
    for i in range(samples):
        v = rng.uniform((-1.0, -1.0, 0.05), (1.0, 1.0, 1.0))
        v /= np.linalg.norm(v)
        scale = (i + 1) / samples
        out[i] = v * rng.uniform(0.2, 1.0) * (0.1 + 0.9 * scale * scale)
    return out


class SsaoPass(Pass):
    name = "ssao"
    reads = ("depth", "normal_vs")
    writes = ("ao_half",)

    @classmethod
    def enabled(cls, preset, kind):
        return kind == "rgb" and preset.ssao

    def __init__(self, env):
        super().__init__(env)
        samples = env.preset.ssao_samples
        self.program_ = self.post("ssao.glsl", pick(env.preset.defines(), "SSAO_SAMPLES"),
                                  samplers=("u_depth", "u_normal", "u_noise"))
        self.program_["u_kernel"].write(ssao_kernel(samples).tobytes())
        rng = np.random.default_rng(_SEED + 1)
        angles = rng.uniform(0.0, 2.0 * np.pi, 16)
        noise = np.stack([np.cos(angles), np.sin(angles)], axis=1).astype(np.float32)
        self.noise = self.ctx.texture((4, 4), 2, noise.tobytes(), dtype="f4")
        self.noise.filter = (moderngl.NEAREST, moderngl.NEAREST)

    def execute(self, frame):
        frame.texture("depth").use(0)
        frame.texture("normal_vs").use(1)
        self.noise.use(2)
        self.program_.run(frame, "ao_half")

    def release(self):
        super().release()
        self.noise.release()


class SsaoBlurPass(Pass):
    name = "ssao_blur"
    reads = ("ao_half",)
    writes = ("ao",)

    @classmethod
    def enabled(cls, preset, kind):
        return kind == "rgb" and preset.ssao

    def __init__(self, env):
        super().__init__(env)
        self.program_ = self.post("ssao_blur.glsl", samplers=("u_ao_half",))

    def execute(self, frame):
        frame.texture("ao_half").use(0)
        self.program_.run(frame, "ao")
