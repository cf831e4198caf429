"""What every pass shares: the build environment, the per-camera frame, and helpers."""
from __future__ import annotations

import dataclasses

import moderngl

VIEW_BLOCK_BINDING = 0
ATMOSPHERE_BLOCK_BINDING = 1
POST_GROUP_SIZE = (32, 8)         # local size of the compute programs (include/post_main.glsl, fill.glsl)
# (components, dtype) of a target -> GLSL image format
IMAGE_FORMATS = {(1, "f1"): "r8", (2, "f1"): "rg8", (4, "f1"): "rgba8", (1, "f2"): "r16f", (2, "f2"): "rg16f",
                 (4, "f2"): "rgba16f", (1, "f4"): "r32f", (2, "f4"): "rg32f", (4, "f4"): "rgba32f"}


@dataclasses.dataclass
class PassEnv:
    """Fixed for the life of a pipeline."""
    ctx: object
    programs: object          # shaders.ProgramCache (owns the programs)
    geometry: object          # geometry.SceneGeometry (owns the vertex arrays)
    preset: object            # quality.QualityPreset
    kind: str                 # camera kind
    compute: bool = False     # full-screen passes and fills as compute shaders (see PostProgram)


@dataclasses.dataclass
class PassFrame:
    """One camera's execution of the pipeline."""
    targets: object           # pipeline.TargetSet of this camera size
    cam: object               # views.CameraView
    shadow: object            # views.ShadowView or None
    generation: int           # render call number
    shared: dict              # outputs that passes own (shadow_map)
    atmosphere: object = None # atmosphere.Atmosphere of the frame's weather

    def texture(self, name):
        found = self.shared.get(name)
        return found if found is not None else self.targets.texture(name)


class Pass:
    name = ""
    reads: tuple = ()
    writes: tuple = ()

    @classmethod
    def enabled(cls, preset, kind: str) -> bool:
        return kind == "rgb"

    def __init__(self, env: PassEnv):
        self.env = env
        self.ctx = env.ctx
        self._vaos = []
        self._fills = {}              # image format -> fill program (owned by the program cache)

    def program(self, file: str, defines: dict | None = None, samplers: tuple = (), compute: bool = False):
        """A cached program with its uniform blocks and samplers bound to fixed units."""
        program = self.env.programs.get(file, defines, compute)
        members = set(program)
        for block, binding in (("ViewBlock", VIEW_BLOCK_BINDING), ("AtmosphereBlock", ATMOSPHERE_BLOCK_BINDING)):
            if block in members:
                program[block].binding = binding
        for unit, sampler in enumerate(samplers):
            if sampler in members:
                program[sampler].value = unit
        return program

    def post(self, file: str, defines: dict | None = None, samplers: tuple = ()) -> "PostProgram":
        return PostProgram(self, file, defines, samplers)

    def clear_color(self, frame: PassFrame, target: str, value: tuple) -> None:
        """Set every texel of a colour target. With `PassEnv.compute` a compute fill: a glClear goes
        through the raster back end, which data centre GPUs have little of."""
        if not self.env.compute:
            frame.targets.fbo((target,), None).clear(*value)
            return
        texture = frame.targets.lookup(target)
        image_format = IMAGE_FORMATS[(texture.components, texture.dtype)]
        program = self._fills.get(image_format)
        if program is None:
            program = self._fills[image_format] = self.program("fill.glsl", {"FILL_FORMAT": image_format},
                                                               compute=True)
        program["u_value"].value = tuple(value)
        texture.bind_to_image(0, read=False, write=True)
        dispatch(program, texture.size)
        self.ctx.memory_barrier()

    def fullscreen(self, program):
        vao = self.ctx.vertex_array(program, [])
        self._vaos.append(vao)
        return vao

    def execute(self, frame: PassFrame) -> None:
        raise NotImplementedError(f"pass {self.name} has no execute")

    def release(self) -> None:
        for vao in self._vaos:
            vao.release()
        self._vaos.clear()


class PostProgram:
    """A full-screen program that computes each pixel of one target from textures.

    It runs as a fragment shader over a triangle, or with `PassEnv.compute` as a compute shader
    writing the target as an image: GPUs whose fragment work runs on only a few of their cores (data
    centre parts) run compute on all of them, while CPU rasterisers are faster with fragments.
    The same file serves both (include/post_main.glsl); `accumulate` adds onto the target instead of
    replacing it."""

    def __init__(self, owner: Pass, file: str, defines: dict | None, samplers: tuple):
        self.ctx = owner.ctx
        self.compute = owner.env.compute
        self.program = owner.program(file, defines, samplers, compute=self.compute)
        self.vao = None if self.compute else owner.fullscreen(self.program)

    def __getitem__(self, name):
        return self.program[name]

    def run(self, frame: PassFrame, target: str, accumulate: bool = False) -> None:
        ctx = self.ctx
        if self.compute:
            texture = frame.targets.lookup(target)
            texture.bind_to_image(0, read=accumulate, write=True)
            dispatch(self.program, texture.size)
            ctx.memory_barrier()       # later passes and the readback see the image writes
            return
        frame.targets.fbo((target,), None).use()
        if accumulate:
            ctx.enable_only(moderngl.BLEND)
            ctx.blend_func = moderngl.ONE, moderngl.ONE
        else:
            ctx.enable_only(moderngl.NOTHING)
        self.vao.render(vertices=3)
        if accumulate:
            ctx.enable_only(moderngl.NOTHING)


def dispatch(program, size: tuple) -> None:
    """Run a compute program with one invocation per texel of a size (POST_GROUP_SIZE groups)."""
    gx, gy = POST_GROUP_SIZE
    program.run((size[0] + gx - 1) // gx, (size[1] + gy - 1) // gy)


def draw_fullscreen(vao) -> None:
    vao.render(vertices=3)


def pick(defines: dict, *names) -> dict:
    return {name: defines[name] for name in names}
