"""The renderer facade: scene uploads, camera images as tickets, readback polling.

    renderer = Renderer(create_context("offscreen"), EPIC)
    renderer.set_static_scene(town_mesh)
    renderer.set_models([car_mesh, walker_mesh])
    tickets = renderer.render([CameraRequest("rgb", 800, 600, 90.0, loc, rot)], instances, weather, frame)
    for ticket, bgra in renderer.poll(wait=True): ...

Images are BGRA8, row 0 at the top, in CARLA's byte encodings. Tickets come back from poll() in the
order they were issued. With a pixel-buffer ring of length k (GPUs: 3) an image is ready at the
latest k - 1 render calls later, earlier when its fence has signalled; with k = 1 (CPU rasterisers)
at once. poll(wait=True) always drains everything (synchronous mode: call it after each tick).
"""
from __future__ import annotations

import logging

from engine.render.atmosphere import Atmosphere
from engine.render.context import REQUIRED_GL, is_software_renderer
from engine.render.geometry import SceneGeometry
from engine.render.gl_sync import load_fences, load_pinned_buffers
from engine.render.passes.base import ATMOSPHERE_BLOCK_BINDING, VIEW_BLOCK_BINDING, PassFrame
from engine.render.pipeline import CAMERA_KINDS, Pipeline
from engine.render.readback import ComputePack, Readback
from engine.render.scene_data import Instances, Mesh
from engine.render.shaders import ProgramCache
from engine.render.views import VIEW_BLOCK_BYTES, camera_view, pack_view_block, shadow_view

log = logging.getLogger(__name__)
TARGET_IDLE_RENDERS = 300          # a camera size unused this many render calls gives its targets back
GPU_RING_LENGTH = 3              # measured best on NVIDIA: the newest two calls keep the GPU busy


class Renderer:
    def __init__(self, context, quality, ring_length: int | None = None, compute: bool | None = None):
        ctx = getattr(context, "ctx", context)
        if ctx is None:
            raise RuntimeError("rendering needs a GL context; mode 'none' produces no camera data")
        if ctx.version_code < REQUIRED_GL:
            raise RuntimeError(f"rendering needs OpenGL {REQUIRED_GL // 100}.{REQUIRED_GL // 10 % 10}, "
                               f"the context has {ctx.info['GL_VERSION']}")
        self.ctx = ctx
        self.quality = quality
        software = is_software_renderer(ctx)
        if ring_length is None:
            ring_length = 1 if software else GPU_RING_LENGTH
        # Full-screen passes, colour clears and readback copies as compute shaders on GPUs (where they
        # run on all shader cores instead of the raster back end); fragments and glClear on CPUs.
        self.compute = (not software) if compute is None else bool(compute)
        self.programs = ProgramCache(ctx)
        self.geometry = SceneGeometry(ctx)
        fences = load_fences(ctx) if ring_length > 1 else None
        pack = ComputePack(ctx, self.programs.get("readback_pack.glsl", compute=True)) if self.compute else None
        self.readback = Readback(ctx, ring_length, fences, load_pinned_buffers(ctx) if fences else None, pack)
        # GPUs: flush after each pass (drivers may hold commands until the readback's fence); CPU
        # rasterisers would only split their work into more, smaller batches.
        self._flush = fences.flush if fences is not None and not software else None
        self._view_ubo = ctx.buffer(reserve=VIEW_BLOCK_BYTES, dynamic=True)
        self._atmosphere_ubo = ctx.buffer(reserve=Atmosphere.block_bytes(), dynamic=True)
        self._atmosphere = None
        self._pipelines = {}
        self._targets = {}            # (kind, width, height, slot) -> [TargetSet, last render call]
        self._shared = {}
        self._generation = 0
        self.last_frame = None
        log.info("renderer: %s, quality %s, readback ring %d%s, %s", ctx.info["GL_RENDERER"], quality.name,
                 ring_length, ", mapped buffers" if self.readback.pinned else "",
                 "compute post and readback" if self.compute else "fragment post, glReadPixels")

    # -- scene -----------------------------------------------------------------------------------
    def set_static_scene(self, mesh: Mesh) -> None:
        self.geometry.set_static(mesh)

    def set_models(self, models: list) -> None:
        self.geometry.set_models(list(models))

    def set_quality(self, quality) -> None:
        """Switch presets: the rgb pipeline and its targets are rebuilt."""
        if quality == self.quality:
            return
        self.quality = quality
        self._drop_kind("rgb")

    # -- frames ----------------------------------------------------------------------------------
    def render(self, requests: list, instances: Instances | None, weather: tuple, frame: int) -> list:
        """Render every request; return one ticket per request, in order."""
        self._begin(instances, weather, frame)
        self.readback.begin_generation()
        tickets = []
        seen = {}
        ring = self.readback.ring_length
        for request in requests:
            # Each camera of a call, and each of the last k calls, draws into its own targets: no
            # draw has to wait for an earlier image's copy into its pixel buffer.
            size = (request.kind, request.width, request.height)
            seen[size] = seen.get(size, -1) + 1
            target = self._render_one(request, (seen[size], self._generation % ring))
            tickets.append(self.readback.submit(target, request.width, request.height))
        self.readback.settle()
        self._prune_targets()
        return tickets

    def render_texture(self, request, instances: Instances | None, weather: tuple, frame: int):
        """Render one request without readback; the returned moderngl.Texture (BGRA bytes, row 0 at
        the top) stays valid until the next render call. For the window's spectator view."""
        self._begin(instances, weather, frame)
        self._render_one(request, (0, 0))
        key = (request.kind, request.width, request.height, (0, 0))
        return self._targets[key][0].texture(self._pipelines[request.kind].output)

    def poll(self, wait: bool = False) -> list:
        """[(ticket, bytes)] of finished images in ticket order; wait=True returns all outstanding."""
        return self.readback.poll(wait)

    @property
    def outstanding(self) -> int:
        return self.readback.outstanding

    def pipeline(self, kind: str) -> Pipeline:
        pipeline = self._pipelines.get(kind)
        if pipeline is None:
            if kind not in CAMERA_KINDS:
                raise ValueError(f"unknown camera kind {kind!r}; expected one of {', '.join(CAMERA_KINDS)}")
            pipeline = Pipeline(self.ctx, kind, self.quality, self.programs, self.geometry, self.compute)
            self._pipelines[kind] = pipeline
        return pipeline

    def _begin(self, instances, weather, frame) -> None:
        self._generation += 1
        self.last_frame = frame
        if self._atmosphere is None or self._atmosphere.source != tuple(weather):
            self._atmosphere = Atmosphere(weather)
            self._atmosphere_ubo.write(self._atmosphere.block().tobytes())
        self.geometry.set_instances(instances)
        self._view_ubo.bind_to_uniform_block(VIEW_BLOCK_BINDING)
        self._atmosphere_ubo.bind_to_uniform_block(ATMOSPHERE_BLOCK_BINDING)

    def _render_one(self, request, slot: tuple):
        pipeline = self.pipeline(request.kind)
        preset = self.quality
        cam = camera_view(request, preset.near_plane_m, preset.far_plane_m)
        rgb = request.kind == "rgb"
        shadow = None
        if rgb and preset.shadows:
            shadow = shadow_view(cam.eye, cam.forward, self._atmosphere.sun_dir, preset.shadow_extent_m,
                                 preset.shadow_map_size)
        draw_distance = preset.draw_distance_m if rgb else 0.0
        road_distance = preset.road_draw_distance_m if rgb else 0.0
        self.geometry.prepare("camera", cam.view_proj, eye=cam.eye, draw_distance=draw_distance,
                              road_draw_distance=road_distance, exclude_actor=int(request.exclude_actor))
        self._view_ubo.orphan()
        self._view_ubo.write(pack_view_block(cam, shadow, preset.exposure, draw_distance, road_distance,
                                             preset.ssao_radius_m))
        targets = self._target_set(pipeline, (request.kind, request.width, request.height, slot))
        frame = PassFrame(targets, cam, shadow, self._generation, self._shared, self._atmosphere)
        return pipeline.execute(frame, self._flush)

    def _target_set(self, pipeline, key):
        entry = self._targets.get(key)
        if entry is None:
            entry = [pipeline.create_targets(key[1], key[2]), self._generation]
            self._targets[key] = entry
        entry[1] = self._generation
        return entry[0]

    def _prune_targets(self) -> None:
        oldest = self._generation - TARGET_IDLE_RENDERS
        for key in [k for k, (_, used) in self._targets.items() if used < oldest]:
            self._targets.pop(key)[0].release()

    def _drop_kind(self, kind: str) -> None:
        for key in [k for k in self._targets if k[0] == kind]:
            self._targets.pop(key)[0].release()
        pipeline = self._pipelines.pop(kind, None)
        if pipeline is not None:
            pipeline.release()
        self._shared.clear()

    def release(self) -> None:
        """Release every GPU object this renderer created (outstanding images are dropped)."""
        self.readback.release()
        for kind in list(self._pipelines):
            self._drop_kind(kind)
        for entry in self._targets.values():
            entry[0].release()
        self._targets.clear()
        self.geometry.release()
        self.programs.release()
        self._view_ubo.release()
        self._atmosphere_ubo.release()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()
