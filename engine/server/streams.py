"""The streaming port: one TCP connection per subscribed stream, length-prefixed messages.

A client connects, sends the 4-byte stream id, then only reads. Messages for a stream that was
requested (get_sensor_token) but is not connected yet are kept (the last one) and flushed on connect,
because the client subscribes only after the RPC that created the stream has returned.
"""
from __future__ import annotations

import collections
import socket
import struct

_LENGTH = struct.Struct("<I")
MAX_PENDING_BYTES = 256 * 1024 * 1024   # a reader this far behind is dropped; it reconnects
MAX_PARTS_PER_SEND = 512                 # below the kernel's IOV_MAX


class StreamConnection:
    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.stream_id: int | None = None
        self.inbox = b""
        self.outbox = collections.deque()      # memoryviews still to send, in order
        self.outbox_bytes = 0
        self.closed = False

    def fileno(self) -> int:
        return self.sock.fileno()


class StreamHub:
    """Owns the stream connections; the event loop tells it when sockets are readable or writable."""

    EPISODE_STREAM = 1

    def __init__(self, loop):
        self.loop = loop
        self.subscribers: dict = {}        # stream id -> list of StreamConnection
        self.pending: dict = {}            # requested but unconnected stream id -> last message (or None)
        self.known: set = {self.EPISODE_STREAM}
        self._next_stream_id = 2
        self.on_subscribe = {}             # stream id -> callback(connection) run when a reader connects

    def new_stream(self) -> int:
        stream_id = self._next_stream_id
        self._next_stream_id += 1
        self.known.add(stream_id)
        return stream_id

    def close_stream(self, stream_id: int) -> None:
        self.known.discard(stream_id)
        self.pending.pop(stream_id, None)
        for conn in self.subscribers.pop(stream_id, []):
            self.loop.close_connection(conn)

    def request(self, stream_id: int) -> bool:
        """get_sensor_token: a client is about to subscribe; keep messages until it connects."""
        if stream_id not in self.known:
            return False
        if stream_id != self.EPISODE_STREAM and not self.subscribers.get(stream_id):
            self.pending.setdefault(stream_id, None)
        return True

    def has_readers(self, stream_id: int) -> bool:
        return bool(self.subscribers.get(stream_id)) or stream_id in self.pending

    def publish(self, stream_id: int, *parts) -> None:
        """Send one message made of these byte buffers (gathered by the kernel, not joined here)."""
        conns = self.subscribers.get(stream_id)
        if not conns:
            if stream_id in self.pending:
                self.pending[stream_id] = parts
            return
        message = (_LENGTH.pack(sum(len(p) for p in parts)),) + parts
        for conn in list(conns):
            self.send(conn, message)

    def send(self, conn: StreamConnection, parts: tuple) -> None:
        if conn.closed:
            return
        if not conn.outbox:
            try:
                sent = conn.sock.sendmsg(parts)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:
                self.loop.close_connection(conn)
                return
            if sent == sum(len(p) for p in parts):
                return
            self.loop.want_write(conn, True)
        else:
            sent = 0
        for part in parts:
            view = memoryview(part)
            if sent >= len(view):
                sent -= len(view)
                continue
            conn.outbox.append(view[sent:])
            conn.outbox_bytes += len(view) - sent
            sent = 0
        if conn.outbox_bytes > MAX_PENDING_BYTES:
            self.loop.close_connection(conn)

    def readable(self, conn: StreamConnection) -> None:
        try:
            data = conn.sock.recv(64)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self.loop.close_connection(conn)
            return
        if conn.stream_id is not None:
            return  # readers only send their id; anything after it is ignored
        conn.inbox += data
        if len(conn.inbox) < 4:
            return
        stream_id = _LENGTH.unpack_from(conn.inbox)[0]
        if stream_id not in self.known:
            self.loop.close_connection(conn)
            return
        conn.stream_id = stream_id
        self.subscribers.setdefault(stream_id, []).append(conn)
        last = self.pending.pop(stream_id, None)
        if last is not None:
            self.send(conn, (_LENGTH.pack(sum(len(p) for p in last)),) + last)
        callback = self.on_subscribe.get(stream_id)
        if callback is not None:
            callback(conn)

    def writable(self, conn: StreamConnection) -> None:
        outbox = conn.outbox
        try:
            sent = conn.sock.sendmsg([outbox[i] for i in range(min(len(outbox), MAX_PARTS_PER_SEND))])
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self.loop.close_connection(conn)
            return
        conn.outbox_bytes -= sent
        while sent:
            head = outbox[0]
            if sent >= len(head):
                sent -= len(head)
                outbox.popleft()
            else:
                outbox[0] = head[sent:]
                sent = 0
        if not outbox:
            self.loop.want_write(conn, False)

    def forget(self, conn: StreamConnection) -> None:
        conns = self.subscribers.get(conn.stream_id)
        if conns and conn in conns:
            conns.remove(conn)
