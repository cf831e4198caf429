"""CARLA 0.9.16 msgpack shapes: Response wrappers, optionals, tokens, transforms.

Structs travel as msgpack arrays in declaration order; see the wire-protocol spec, sections 1-2.
"""
from __future__ import annotations

import math
import socket
import struct

from engine.errors import RequestError

STREAM_PROTOCOL_TCP = 1
ADDRESS_IPV4 = 1


class WireError(RequestError, ValueError):
    """A malformed argument sent by a client; the message says what was wrong."""


def ok(value):
    """Response<T> success."""
    return [[1, value]]


def error(message: str):
    """Response<T> error: the client raises RuntimeError(message)."""
    return [[0, [message]]]


def void_ok():
    """Response<void> success."""
    return [[False]]


def void_error(message: str):
    return [[True, [message]]]


def pack_optional(value):
    return [False] if value is None else [True, value]


def unpack_optional(data, what: str):
    if not isinstance(data, (list, tuple)) or not data:
        raise WireError(f"{what}: expected an optional [False] or [True, value]")
    if not data[0]:
        return None
    if len(data) < 2:
        raise WireError(f"{what}: optional marked set but has no value")
    return data[1]


def stream_token(stream_id: int, port: int, address: str = "0.0.0.0") -> bytes:
    """The 24-byte streaming token: id, port, protocol, address type, 16 address bytes."""
    try:
        raw = socket.inet_aton(address)
    except OSError:
        raw = b"\0\0\0\0"
    return struct.pack("<IHBB16s", stream_id, port, STREAM_PROTOCOL_TCP, ADDRESS_IPV4, raw)


def token_stream_id(token: bytes) -> int:
    return struct.unpack_from("<I", token)[0]


def number(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise WireError(f"{what}: expected a number, got {type(value).__name__}")
    return float(value)


def finite(value, what: str) -> float:
    v = number(value, what)
    if not math.isfinite(v):
        raise WireError(f"{what}: expected a finite number, got {v}")
    return v


def integer(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise WireError(f"{what}: expected an integer, got {type(value).__name__}")
    return value


def boolean(value, what: str) -> bool:
    if not isinstance(value, (bool, int)):
        raise WireError(f"{what}: expected a bool, got {type(value).__name__}")
    return bool(value)


def string(value, what: str) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        raise WireError(f"{what}: expected a string, got {type(value).__name__}")
    return value


def vector3(data, what: str) -> tuple:
    if not isinstance(data, (list, tuple)) or len(data) < 3:
        raise WireError(f"{what}: expected [x, y, z]")
    return (finite(data[0], what), finite(data[1], what), finite(data[2], what))


def transform(data, what: str = "transform") -> tuple:
    """[[x, y, z], [pitch, yaw, roll]] -> ((x, y, z), (pitch, yaw, roll))."""
    if not isinstance(data, (list, tuple)) or len(data) < 2:
        raise WireError(f"{what}: expected [location, rotation]")
    return vector3(data[0], what + " location"), vector3(data[1], what + " rotation")


def pack_transform(loc, rot) -> list:
    return [[float(loc[0]), float(loc[1]), float(loc[2])], [float(rot[0]), float(rot[1]), float(rot[2])]]
