"""Pass order, read/write validation, per-camera targets and execution.

PASS_ORDER is the only place that orders passes. Building a pipeline drops the passes the preset
disables, then checks that every read is written by an earlier pass or is an external input.
"""
from __future__ import annotations

import dataclasses

import moderngl

from engine.render.passes import PASS_CLASSES
from engine.render.passes.base import PassEnv, PassFrame

CAMERA_KINDS = ("rgb", "depth", "semantic_segmentation", "instance_segmentation")
PASS_ORDER = {
    "rgb": ("shadow", "prepass", "ssao", "ssao_blur", "lit", "sky", "bloom", "tonemap", "fxaa"),
    "depth": ("depth_encode",),
    "semantic_segmentation": ("labels",),
    "instance_segmentation": ("labels",),
}
EXTERNAL_INPUTS = ("scene",)
OUTPUT_TARGETS = ("final_color", "depth_bgra", "labels_bgra")


class PipelineError(RuntimeError):
    pass


@dataclasses.dataclass(frozen=True)
class TargetSpec:
    components: int = 4
    dtype: str = "f1"
    downscale: int = 1            # 2 = half resolution
    depth: bool = False
    linear: bool = False          # sampled with bilinear filtering
    levels: int = 1               # > 1: a chain of halving textures


def target_specs(preset) -> dict:
    return {
        "depth": TargetSpec(depth=True),
        "normal_vs": TargetSpec(2, "f2"),
        "ao_half": TargetSpec(2, "f2", downscale=2),
        "ao": TargetSpec(1, "f1", downscale=2, linear=True),
        "scene_color": TargetSpec(4, "f2" if preset.hdr_scene_color else "f1", linear=True),
        "bloom_chain": TargetSpec(4, "f2", downscale=2, linear=True, levels=max(preset.bloom_levels, 1)),
        "ldr_color": TargetSpec(4, "f1", linear=True),
        "final_color": TargetSpec(),
        "depth_bgra": TargetSpec(),
        "labels_bgra": TargetSpec(),
    }


class TargetSet:
    """One camera size's textures and framebuffers; owns and releases them."""

    def __init__(self, ctx, specs: dict, names, width: int, height: int):
        self.ctx = ctx
        self.size = (width, height)
        self._textures = {}
        self._fbos = {}
        for name in names:
            spec = specs[name]
            self._textures[name] = self._create(spec, width, height)

    def _create(self, spec: TargetSpec, width: int, height: int):
        w = max(1, width // spec.downscale)
        h = max(1, height // spec.downscale)
        if spec.depth:
            texture = self.ctx.depth_texture((w, h))
            texture.compare_func = ""      # sampled as depth values (moderngl turns comparison on)
            texture.filter = (moderngl.NEAREST, moderngl.NEAREST)
            texture.repeat_x = texture.repeat_y = False
            return texture
        chain = []
        for _ in range(spec.levels):
            texture = self.ctx.texture((w, h), spec.components, dtype=spec.dtype)
            mode = moderngl.LINEAR if spec.linear else moderngl.NEAREST
            texture.filter = (mode, mode)
            texture.repeat_x = texture.repeat_y = False
            chain.append(texture)
            w, h = max(1, w // 2), max(1, h // 2)
        return chain if spec.levels > 1 else chain[0]

    def texture(self, name: str):
        try:
            return self._textures[name]
        except KeyError:
            raise PipelineError(f"target {name!r} is not allocated for this pipeline") from None

    def lookup(self, name: str):
        """A target texture by name; "bloom_chain:2" is level 2 of a chain."""
        base, _, level = name.partition(":")
        texture = self.texture(base)
        return texture[int(level)] if level else texture

    def fbo(self, colors: tuple, depth: str | None, depth_mask: bool = True):
        key = (colors, depth, depth_mask)
        fbo = self._fbos.get(key)
        if fbo is None:
            fbo = self.ctx.framebuffer(color_attachments=[self.lookup(c) for c in colors],
                                       depth_attachment=self.lookup(depth) if depth else None)
            fbo.depth_mask = depth_mask
            self._fbos[key] = fbo
        return fbo

    @property
    def names(self):
        return tuple(self._textures)

    def release(self) -> None:
        for fbo in self._fbos.values():
            fbo.release()
        self._fbos.clear()
        for texture in self._textures.values():
            for t in texture if isinstance(texture, list) else (texture,):
                t.release()
        self._textures.clear()


class Pipeline:
    """The enabled passes of one camera kind under one preset, validated, plus their target sizes."""

    def __init__(self, ctx, kind: str, preset, programs, geometry, compute: bool = False):
        if kind not in PASS_ORDER:
            raise PipelineError(f"unknown camera kind {kind!r}; expected one of {', '.join(CAMERA_KINDS)}")
        self.ctx = ctx
        self.kind = kind
        self.preset = preset
        env = PassEnv(ctx, programs, geometry, preset, kind, compute)
        self.passes = []
        try:
            for name in PASS_ORDER[kind]:
                cls = PASS_CLASSES[name]
                if cls.enabled(preset, kind):
                    self.passes.append(cls(env))
            self.output = validate(self.passes)
        except Exception:
            self.release()
            raise
        specs = target_specs(preset)
        written = []
        for render_pass in self.passes:
            for name in render_pass.writes:
                if name in specs and name not in written:
                    written.append(name)
        self._specs = specs
        self._target_names = tuple(written)

    @property
    def pass_names(self) -> tuple:
        return tuple(p.name for p in self.passes)

    @property
    def target_names(self) -> tuple:
        return self._target_names

    def create_targets(self, width: int, height: int) -> TargetSet:
        return TargetSet(self.ctx, self._specs, self._target_names, width, height)

    def execute(self, frame: PassFrame, after_pass=None):
        """Run the passes; `after_pass()` (a flush) lets a GPU start each pass while later ones are
        still being issued."""
        for render_pass in self.passes:
            render_pass.execute(frame)
            if after_pass is not None:
                after_pass()
        return frame.targets.fbo((self.output,), None)

    def release(self) -> None:
        for render_pass in self.passes:
            render_pass.release()
        self.passes = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


def validate(passes) -> str:
    """Check reads against earlier writes; return the output target of the last pass."""
    if not passes:
        raise PipelineError("pipeline has no enabled passes")
    written = set(EXTERNAL_INPUTS)
    for render_pass in passes:
        for name in render_pass.reads:
            if name not in written:
                raise PipelineError(f"pass {render_pass.name!r} reads {name!r}, which no earlier pass writes")
        written.update(render_pass.writes)
    output = passes[-1].writes[0]
    if output not in OUTPUT_TARGETS:
        raise PipelineError(f"last pass {passes[-1].name!r} writes {output!r}, not an 8-bit output target")
    return output
