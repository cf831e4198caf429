"""GL fences, persistently mapped readback buffers and texture copies through ctypes: moderngl 5.13
has none of them.

The entry points come from the context's own function loader (`ctx.mglo._context.load`, a private
attribute of moderngl); this module is the only place that relies on it. When the loader or an entry
point is missing, `load_fences` / `load_pinned_buffers` / `load_texture_copy` return None and callers
fall back to counting frames, to plain moderngl buffers and to redrawing.
"""
from __future__ import annotations

import ctypes
import weakref

GL_SYNC_GPU_COMMANDS_COMPLETE = 0x9117
GL_SYNC_FLUSH_COMMANDS_BIT = 0x00000001
GL_ALREADY_SIGNALED = 0x911A
GL_TIMEOUT_EXPIRED = 0x911B
GL_CONDITION_SATISFIED = 0x911C
GL_WAIT_FAILED = 0x911D
GL_SYNC_STATUS = 0x9114
GL_SIGNALED = 0x9119
_FOREVER_NS = 0xFFFFFFFFFFFFFFFF

_FENCE_SYNC = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_uint, ctypes.c_uint)
_CLIENT_WAIT_SYNC = ctypes.CFUNCTYPE(ctypes.c_uint, ctypes.c_void_p, ctypes.c_uint, ctypes.c_uint64)
_DELETE_SYNC = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
_FLUSH = ctypes.CFUNCTYPE(None)
_GET_SYNCIV = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.POINTER(ctypes.c_int),
                               ctypes.POINTER(ctypes.c_int))
_GEN_BUFFERS = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.POINTER(ctypes.c_uint))
_DELETE_BUFFERS = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.POINTER(ctypes.c_uint))
_BIND_BUFFER = ctypes.CFUNCTYPE(None, ctypes.c_uint, ctypes.c_uint)
_BUFFER_STORAGE = ctypes.CFUNCTYPE(None, ctypes.c_uint, ctypes.c_ssize_t, ctypes.c_void_p, ctypes.c_uint)
_MAP_BUFFER_RANGE = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_uint, ctypes.c_ssize_t, ctypes.c_ssize_t,
                                     ctypes.c_uint)
_UNMAP_BUFFER = ctypes.CFUNCTYPE(ctypes.c_ubyte, ctypes.c_uint)
_IMAGE_REF = [ctypes.c_uint, ctypes.c_uint] + [ctypes.c_int] * 4     # name, target, level, x, y, z
_COPY_IMAGE_SUB_DATA = ctypes.CFUNCTYPE(None, *_IMAGE_REF, *_IMAGE_REF, ctypes.c_int, ctypes.c_int, ctypes.c_int)
GL_TEXTURE_2D = 0x0DE1

GL_COPY_WRITE_BUFFER = 0x8F37
GL_MAP_READ_BIT = 0x0001
GL_MAP_PERSISTENT_BIT = 0x0040
GL_MAP_COHERENT_BIT = 0x0080
GL_CLIENT_STORAGE_BIT = 0x0200


class Fences:
    """glFenceSync / glGetSynciv / glClientWaitSync / glDeleteSync bound to one context."""

    def __init__(self, fence_sync, client_wait_sync, delete_sync, flush, get_synciv):
        self._fence_sync = fence_sync
        self._client_wait = client_wait_sync
        self._delete = delete_sync
        self._flush = flush
        self._get_synciv = get_synciv
        self._status = ctypes.c_int(0)
        self._length = ctypes.c_int(0)

    def insert(self) -> int:
        """A fence after everything queued so far, flushed so that the GPU reaches it."""
        handle = self._fence_sync(GL_SYNC_GPU_COMMANDS_COMPLETE, 0)
        if not handle:
            raise RuntimeError("glFenceSync returned no fence")
        self._flush()
        return handle

    def flush(self) -> None:
        """glFlush: start the GPU on what is queued so far."""
        self._flush()

    def signaled(self, handle: int) -> bool:
        """Non-blocking status query (a zero-timeout glClientWaitSync can still yield the thread on
        some drivers). Fences are flushed when inserted, so they do signal."""
        self._get_synciv(handle, GL_SYNC_STATUS, 1, ctypes.byref(self._length), ctypes.byref(self._status))
        return self._status.value == GL_SIGNALED

    def wait(self, handle: int) -> None:
        status = self._client_wait(handle, GL_SYNC_FLUSH_COMMANDS_BIT, _FOREVER_NS)
        if status == GL_WAIT_FAILED:
            raise RuntimeError("glClientWaitSync failed")

    def delete(self, handle: int) -> None:
        self._delete(handle)


class PinnedBuffer:
    """A buffer in client memory, mapped for reading for its whole life (GL_ARB_buffer_storage).
    The GPU writes pixels straight into it, so copying an image out is a plain memory copy that
    never waits behind later GPU work."""

    def __init__(self, api: "PinnedBuffers", nbytes: int):
        self._api = api
        self.nbytes = nbytes
        name = ctypes.c_uint(0)
        api.gen_buffers(1, ctypes.byref(name))
        self.name = name.value
        flags = GL_MAP_READ_BIT | GL_MAP_PERSISTENT_BIT | GL_MAP_COHERENT_BIT
        api.bind_buffer(GL_COPY_WRITE_BUFFER, self.name)
        api.buffer_storage(GL_COPY_WRITE_BUFFER, nbytes, None, flags | GL_CLIENT_STORAGE_BIT)
        self.address = api.map_buffer_range(GL_COPY_WRITE_BUFFER, 0, nbytes, flags)
        api.bind_buffer(GL_COPY_WRITE_BUFFER, 0)
        if not self.address:
            self._delete()
            raise RuntimeError("glMapBufferRange could not map a readback buffer")
        self.buffer = api.ctx.external_buffer(self.name, nbytes)     # for Framebuffer.read_into
        self._view_type = None

    def read(self) -> bytes:
        """The buffer's bytes; call only after the fence of the copy into it has signalled."""
        return ctypes.string_at(self.address, self.nbytes)

    def lend(self, on_return) -> memoryview:
        """A read-only view of the buffer's bytes, without a copy (call after the fence signalled).
        `on_return(self)` runs once this view and every view made from it are gone; until then the
        buffer must not be written again. A view must not outlive the context."""
        if self._view_type is None:
            # A subclass, because plain ctypes arrays take no weak references.
            self._view_type = type("PinnedPixels", (ctypes.c_ubyte * self.nbytes,), {})
        array = self._view_type.from_address(self.address)
        weakref.finalize(array, on_return, self)
        return memoryview(array).cast("B").toreadonly()

    def _delete(self) -> None:
        name = ctypes.c_uint(self.name)
        self._api.delete_buffers(1, ctypes.byref(name))

    def release(self) -> None:
        if self.name:
            api = self._api
            api.bind_buffer(GL_COPY_WRITE_BUFFER, self.name)
            api.unmap_buffer(GL_COPY_WRITE_BUFFER)
            api.bind_buffer(GL_COPY_WRITE_BUFFER, 0)
            self.buffer.release()      # the wrapper only; moderngl does not delete external names
            self._delete()
            self.name = 0


class PinnedBuffers:
    """Factory of PinnedBuffer objects for one context."""

    def __init__(self, ctx, functions: dict):
        self.ctx = ctx
        self.gen_buffers = _GEN_BUFFERS(functions["glGenBuffers"])
        self.delete_buffers = _DELETE_BUFFERS(functions["glDeleteBuffers"])
        self.bind_buffer = _BIND_BUFFER(functions["glBindBuffer"])
        self.buffer_storage = _BUFFER_STORAGE(functions["glBufferStorage"])
        self.map_buffer_range = _MAP_BUFFER_RANGE(functions["glMapBufferRange"])
        self.unmap_buffer = _UNMAP_BUFFER(functions["glUnmapBuffer"])

    def create(self, nbytes: int) -> PinnedBuffer:
        return PinnedBuffer(self, nbytes)


class TextureCopy:
    """glCopyImageSubData (GL 4.3): copies level 0 of one 2D texture into another of the same size
    and format on the GPU, depth textures included (moderngl's framebuffer copy skips depth)."""

    def __init__(self, copy_image_sub_data):
        self._copy = copy_image_sub_data

    def __call__(self, source, destination) -> None:
        width, height = source.size
        if destination.size != (width, height):
            raise ValueError(f"texture copy needs equal sizes, got {source.size} and {destination.size}")
        self.rect(source, destination, 0, 0, width, height)

    def rect(self, source, destination, x: int, y: int, width: int, height: int) -> None:
        """Copy the texels [x, x + width) x [y, y + height) (row 0 at the bottom) to the same place."""
        self._copy(source.glo, GL_TEXTURE_2D, 0, x, y, 0, destination.glo, GL_TEXTURE_2D, 0, x, y, 0,
                   width, height, 1)


def load_texture_copy(ctx):
    """A TextureCopy for ctx, or None when glCopyImageSubData cannot be loaded."""
    functions = _load(ctx, ("glCopyImageSubData",))
    return None if functions is None else TextureCopy(_COPY_IMAGE_SUB_DATA(functions["glCopyImageSubData"]))


def _load(ctx, names):
    loader = getattr(getattr(ctx, "mglo", None), "_context", None)
    load = getattr(loader, "load", None)
    if load is None:
        return None
    try:
        addresses = {name: load(name) for name in names}
    except Exception:
        return None
    return addresses if all(addresses.values()) else None


def load_pinned_buffers(ctx):
    """PinnedBuffers for ctx, or None without buffer storage (GL 4.4 or GL_ARB_buffer_storage)."""
    if ctx.version_code < 440 and "GL_ARB_buffer_storage" not in ctx.extensions:
        return None
    functions = _load(ctx, ("glGenBuffers", "glDeleteBuffers", "glBindBuffer", "glBufferStorage",
                            "glMapBufferRange", "glUnmapBuffer"))
    return None if functions is None else PinnedBuffers(ctx, functions)


def load_fences(ctx):
    """A Fences bound to ctx, or None when the entry points cannot be loaded."""
    functions = _load(ctx, ("glFenceSync", "glClientWaitSync", "glDeleteSync", "glFlush", "glGetSynciv"))
    if functions is None:
        return None
    return Fences(_FENCE_SYNC(functions["glFenceSync"]), _CLIENT_WAIT_SYNC(functions["glClientWaitSync"]),
                  _DELETE_SYNC(functions["glDeleteSync"]), _FLUSH(functions["glFlush"]),
                  _GET_SYNCIV(functions["glGetSynciv"]))
