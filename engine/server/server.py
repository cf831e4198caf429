"""The server: owns the listening sockets, the loop, the service and the renderer; close() releases them."""
from __future__ import annotations

import logging
import os

from engine.server.loop import ServerLoop, listen
from engine.server.service import SUBSYSTEMS, CarlaService

log = logging.getLogger("carla.server")

WINDOW_FPS = 30.0


def resolve_render_mode(requested: str) -> str:
    """'auto' is a window when a display exists, else offscreen (EGL)."""
    if requested == "auto":
        return "window" if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") else "offscreen"
    return requested


def create_render_system(config):
    """The RenderSystem for the configured mode, or None for -nullrhi. GL is imported only here."""
    mode = resolve_render_mode(config.render_mode)
    if mode == "none":
        return None
    from engine.render.system import RenderSystem
    try:
        return RenderSystem(mode, config.quality_level, config.res_x, config.res_y)
    except Exception as exc:  # noqa: BLE001 - a missing display or GL driver is reported, not a traceback
        if config.render_mode != "auto":
            raise RuntimeError(f"cannot start {mode} rendering: {exc}") from exc
        if mode == "window":
            log.warning("no window (%s); rendering offscreen", exc)
            return create_render_system(type(config)(**{**config.__dict__, "render_mode": "offscreen"}))
        raise RuntimeError(f"cannot start offscreen rendering: {exc}") from exc


class Server:
    def __init__(self, config):
        self.config = config
        self.render = create_render_system(config)
        try:
            rpc = listen(config.host, config.rpc_port)
            try:
                stream = listen(config.host, config.streaming_port)
            except OSError:
                rpc.close()
                raise
        except OSError:
            self._release_render()
            raise
        self.loop = ServerLoop(rpc, stream)
        try:
            self.service = CarlaService(config, self.loop, self.render)
        except Exception:
            self.loop.close()
            self._release_render()
            raise
        self.loop.service = self.service
        if self.render is not None and self.render.mode == "window":
            self.loop.every(1.0 / WINDOW_FPS, self.service.draw_window)

    @property
    def render_mode(self) -> str:
        return "none" if self.render is None else self.render.mode

    def serve_forever(self) -> None:
        self.loop.run()

    def stop(self) -> None:
        self.loop.stop()

    def _release_render(self) -> None:
        if self.render is not None:
            self.render.release()
            self.render = None

    def close(self) -> None:
        for subsystem in SUBSYSTEMS:       # an optional close(service): files to finish, ports to release
            close = getattr(subsystem, "close", None)
            if close is not None:
                close(self.service)
        self.loop.close()
        self._release_render()
