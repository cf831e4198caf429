"""The simulation thread: one selector loop that serves RPC and stream sockets and ticks the world.

Every RPC handler runs here, between ticks, in arrival order: commands are applied on the thread that
owns the world, without a handoff per call. In asynchronous mode the loop ticks on its own clock.
"""
from __future__ import annotations

import logging
import selectors
import socket
import time

from engine.server.rpc import RpcConnection
from engine.server.streams import StreamConnection

log = logging.getLogger("carla.server")

ASYNC_VARIABLE_STEP_HZ = 50.0     # asynchronous mode without fixed_delta_seconds ticks this often


def _streams_first(item) -> int:
    """Sort key of selector events: stream accepts and stream connections before anything else."""
    data = item[0].data
    return 0 if data == "stream-accept" or isinstance(data, StreamConnection) else 1


def listen(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


class _ExtraListener:
    """Selector data of a listener added with ServerLoop.add_listener."""

    def __init__(self, listener: socket.socket, make_connection):
        self.listener = listener
        self.make_connection = make_connection


class ServerLoop:
    def __init__(self, rpc_listener: socket.socket, stream_listener: socket.socket):
        self.selector = selectors.DefaultSelector()
        self.rpc_listener = rpc_listener
        self.stream_listener = stream_listener
        self.selector.register(rpc_listener, selectors.EVENT_READ, "rpc-accept")
        self.selector.register(stream_listener, selectors.EVENT_READ, "stream-accept")
        self.service = None        # set by the owner: handles RPC bytes, ticks, owns the StreamHub
        self.running = False
        self._next_async_tick = None
        self._last_tick_wall = None
        self._last_tick_error = None            # the last asynchronous tick's failure, logged once
        self._timers: list = []        # [interval, callback, next due] run between selects
        self._extra_listeners: list = []
        self.current_connection = None   # the RPC connection whose request is being handled

    # -- connections ------------------------------------------------------------------------------------------
    def _accept(self, listener, make):
        """The connection make(sock, peer) built for the next socket waiting on listener, or None."""
        try:
            sock, peer = listener.accept()
        except (BlockingIOError, InterruptedError):
            return None
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = make(sock, peer)
        self.selector.register(sock, selectors.EVENT_READ, conn)
        return conn

    def add_listener(self, listener: socket.socket, make_connection) -> None:
        """Serve one more msgpack-RPC port in this loop: each accepted socket becomes
        make_connection(sock, peer), an RpcConnection whose ``dispatcher`` attribute answers it."""
        self.selector.register(listener, selectors.EVENT_READ, _ExtraListener(listener, make_connection))
        self._extra_listeners.append(listener)

    def remove_listener(self, listener: socket.socket) -> None:
        """Stop accepting on a listener added with add_listener; its open connections stay served."""
        if listener in self._extra_listeners:
            self._extra_listeners.remove(listener)
            self.selector.unregister(listener)
            listener.close()

    def want_write(self, conn, on: bool) -> None:
        if conn.closed:
            return
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if on else 0)
        self.selector.modify(conn.sock, events, conn)

    def close_connection(self, conn) -> None:
        if conn.closed:
            return
        conn.closed = True
        try:
            self.selector.unregister(conn.sock)
        except (KeyError, ValueError):
            pass
        conn.sock.close()
        if isinstance(conn, StreamConnection):
            self.service.hub.forget(conn)

    # -- RPC --------------------------------------------------------------------------------------------------
    def _rpc_readable(self, conn: RpcConnection) -> None:
        try:
            data = conn.sock.recv(1 << 20)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self.close_connection(conn)
            return
        dispatcher = getattr(conn, "dispatcher", None) or self.service.dispatcher
        self.current_connection = conn     # handlers that answer an address read where they were reached
        try:
            reply = dispatcher.handle_bytes(conn, data)
        except ValueError as exc:
            log.warning("closing RPC connection from %s: %s", conn.peer, exc)
            self._send_rpc(conn, self.service.dispatcher._packer.pack([1, 0, str(exc), None]))
            self.close_connection(conn)
            return
        if reply:
            self._send_rpc(conn, reply)
        self.service.dispatcher.run_deferred()

    def _send_rpc(self, conn: RpcConnection, data: bytes) -> None:
        if conn.closed:
            return
        if not conn.outbox:
            try:
                sent = conn.sock.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:
                self.close_connection(conn)
                return
            if sent == len(data):
                return
            data = data[sent:]
            self.want_write(conn, True)
        conn.outbox += data

    def _rpc_writable(self, conn: RpcConnection) -> None:
        try:
            sent = conn.sock.send(conn.outbox)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self.close_connection(conn)
            return
        del conn.outbox[:sent]
        if not conn.outbox:
            self.want_write(conn, False)

    # -- the loop ---------------------------------------------------------------------------------------------
    def reschedule(self, quiet_seconds: float = 0.0) -> None:
        """Settings changed: restart the asynchronous clock (or stop it in synchronous mode), its first
        tick ``quiet_seconds`` from now."""
        self._next_async_tick = None if self.service.synchronous else time.monotonic() + quiet_seconds
        self._last_tick_wall = time.monotonic()

    def _async_tick_due(self, now: float) -> None:
        fixed = self.service.fixed_delta_seconds
        if fixed:
            dt, interval = fixed, fixed
        else:
            dt, interval = max(now - self._last_tick_wall, 1e-4), 1.0 / ASYNC_VARIABLE_STEP_HZ
        self._last_tick_wall = now
        try:
            self.service.tick(dt)
        except Exception as exc:  # noqa: BLE001 - as a failed tick_cue is answered, a failed tick never ends the server
            message = f"{type(exc).__name__}: {exc}"
            if message != self._last_tick_error:      # once per kind of failure, not at every tick
                log.exception("asynchronous tick failed")
            self._last_tick_error = message
        else:
            self._last_tick_error = None
        self._next_async_tick += interval
        if not fixed:
            # A variable step covers all the wall time since the last tick: a late tick leaves nothing to
            # catch up, and back-to-back ticks of a tenth of a millisecond would only skip past clients.
            self._next_async_tick = max(self._next_async_tick, now + interval)
        elif self._next_async_tick < now - 0.5:    # fell far behind (a slow tick): do not try to catch up
            self._next_async_tick = now

    def every(self, interval: float, callback) -> None:
        """Call callback about every interval seconds of wall clock (the window's redraw)."""
        self._timers.append([interval, callback, time.monotonic()])

    def _run_timers(self, now: float) -> None:
        for timer in self._timers:
            if now >= timer[2]:
                timer[1]()
                timer[2] = max(timer[2] + timer[0], now)

    def run(self) -> None:
        self.running = True
        self.reschedule()
        select = self.selector.select
        rpc_accept, stream_accept = "rpc-accept", "stream-accept"
        while self.running:
            deadlines = [t[2] for t in self._timers]
            if self._next_async_tick is not None:
                deadlines.append(self._next_async_tick)
            timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
            # Stream subscriptions first: a client that listens and then ticks has sent its subscription
            # before the tick, and the tick's data must find it registered.
            for key, events in sorted(select(timeout), key=_streams_first):
                conn = key.data
                if conn is rpc_accept:
                    self._accept(self.rpc_listener, RpcConnection)
                elif conn is stream_accept:
                    accepted = self._accept(self.stream_listener, lambda s, _peer: StreamConnection(s))
                    if accepted is not None:
                        self.service.hub.readable(accepted)   # its stream id is usually there already
                elif isinstance(conn, _ExtraListener):
                    self._accept(conn.listener, conn.make_connection)
                elif isinstance(conn, RpcConnection):
                    if events & selectors.EVENT_WRITE and not conn.closed:
                        self._rpc_writable(conn)
                    if events & selectors.EVENT_READ and not conn.closed:
                        self._rpc_readable(conn)
                else:
                    if events & selectors.EVENT_WRITE and not conn.closed:
                        self.service.hub.writable(conn)
                    if events & selectors.EVENT_READ and not conn.closed:
                        self.service.hub.readable(conn)
            if self._next_async_tick is not None and time.monotonic() >= self._next_async_tick:
                self._async_tick_due(time.monotonic())
            if self._timers:
                self._run_timers(time.monotonic())

    def stop(self) -> None:
        self.running = False

    def close(self) -> None:
        for key in list(self.selector.get_map().values()):
            if hasattr(key.data, "sock"):
                self.close_connection(key.data)
        self.selector.close()
        for listener in self._extra_listeners:
            listener.close()
        self._extra_listeners.clear()
        self.rpc_listener.close()
        self.stream_listener.close()
