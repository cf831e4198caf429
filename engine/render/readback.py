"""Image readback: final 8-bit targets -> bytes, through pixel buffers and fences, in ticket order.

Ring length k: an image rendered in generation g (one `Renderer.render` call) is copied into a pixel
buffer at once and handed out when its fence signals, at the latest at the end of render call
g + k - 1 (k - 1 calls late; its ring slot is needed again). Pixel buffers live in client memory,
persistently mapped, where the driver allows it; their images are then handed out as read-only
memoryviews of that memory, without a copy, and a buffer is reused only once every view of its image
is gone (so an image may be kept as long as needed, but not past the renderer's release). k = 1 reads
the framebuffer directly into bytes (best on CPU rasterisers, where a pixel buffer only adds a copy).
"""
from __future__ import annotations

import collections
import dataclasses

from engine.render.passes.base import dispatch

SPARE_BUFFERS = 2                  # free pixel buffers kept per image size beyond the ring length


class ComputePack:
    """Copies an RGBA8 target into a pixel buffer with shaders/readback_pack.glsl, the same bytes as
    glReadPixels. Used on GPUs, where it is quicker: glReadPixels copies through the raster back end."""

    def __init__(self, ctx, program):
        self.ctx = ctx
        self.program = program

    def __call__(self, texture, buffer) -> None:
        if texture.components != 4 or texture.dtype != "f1":
            raise ValueError("compute readback copies RGBA8 targets only")
        texture.use(0)
        buffer.bind_to_storage_buffer(0)
        dispatch(self.program, texture.size)
        self.ctx.memory_barrier()      # the mapped buffer sees the writes once the fence signals


@dataclasses.dataclass
class _Pending:
    ticket: int
    generation: int
    nbytes: int
    buffer: object = None          # moderngl.Buffer or gl_sync.PinnedBuffer while in flight
    fence: int = 0
    data: object = None            # bytes or memoryview, set once the image is out


class Readback:
    def __init__(self, ctx, ring_length: int, fences=None, pinned=None, pack=None):
        if ring_length < 1:
            raise ValueError("readback ring length must be at least 1")
        self.ctx = ctx
        self.ring_length = ring_length
        self.pack = pack               # ComputePack, or None for glReadPixels
        self.fences = fences
        self.pinned = pinned if fences is not None else None    # mapped memory needs fences
        self.generation = 0
        self._next_ticket = 1
        self._queue = collections.deque()
        self._free_buffers = collections.defaultdict(list)   # nbytes -> buffers
        self._returned = collections.deque()   # lent buffers whose views are gone (appended from any thread)

    @property
    def outstanding(self) -> int:
        return len(self._queue)

    def begin_generation(self) -> None:
        """Start the next render call."""
        self.generation += 1
        self._take_back()

    def settle(self) -> None:
        """After a render call's submissions: copy out every image k - 1 or more calls old, so an
        image is at most k - 1 render calls late while the newest calls keep the GPU busy."""
        limit = self.generation - (self.ring_length - 1)
        for entry in self._queue:
            if entry.generation > limit:
                break
            self._complete(entry)

    def submit(self, fbo, width: int, height: int) -> int:
        ticket = self._next_ticket
        self._next_ticket += 1
        entry = _Pending(ticket, self.generation, width * height * 4)
        if self.ring_length == 1:
            entry.data = fbo.read(components=4, alignment=1)
        else:
            free = self._free_buffers[entry.nbytes]
            entry.buffer = free.pop() if free else self._new_buffer(entry.nbytes)
            target = getattr(entry.buffer, "buffer", entry.buffer)
            if self.pack is not None:
                self.pack(fbo.color_attachments[0], target)
            else:
                fbo.read_into(target, components=4, alignment=1)
            if self.fences is not None:
                entry.fence = self.fences.insert()
        self._queue.append(entry)
        return ticket

    def _new_buffer(self, nbytes: int):
        if self.pinned is not None:
            return self.pinned.create(nbytes)
        return self.ctx.buffer(reserve=nbytes)

    def poll(self, wait: bool = False) -> list:
        """[(ticket, image)] of finished images, oldest first; wait=True drains everything. An image
        is bytes or a read-only memoryview of BGRA bytes."""
        out = []
        while self._queue:
            entry = self._queue[0]
            if entry.data is None and not wait and not self._ready(entry):
                break
            self._complete(entry)
            self._queue.popleft()
            out.append((entry.ticket, entry.data))
            entry.data = None
        return out

    def _ready(self, entry: _Pending) -> bool:
        if self.fences is not None and entry.fence:
            return self.fences.signaled(entry.fence)
        # No fences: frame counting only.
        return entry.generation <= self.generation - (self.ring_length - 1)

    def _complete(self, entry: _Pending) -> None:
        if entry.data is not None:
            return
        if entry.fence:
            self.fences.wait(entry.fence)
            self.fences.delete(entry.fence)
            entry.fence = 0
        if hasattr(entry.buffer, "lend"):
            entry.data = entry.buffer.lend(self._returned.append)
        else:
            entry.data = entry.buffer.read()
            self._free_buffers[entry.nbytes].append(entry.buffer)
        entry.buffer = None

    def _take_back(self) -> None:
        """Reuse the buffers whose images nobody holds any more; release the surplus."""
        while self._returned:
            buffer = self._returned.popleft()
            free = self._free_buffers[buffer.nbytes]
            if len(free) < self.ring_length + SPARE_BUFFERS:
                free.append(buffer)
            else:
                buffer.release()

    def release(self) -> None:
        """Release the pixel buffers; buffers of images still held elsewhere stay allocated."""
        for entry in self._queue:
            if entry.fence:
                self.fences.delete(entry.fence)
            if entry.buffer is not None:
                entry.buffer.release()
        self._queue.clear()
        self._take_back()
        for buffers in self._free_buffers.values():
            for buffer in buffers:
                buffer.release()
        self._free_buffers.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()
