"""msgpack-RPC on the world port: framing, request checks, response packing.

CARLA's client sends `[0, msgid, method, [metadata, *args]]`; metadata `[True]` marks a fire-and-forget
call, which gets no answer. Results are wrapped per the handler's kind (see engine.server.wire).
"""
from __future__ import annotations

import inspect
import logging
import socket
import traceback

import msgpack

from engine.server import wire
from engine.server.msgpack_guard import oversized_announcement

log = logging.getLogger("carla.rpc")

MAX_MESSAGE_BYTES = 64 * 1024 * 1024    # the largest request we accept (a big OpenDRIVE string fits)
REQUEST, RESPONSE, NOTIFY = 0, 1, 2

VALUE, VOID, RAW = "value", "void", "raw"


class RpcError(Exception):
    """An error reported in the rpclib error field (unknown function, wrong argument count)."""


class RpcConnection:
    def __init__(self, sock: socket.socket, peer):
        self.sock = sock
        self.peer = peer
        self.unpacker = msgpack.Unpacker(raw=False, max_buffer_size=MAX_MESSAGE_BYTES, strict_map_key=False)
        self.unparsed = bytearray()     # received bytes the unpacker has not turned into messages yet
        self.consumed = 0
        self.outbox = bytearray()
        self.closed = False

    def fileno(self) -> int:
        return self.sock.fileno()


class Handler:
    def __init__(self, function, kind: str):
        self.function = function
        self.kind = kind
        params = list(inspect.signature(function).parameters.values())
        self.max_args = len(params)
        self.min_args = sum(1 for p in params if p.default is inspect.Parameter.empty)


class Dispatcher:
    """Maps CARLA call names to handlers and turns their results or errors into responses."""

    def __init__(self):
        self.handlers: dict = {}
        self._packer = msgpack.Packer(use_bin_type=True)
        self.deferred = None       # work a handler left to run once its reply is out, before the next call

    def run_deferred(self) -> None:
        work, self.deferred = self.deferred, None
        if work is not None:
            work()

    def register(self, name: str, function, kind: str = VALUE) -> None:
        self.handlers[name] = Handler(function, kind)

    def handle_bytes(self, conn: RpcConnection, data: bytes) -> bytes:
        """Feed received bytes; return the bytes to send back. Raises ValueError on a broken stream."""
        out = []
        try:
            conn.unpacker.feed(data)
            conn.unparsed += data
            for message in conn.unpacker:
                position = conn.unpacker.tell()     # the end of this whole message
                del conn.unparsed[:position - conn.consumed]
                conn.consumed = position
                reply = self.handle_message(message)
                if reply is not None:
                    out.append(self._packer.pack(reply))
            if conn.unparsed:
                announced = oversized_announcement(bytes(conn.unparsed), MAX_MESSAGE_BYTES)
                if announced is not None:
                    raise ValueError(f"a value announces {announced} bytes or items, more than the "
                                     f"{MAX_MESSAGE_BYTES}-byte limit of a request")
        except msgpack.exceptions.BufferFull:
            raise ValueError(f"request larger than {MAX_MESSAGE_BYTES} bytes") from None
        except (msgpack.exceptions.ExtraData, msgpack.exceptions.FormatError, msgpack.exceptions.StackError,
                TypeError) as exc:
            raise ValueError(f"malformed msgpack data: {type(exc).__name__} {exc}") from None
        return b"".join(out)

    def handle_message(self, message):
        if not isinstance(message, (list, tuple)) or not message:
            return [RESPONSE, 0, "malformed request: expected a msgpack-rpc array", None]
        if message[0] == NOTIFY and len(message) == 3:
            self._call(message[1], message[2], None)
            return None
        if message[0] != REQUEST or len(message) != 4 or not isinstance(message[1], int):
            return [RESPONSE, message[1] if len(message) > 1 and isinstance(message[1], int) else 0,
                    "malformed request: expected [0, msgid, method, params]", None]
        return self._call(message[2], message[3], message[1])

    def _call(self, method, params, msgid):
        if self.deferred is not None:
            self.run_deferred()
        if not isinstance(method, str):
            return self._reply(msgid, "malformed request: the method name is not a string", None)
        if not isinstance(params, (list, tuple)):
            return self._reply(msgid, f"malformed request to '{method}': params is not an array", None)
        fire_and_forget = msgid is None
        args = list(params)
        if args and isinstance(args[0], (list, tuple)) and len(args[0]) == 1 and isinstance(args[0][0], bool):
            fire_and_forget = fire_and_forget or args[0][0]
            args = args[1:]
        handler = self.handlers.get(method)
        if handler is None:
            return None if fire_and_forget else self._reply(
                msgid, f"function '{method}' is not implemented by this server", None)
        if not handler.min_args <= len(args) <= handler.max_args:
            expected = (str(handler.min_args) if handler.min_args == handler.max_args
                        else f"{handler.min_args} to {handler.max_args}")
            return None if fire_and_forget else self._reply(
                msgid, f"function '{method}' takes {expected} argument(s), got {len(args)}", None)
        try:
            result = handler.function(*args)
        except Exception as exc:  # noqa: BLE001 - every failure becomes an answer, never a dead server
            known = isinstance(exc, wire.RequestError)
            message = str(exc) if known else f"internal error in '{method}': {type(exc).__name__}: {exc}"
            if not known:
                log.error("call %s failed:\n%s", method, traceback.format_exc())
            if fire_and_forget:
                log.info("async call %s failed: %s", method, message)
                return None
            if handler.kind == VOID:
                return self._reply(msgid, None, wire.void_error(message))
            if handler.kind == RAW:
                return self._reply(msgid, message, None)
            return self._reply(msgid, None, wire.error(message))
        if fire_and_forget:
            return None
        if handler.kind == VOID:
            return self._reply(msgid, None, wire.void_ok())
        if handler.kind == RAW:
            return self._reply(msgid, None, result)
        return self._reply(msgid, None, wire.ok(result))

    @staticmethod
    def _reply(msgid, error, result):
        return [RESPONSE, msgid, error, result]
