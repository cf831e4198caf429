"""GL contexts behind one interface: "offscreen" (EGL, no window system), "window" (GLFW, visible,
vsync off) and "none" (no GL at all: cameras produce no data). GL modules are imported lazily so
"none" runs on machines without libGL/libEGL.

Offscreen GPU choice: `device_index` (or GLCONTEXT_DEVICE_INDEX) picks the EGL device; force Mesa's
software rasteriser with __EGL_VENDOR_LIBRARY_FILENAMES=/usr/share/glvnd/egl_vendor.d/50_mesa.json.
"""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)
MODES = ("offscreen", "window", "none")
REQUIRED_GL = 430                 # multi-draw indirect with base instance
MOUSE_DEGREES_PER_PIXEL = 0.15


class RenderContext:
    """Owns one GL context (`ctx`, a moderngl.Context; None in mode "none")."""

    mode = "none"

    def __init__(self):
        self.ctx = None

    @property
    def renderer_name(self) -> str:
        return "" if self.ctx is None else self.ctx.info["GL_RENDERER"]

    def release(self) -> None:
        if self.ctx is not None:
            self.ctx.release()
            self.ctx = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


class OffscreenContext(RenderContext):
    mode = "offscreen"

    def __init__(self, device_index: int | None = None):
        super().__init__()
        import moderngl
        settings = {"backend": "egl"}
        if device_index is not None:
            settings["device_index"] = int(device_index)
        self.ctx = moderngl.create_context(standalone=True, require=REQUIRED_GL, **settings)
        _log_driver(self.ctx)


class WindowContext(RenderContext):
    """A visible GLFW window: the spectator view."""

    mode = "window"

    def __init__(self, width: int, height: int, title: str):
        super().__init__()
        import glfw
        import moderngl
        self._glfw = glfw
        if not glfw.init():
            raise RuntimeError("GLFW could not initialise (is there a display?)")
        glfw.window_hint(glfw.CONTEXT_VERSION_MAJOR, 4)
        glfw.window_hint(glfw.CONTEXT_VERSION_MINOR, 3)
        glfw.window_hint(glfw.OPENGL_PROFILE, glfw.OPENGL_CORE_PROFILE)
        glfw.window_hint(glfw.OPENGL_FORWARD_COMPAT, True)
        self.window = glfw.create_window(int(width), int(height), title, None, None)
        if not self.window:
            glfw.terminate()
            raise RuntimeError("GLFW could not create a GL 4.3 core window")
        glfw.make_context_current(self.window)
        glfw.swap_interval(0)
        self.ctx = moderngl.create_context(require=REQUIRED_GL)
        _log_driver(self.ctx)
        self._cursor = None
        self._program = None
        self._vao = None
        self._upload = None

    def should_close(self) -> bool:
        return bool(self._glfw.window_should_close(self.window))

    def poll_input(self) -> dict:
        """move=(forward, right, up) from W/S, D/A, E/Q; look=(d_yaw, d_pitch) degrees from a mouse
        drag (either button); speed_boost while Shift is held."""
        glfw = self._glfw
        glfw.poll_events()
        key = lambda k: glfw.get_key(self.window, k) == glfw.PRESS  # noqa: E731
        move = (float(key(glfw.KEY_W)) - float(key(glfw.KEY_S)),
                float(key(glfw.KEY_D)) - float(key(glfw.KEY_A)),
                float(key(glfw.KEY_E)) - float(key(glfw.KEY_Q)))
        dragging = (glfw.get_mouse_button(self.window, glfw.MOUSE_BUTTON_LEFT) == glfw.PRESS or
                    glfw.get_mouse_button(self.window, glfw.MOUSE_BUTTON_RIGHT) == glfw.PRESS)
        cursor = glfw.get_cursor_pos(self.window)
        look = (0.0, 0.0)
        if dragging and self._cursor is not None:
            look = ((cursor[0] - self._cursor[0]) * MOUSE_DEGREES_PER_PIXEL,
                    -(cursor[1] - self._cursor[1]) * MOUSE_DEGREES_PER_PIXEL)
        self._cursor = cursor if dragging else None
        boost = key(glfw.KEY_LEFT_SHIFT) or key(glfw.KEY_RIGHT_SHIFT)
        return {"move": move, "look": look, "speed_boost": bool(boost)}

    def present(self, image, width: int, height: int) -> None:
        """Draw a sensor image (a moderngl.Texture or BGRA bytes, row 0 at the top) and swap."""
        import moderngl
        from engine.render.shaders import build_program
        ctx = self.ctx
        if self._program is None:
            self._program = build_program(ctx, "present.glsl")
            self._vao = ctx.vertex_array(self._program, [])
        if isinstance(image, moderngl.Texture):
            texture = image
        else:
            if self._upload is None or self._upload.size != (width, height):
                if self._upload is not None:
                    self._upload.release()
                self._upload = ctx.texture((width, height), 4)
            self._upload.write(image)
            texture = self._upload
        fb_width, fb_height = self._glfw.get_framebuffer_size(self.window)
        ctx.screen.use()
        ctx.viewport = (0, 0, fb_width, fb_height)
        ctx.enable_only(moderngl.NOTHING)
        texture.use(0)
        self._vao.render(vertices=3)
        self._glfw.swap_buffers(self.window)

    def release(self) -> None:
        for obj in (self._vao, self._program, self._upload):
            if obj is not None:
                obj.release()
        self._vao = self._program = self._upload = None
        super().release()
        if getattr(self, "window", None):
            self._glfw.destroy_window(self.window)
            self.window = None
            self._glfw.terminate()


def create_context(mode: str, width: int = 800, height: int = 600, title: str = "CARLA",
                   device_index: int | None = None) -> RenderContext:
    """mode "offscreen" (EGL, standalone), "window" (GLFW) or "none" (no GL)."""
    if mode == "offscreen":
        return OffscreenContext(device_index)
    if mode == "window":
        return WindowContext(width, height, title)
    if mode == "none":
        return RenderContext()
    raise ValueError(f"unknown render context mode {mode!r}; expected one of {', '.join(MODES)}")


def is_software_renderer(ctx) -> bool:
    name = ctx.info["GL_RENDERER"].lower()
    return any(word in name for word in ("llvmpipe", "softpipe", "swrast", "lavapipe", "software"))


def _log_driver(ctx) -> None:
    log.info("OpenGL renderer: %s; version: %s", ctx.info["GL_RENDERER"], ctx.info["GL_VERSION"])
