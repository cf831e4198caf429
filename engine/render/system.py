"""The rendering side of the simulation: owns the GL context and the renderer, turns world state
into instances and camera images. Lives on the simulation thread; GL is imported only here."""
from __future__ import annotations

import numpy as np

from engine.render.scene_data import Instances, Mesh


class RenderSystem:
    def __init__(self, mode: str, quality_level: str, width: int = 800, height: int = 600):
        from engine.render.context import create_context
        from engine.render.quality import preset_by_name
        from engine.render.renderer import Renderer
        self.mode = mode
        self.context = create_context(mode, width, height)
        try:
            self.renderer = Renderer(self.context, preset_by_name(quality_level))
        except Exception:
            self.context.release()
            raise
        self._model_keys: dict = {}       # model key -> index in the renderer's model list
        self._models: list = []
        self._slot_model = {"vehicle": np.zeros(0, np.int32), "walker": np.zeros(0, np.int32)}
        self._slot_paint = {"vehicle": np.zeros((0, 3), np.float32), "walker": np.zeros((0, 3), np.float32)}
        self._pending: dict = {}           # ticket -> (camera, frame, timestamp, transform)

    # -- scene --------------------------------------------------------------------------------------------------
    def load_town(self, town) -> None:
        from engine.render.props import build_props
        from engine.render.town_mesh import build_town_mesh
        self.renderer.set_static_scene(Mesh.merge([build_town_mesh(town), build_props(town)]))

    def track(self, actor, blueprint) -> None:
        """A vehicle or walker was spawned: remember which model and paint draw its slot."""
        from engine.render.models import model_for_blueprint, model_key, paint_color
        key = model_key(blueprint)
        index = self._model_keys.get(key)
        if index is None:
            index = self._model_keys[key] = len(self._models)
            self._models.append(model_for_blueprint(blueprint))
            self.renderer.set_models(self._models)
        kind = actor.kind
        models, paints = self._slot_model[kind], self._slot_paint[kind]
        if actor.slot >= len(models):
            size = max(2 * len(models), actor.slot + 1, 16)
            models = np.resize(models, size)
            paints = np.resize(paints, (size, 3))
            self._slot_model[kind], self._slot_paint[kind] = models, paints
        models[actor.slot] = index
        paints[actor.slot] = paint_color(actor.attributes)

    def instances(self, world) -> Instances:
        parts = []
        for kind, state, ids in (("vehicle", world.vehicles, world.vehicle_ids),
                                 ("walker", world.walkers, world.walker_ids)):
            slots = state.slots()
            if len(slots):
                parts.append((self._slot_model[kind][slots], state.loc[slots], state.rot[slots],
                              self._slot_paint[kind][slots], ids[slots]))
        if not parts:
            return Instances(np.zeros(0, np.int32), np.zeros((0, 3), np.float32), np.zeros((0, 3), np.float32),
                             np.zeros((0, 3), np.float32), np.zeros(0, np.uint32))
        columns = [np.concatenate(c) for c in zip(*parts)]
        return Instances(columns[0].astype(np.int32), columns[1].astype(np.float32),
                         columns[2].astype(np.float32), columns[3].astype(np.float32),
                         columns[4].astype(np.uint32))

    # -- cameras ------------------------------------------------------------------------------------------------
    def render_cameras(self, world, cameras: list) -> None:
        """Start rendering these cameras for the world's current frame."""
        if not cameras:
            return
        poses = [world.world_pose(world.actors[c.actor_id]) for c in cameras]
        requests = [c.request(loc, rot) for c, (loc, rot) in zip(cameras, poses)]
        tickets = self.renderer.render(requests, self.instances(world), world.weather, world.frame)
        for ticket, camera, pose in zip(tickets, cameras, poses):
            self._pending[ticket] = (camera, world.frame, world.elapsed_seconds, pose)

    def finished_images(self, wait: bool) -> list:
        """[(camera, message bytes)] for every readback that completed (all of them when wait is set)."""
        out = []
        for ticket, pixels in self.renderer.poll(wait=wait):
            camera, frame, timestamp, pose = self._pending.pop(ticket)
            out.append((camera, camera.message(frame, timestamp, pose, pixels)))
        return out

    def view(self, world, location, rotation, width: int, height: int, fov: float = 90.0):
        """A GL texture of the scene seen from a pose now (the spectator window); no readback."""
        from engine.render.scene_data import CameraRequest
        request = CameraRequest("rgb", width, height, fov, tuple(location), tuple(rotation))
        return self.renderer.render_texture(request, self.instances(world), world.weather, world.frame)

    def forget_pending(self) -> None:
        self.renderer.poll(wait=True)
        self._pending.clear()

    def release(self) -> None:
        self.renderer.release()
        self.context.release()
