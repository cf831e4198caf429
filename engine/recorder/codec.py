"""Encoding and decoding of single packet payloads (the bytes after the 5-byte packet header)."""

from __future__ import annotations

import struct

import numpy as np

from engine.recorder.errors import RecorderFileError
from engine.recorder.packets import (
    BONE_VECTORS_DTYPE, FRAME_DTYPE, GEAR_DTYPE, PHYSICS_SCALARS_DTYPE, RECORD_DTYPES, SCALAR_DTYPES,
    TORQUE_POINT_DTYPE, WHEEL_ANIM_DTYPE, WHEEL_PHYSICS_DTYPE, ActorAdd, ActorAttribute, PacketId,
    PhysicsControlRecord, VehicleWheelsRecord, WalkerBonesRecord,
)

PACKET_HEADER = struct.Struct("<BI")
_U8 = struct.Struct("<B")
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_VEC3 = struct.Struct("<3f")
_ADD_FIXED = struct.Struct("<IB3f3fI")


def packet_name(packet_id: int) -> str:
    try:
        return PacketId(packet_id).name
    except ValueError:
        return f"packet {packet_id}"


class Cursor:
    """Bounds-checked reading of one payload; every read past `end` is a RecorderFileError."""

    def __init__(self, data, start: int, end: int, what: str):
        self.data, self.pos, self.end, self.what = data, start, end, what

    def take(self, n: int, field: str) -> int:
        pos = self.pos
        if pos + n > self.end:
            raise RecorderFileError(f"{self.what}: payload too short for {field} "
                                    f"(needs {n} bytes, {self.end - pos} left)", pos)
        self.pos = pos + n
        return pos

    def unpack(self, fmt: struct.Struct, field: str):
        return fmt.unpack_from(self.data, self.take(fmt.size, field))

    def u16(self, field: str) -> int:
        return _U16.unpack_from(self.data, self.take(2, field))[0]

    def u32(self, field: str) -> int:
        return _U32.unpack_from(self.data, self.take(4, field))[0]

    def string(self, field: str) -> str:
        n = self.u16(field + " length")
        pos = self.take(n, field)
        return bytes(self.data[pos:pos + n]).decode("utf-8", "surrogateescape")

    def array(self, dtype: np.dtype, count: int, field: str) -> np.ndarray:
        pos = self.take(dtype.itemsize * count, field)
        return np.frombuffer(self.data, dtype, count, pos).copy()

    def finish(self) -> None:
        if self.pos != self.end:
            raise RecorderFileError(f"{self.what}: {self.end - self.pos} bytes left over in the payload", self.pos)


def encode_string(text: str) -> bytes:
    raw = text.encode("utf-8", "surrogateescape")
    if len(raw) > 0xFFFF:
        raise RecorderFileError(f"string of {len(raw)} bytes is longer than a recorder string can hold")
    return _U16.pack(len(raw)) + raw


# --- variable packets ---------------------------------------------------------------------------

def _decode_event_add(cur: Cursor) -> list[ActorAdd]:
    records = []
    for _ in range(cur.u16("record count")):
        dbid, type_, lx, ly, lz, rx, ry, rz, uid = cur.unpack(_ADD_FIXED, "actor record")
        blueprint = cur.string("blueprint id")
        attributes = tuple(ActorAttribute(cur.unpack(_U8, "attribute type")[0],
                                          cur.string("attribute id"), cur.string("attribute value"))
                           for _ in range(cur.u16("attribute count")))
        records.append(ActorAdd(dbid, type_, (lx, ly, lz), (rx, ry, rz), uid, blueprint, attributes))
    return records


def _encode_event_add(records) -> bytes:
    parts = [_U16.pack(len(records))]
    for r in records:
        parts.append(_ADD_FIXED.pack(r.database_id, r.type, *r.location, *r.rotation, r.uid))
        parts.append(encode_string(r.blueprint_id))
        parts.append(_U16.pack(len(r.attributes)))
        for a in r.attributes:
            parts.append(bytes((a.type,)) + encode_string(a.id) + encode_string(a.value))
    return b"".join(parts)


def _decode_physics_control(cur: Cursor) -> list[PhysicsControlRecord]:
    count = cur.u16("record count")
    records = []
    for index in range(count):
        scalars = cur.array(PHYSICS_SCALARS_DTYPE, 1, "physics control")[0]
        torque = cur.array(TORQUE_POINT_DTYPE, cur.u32("torque curve size"), "torque curve")
        gears = cur.array(GEAR_DTYPE, cur.u32("forward gear count"), "forward gears")
        steering = cur.array(TORQUE_POINT_DTYPE, cur.u32("steering curve size"), "steering curve")
        wheel_count = cur.u32("wheel count")
        remaining = cur.end - cur.pos
        is_last = index == count - 1
        if is_last and wheel_count and remaining != wheel_count * WHEEL_PHYSICS_DTYPE.itemsize \
                and remaining % wheel_count == 0:
            # another CARLA version's wheel struct: keep it opaque
            pos = cur.take(remaining, "wheels")
            wheels = bytes(cur.data[pos:pos + remaining])
        else:
            wheels = cur.array(WHEEL_PHYSICS_DTYPE, wheel_count, "wheels")
        records.append(PhysicsControlRecord(scalars, torque, gears, steering, wheels, wheel_count))
    return records


def _encode_physics_control(records) -> bytes:
    parts = [_U16.pack(len(records))]
    for r in records:
        parts.append(np.asarray(r.scalars, PHYSICS_SCALARS_DTYPE).tobytes())
        for arr, dtype in ((r.torque_curve, TORQUE_POINT_DTYPE), (r.forward_gears, GEAR_DTYPE),
                           (r.steering_curve, TORQUE_POINT_DTYPE)):
            arr = np.asarray(arr, dtype)
            parts.append(_U32.pack(len(arr)) + arr.tobytes())
        if isinstance(r.wheels, (bytes, bytearray)):
            parts.append(_U32.pack(r.wheel_count) + bytes(r.wheels))
        else:
            wheels = np.asarray(r.wheels, WHEEL_PHYSICS_DTYPE)
            parts.append(_U32.pack(len(wheels)) + wheels.tobytes())
    return b"".join(parts)


def _decode_walker_bones(cur: Cursor) -> list[WalkerBonesRecord]:
    records = []
    for _ in range(cur.u16("walker count")):
        dbid = cur.u32("walker id")
        names, vectors = [], []
        for _ in range(cur.u16("bone count")):
            names.append(cur.string("bone name"))
            vectors.append(cur.array(BONE_VECTORS_DTYPE, 1, "bone transform"))
        transforms = np.concatenate(vectors) if vectors else np.zeros(0, BONE_VECTORS_DTYPE)
        records.append(WalkerBonesRecord(dbid, tuple(names), transforms))
    return records


def _encode_walker_bones(records) -> bytes:
    parts = [_U16.pack(len(records))]
    for r in records:
        parts.append(_U32.pack(r.database_id) + _U16.pack(len(r.names)))
        transforms = np.asarray(r.transforms, BONE_VECTORS_DTYPE)
        for name, t in zip(r.names, transforms):
            parts.append(encode_string(name) + t.tobytes())
    return b"".join(parts)


def _decode_wheels(cur: Cursor) -> list[VehicleWheelsRecord]:
    records = []
    for _ in range(cur.u16("vehicle count")):
        dbid = cur.u32("vehicle id")
        records.append(VehicleWheelsRecord(dbid, cur.array(WHEEL_ANIM_DTYPE, cur.u32("wheel count"), "wheels")))
    return records


def _encode_wheels(records) -> bytes:
    parts = [_U16.pack(len(records))]
    for r in records:
        wheels = np.asarray(r.wheels, WHEEL_ANIM_DTYPE)
        parts.append(_U32.pack(r.database_id) + _U32.pack(len(wheels)) + wheels.tobytes())
    return b"".join(parts)


_VARIABLE_CODECS = {
    PacketId.EVENT_ADD: (_decode_event_add, _encode_event_add),
    PacketId.PHYSICS_CONTROL: (_decode_physics_control, _encode_physics_control),
    PacketId.WALKER_BONES: (_decode_walker_bones, _encode_walker_bones),
    PacketId.ANIM_VEHICLE_WHEELS: (_decode_wheels, _encode_wheels),
}


# --- any packet -----------------------------------------------------------------------------------

def check_fixed_size(packet_id: int, size: int, count: int, offset: int) -> None:
    expected = 2 + count * RECORD_DTYPES[packet_id].itemsize
    if size != expected:
        raise RecorderFileError(
            f"{packet_name(packet_id)} packet: size {size} does not match its {count} records "
            f"(expected {expected})", offset)


def decode_payload(packet_id: int, data, start: int, size: int):
    """Decode one payload. `start` is the offset of the payload in `data` (after the 5-byte header).

    Returns: FRAME_DTYPE record (FrameStart), None (FrameEnd), structured array (fixed-record packets),
    Python scalar (PlatformTime, FrameCounter, VisualTime), list of records (variable packets) or the raw
    bytes of an unknown packet.
    """
    what = f"{packet_name(packet_id)} packet"
    header_offset = start - PACKET_HEADER.size
    if packet_id == PacketId.FRAME_START:
        if size != FRAME_DTYPE.itemsize:
            raise RecorderFileError(f"{what}: size {size}, expected {FRAME_DTYPE.itemsize}", header_offset)
        return np.frombuffer(data, FRAME_DTYPE, 1, start).copy()[0]
    if packet_id == PacketId.FRAME_END:
        if size != 0:
            raise RecorderFileError(f"{what}: size {size}, expected 0", header_offset)
        return None
    if packet_id in SCALAR_DTYPES:
        dtype = SCALAR_DTYPES[packet_id]
        if size != dtype.itemsize:
            raise RecorderFileError(f"{what}: size {size}, expected {dtype.itemsize}", header_offset)
        return np.frombuffer(data, dtype, 1, start)[0].item()
    if packet_id in RECORD_DTYPES:
        if size < 2:
            raise RecorderFileError(f"{what}: size {size} cannot hold the record count", header_offset)
        count = _U16.unpack_from(data, start)[0]
        check_fixed_size(packet_id, size, count, header_offset)
        return np.frombuffer(data, RECORD_DTYPES[packet_id], count, start + 2).copy()
    if packet_id in _VARIABLE_CODECS:
        cur = Cursor(data, start, start + size, what)
        records = _VARIABLE_CODECS[packet_id][0](cur)
        cur.finish()
        return records
    return bytes(data[start:start + size])


def encode_payload(packet_id: int, payload) -> bytes:
    """The payload bytes of one packet (inverse of decode_payload)."""
    if packet_id == PacketId.FRAME_START:
        return np.asarray(payload, FRAME_DTYPE).tobytes()
    if packet_id == PacketId.FRAME_END:
        return b""
    if packet_id in SCALAR_DTYPES:
        return np.asarray(payload, SCALAR_DTYPES[packet_id]).tobytes()
    if packet_id in RECORD_DTYPES:
        records = np.asarray(payload, RECORD_DTYPES[packet_id])
        if records.ndim != 1 or len(records) > 0xFFFF:
            raise RecorderFileError(f"{packet_name(packet_id)} packet: need a 1-D array of at most 65535 records")
        return _U16.pack(len(records)) + records.tobytes()
    if packet_id in _VARIABLE_CODECS:
        if len(payload) > 0xFFFF:
            raise RecorderFileError(f"{packet_name(packet_id)} packet: more than 65535 records")
        return _VARIABLE_CODECS[packet_id][1](payload)
    if not isinstance(payload, (bytes, bytearray, memoryview)):
        raise RecorderFileError(f"{packet_name(packet_id)}: unknown packet ids take raw bytes")
    return bytes(payload)


def encode_packet(packet_id: int, payload) -> bytes:
    body = encode_payload(packet_id, payload)
    if not 0 <= packet_id <= 255:
        raise RecorderFileError(f"packet id {packet_id} does not fit in one byte")
    return PACKET_HEADER.pack(packet_id, len(body)) + body
