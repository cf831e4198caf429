"""Single-file GLSL programs: stage sections, declared defines, includes with `#line`, and a cache.

A program file starts with `#version`, keeps each stage inside `#if defined VERTEX_SHADER` /
`#elif defined GEOMETRY_SHADER` / `#elif defined FRAGMENT_SHADER` sections (a full-screen pass may
also have a `COMPUTE_SHADER` section and be built as a compute program), declares every tunable
as `#define NAME default`, and pulls shared code with `#include "include/x.glsl"` (resolved
relative to shaders/, each file at most once per program). Compile errors are reported as
`file:line`.
"""
from __future__ import annotations

import re
from pathlib import Path

SHADER_DIR = Path(__file__).resolve().parents[2] / "shaders"
MAX_INCLUDE_DEPTH = 100
STAGES = ("VERTEX_SHADER", "GEOMETRY_SHADER", "FRAGMENT_SHADER", "COMPUTE_SHADER")

_INCLUDE = re.compile(r'^\s*#include\s+"([^"]+)"\s*$')
_DEFINE = re.compile(r"^\s*#define\s+([A-Za-z_][A-Za-z0-9_]*)\s+(\S.*?)\s*$")
# Driver log locations: Mesa writes "source:line(column)", NVIDIA "source(line)".
_DRIVER_LOCATIONS = (re.compile(r"\b(\d+):(\d+)\(\d+\)"), re.compile(r"(?m)^(\d+)\((\d+)\)"))


class ShaderError(RuntimeError):
    """A shader file that cannot be loaded or compiled; the message names file:line."""


class ShaderSource:
    """The expanded text of one program file, ready for per-stage compilation."""

    def __init__(self, name: str, defines: dict | None = None, root: Path = SHADER_DIR):
        self.name = name
        self.root = root
        self.files = []                 # source id -> path relative to root
        self._seen = set()
        path = root / name
        text = _read(path)
        lines = text.splitlines()
        if not lines or not lines[0].startswith("#version"):
            raise ShaderError(f"{name}:1: the first line must be #version")
        self.version = lines[0]
        self._seen.add(path.resolve())
        body = self._expand(path, lines[1:], first_line=2, depth=0, stack=(path.resolve(),))
        self.body = self._apply_defines(body, dict(defines or {}))
        self.stages = tuple(s for s in STAGES if re.search(rf"defined\s*\(?\s*{s}\b", self.body))
        if ("VERTEX_SHADER" not in self.stages or "FRAGMENT_SHADER" not in self.stages) and \
                "COMPUTE_SHADER" not in self.stages:
            raise ShaderError(f"{name}: needs VERTEX_SHADER and FRAGMENT_SHADER sections, or COMPUTE_SHADER")

    def stage_text(self, stage: str) -> str:
        return f"{self.version}\n#define {stage} 1\n{self.body}"

    def _source_id(self, path: Path) -> int:
        self.files.append(str(path.relative_to(self.root)) if path.is_relative_to(self.root) else str(path))
        return len(self.files) - 1

    def _expand(self, path: Path, lines, first_line: int, depth: int, stack: tuple) -> str:
        if depth > MAX_INCLUDE_DEPTH:
            raise ShaderError(f"{path.name}: includes nested deeper than {MAX_INCLUDE_DEPTH}")
        source_id = self._source_id(path)
        out = [f"#line {first_line} {source_id}"]
        for number, line in enumerate(lines, start=first_line):
            match = _INCLUDE.match(line)
            if not match:
                out.append(line)
                continue
            target = (self.root / match.group(1)).resolve()
            if target in stack:
                chain = " -> ".join(p.name for p in stack + (target,))
                raise ShaderError(f"{self.files[source_id]}:{number}: include cycle {chain}")
            if target in self._seen:
                out.append("")
                continue
            self._seen.add(target)
            included = _read(target, f"{self.files[source_id]}:{number}").splitlines()
            out.append(self._expand(target, included, 1, depth + 1, stack + (target,)))
            out.append(f"#line {number + 1} {source_id}")
        return "\n".join(out)

    def _apply_defines(self, body: str, defines: dict) -> str:
        lines = body.split("\n")
        declared = set()
        for i, line in enumerate(lines):
            match = _DEFINE.match(line)
            if match and match.group(1) in defines:
                name = match.group(1)
                lines[i] = f"#define {name} {_glsl_value(defines[name])}"
                declared.add(name)
        missing = sorted(set(defines) - declared)
        if missing:
            raise ShaderError(f"{self.name}: sets undeclared defines {', '.join(missing)}")
        return "\n".join(lines)

    def explain(self, log: str) -> str:
        """Rewrite driver locations ('id:line(col)', 'id(line)') into 'file:line'."""
        def name(match):
            sid = int(match.group(1))
            if sid < len(self.files):
                return f"{self.files[sid]}:{match.group(2)}"
            return match.group(0)
        for pattern in _DRIVER_LOCATIONS:
            log = pattern.sub(name, log)
        return log


def _read(path: Path, where: str = "") -> str:
    try:
        return path.read_text()
    except OSError as exc:
        raise ShaderError(f"{where + ': ' if where else ''}cannot read shader {path}: {exc}") from None


def _glsl_value(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value) if "." in repr(value) or "e" in repr(value) else f"{value}.0"
    return str(value)


def build_program(ctx, name: str, defines: dict | None = None, root: Path = SHADER_DIR, compute: bool = False):
    """A moderngl Program from the file's vertex/fragment (and geometry) sections, or with `compute`
    a ComputeShader from its COMPUTE_SHADER section."""
    source = ShaderSource(name, defines, root)
    if compute:
        if "COMPUTE_SHADER" not in source.stages:
            raise ShaderError(f"{name}: has no COMPUTE_SHADER section")
        try:
            return ctx.compute_shader(source.stage_text("COMPUTE_SHADER"))
        except Exception as exc:   # moderngl.Error carries the driver log
            raise ShaderError(f"{name}: {source.explain(str(exc))}") from None
    if "VERTEX_SHADER" not in source.stages or "FRAGMENT_SHADER" not in source.stages:
        raise ShaderError(f"{name}: needs VERTEX_SHADER and FRAGMENT_SHADER sections")
    kwargs = {
        "vertex_shader": source.stage_text("VERTEX_SHADER"),
        "fragment_shader": source.stage_text("FRAGMENT_SHADER"),
    }
    if "GEOMETRY_SHADER" in source.stages:
        kwargs["geometry_shader"] = source.stage_text("GEOMETRY_SHADER")
    try:
        return ctx.program(**kwargs)
    except Exception as exc:   # moderngl.Error carries the driver log
        raise ShaderError(f"{name}: {source.explain(str(exc))}") from None


class ProgramCache:
    """Programs keyed by (file, sorted defines, compute); owns them and releases them together."""

    def __init__(self, ctx, root: Path = SHADER_DIR):
        self.ctx = ctx
        self.root = root
        self._programs = {}

    def get(self, name: str, defines: dict | None = None, compute: bool = False):
        key = (name, tuple(sorted((defines or {}).items())), compute)
        program = self._programs.get(key)
        if program is None:
            program = build_program(self.ctx, name, defines, self.root, compute)
            self._programs[key] = program
        return program

    def __len__(self):
        return len(self._programs)

    def release(self):
        for program in self._programs.values():
            program.release()
        self._programs.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()
