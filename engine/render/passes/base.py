"""What every pass shares: the build environment, the per-camera frame, and helpers."""
from __future__ import annotations

import dataclasses

VIEW_BLOCK_BINDING = 0
ATMOSPHERE_BLOCK_BINDING = 1


@dataclasses.dataclass
class PassEnv:
    """Fixed for the life of a pipeline."""
    ctx: object
    programs: object          # shaders.ProgramCache (owns the programs)
    geometry: object          # geometry.SceneGeometry (owns the vertex arrays)
    preset: object            # quality.QualityPreset
    kind: str                 # camera kind


@dataclasses.dataclass
class PassFrame:
    """One camera's execution of the pipeline."""
    targets: object           # pipeline.TargetSet of this camera size
    cam: object               # views.CameraView
    shadow: object            # views.ShadowView or None
    generation: int           # render call number
    shared: dict              # outputs that passes own (shadow_map)

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

    def program(self, file: str, defines: dict | None = None, samplers: tuple = ()):
        """A cached program with its uniform blocks and samplers bound to fixed units."""
        program = self.env.programs.get(file, defines)
        for block, binding in (("ViewBlock", VIEW_BLOCK_BINDING), ("AtmosphereBlock", ATMOSPHERE_BLOCK_BINDING)):
            if block in program:
                program[block].binding = binding
        for unit, sampler in enumerate(samplers):
            if sampler in program:
                program[sampler].value = unit
        return program

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


def draw_fullscreen(vao) -> None:
    vao.render(vertices=3)


def pick(defines: dict, *names) -> dict:
    return {name: defines[name] for name in names}
