"""Writing recorder files: a whole parsed recording, or frame by frame while recording."""

from __future__ import annotations

import os
import struct
import time

import numpy as np

from engine.recorder.codec import PACKET_HEADER, encode_packet, encode_string, packet_name
from engine.recorder.errors import RecorderFileError
from engine.recorder.packets import (
    FRAME_DTYPE, RECORD_DTYPES, SCALAR_DTYPES, VERSION, PacketId,
)
from engine.recorder.reader import Recording, RecordingHeader

_FRAME_START_HEADER = PACKET_HEADER.pack(PacketId.FRAME_START, FRAME_DTYPE.itemsize)
_FRAME_END = PACKET_HEADER.pack(PacketId.FRAME_END, 0)
_DURATION_OFFSET = PACKET_HEADER.size + 8  # DurationThis inside a FrameStart packet


def encode_header(header: RecordingHeader) -> bytes:
    return (struct.pack("<H", header.version) + encode_string(header.magic) + struct.pack("<q", header.date)
            + encode_string(header.map_name))


def recording_bytes(recording: Recording) -> bytes:
    """The file bytes of a parsed recording (byte-identical to the file it was parsed from)."""
    parts = [encode_header(recording.header)]
    packets = recording.packets
    ids = packets["id"].tolist()
    items = packets["item"].tolist()
    tables = {pid: recording.table(pid) for pid in RECORD_DTYPES}
    record_bytes = {pid: t.records.tobytes() for pid, t in tables.items()}
    frame_bytes = recording.frames.tobytes()
    scalar_bytes = {pid: recording.scalars(pid).tobytes() for pid in SCALAR_DTYPES}
    header = PACKET_HEADER.pack
    for pid, item in zip(ids, items):
        if pid == PacketId.FRAME_START:
            parts.append(_FRAME_START_HEADER + frame_bytes[item * 24:(item + 1) * 24])
        elif pid == PacketId.FRAME_END:
            parts.append(_FRAME_END)
        elif pid in tables:
            table = tables[pid]
            size = table.records.dtype.itemsize
            a, b = int(table.starts[item]), int(table.starts[item + 1])
            parts.append(header(pid, 2 + (b - a) * size) + struct.pack("<H", b - a)
                         + record_bytes[pid][a * size:b * size])
        elif pid in scalar_bytes:
            parts.append(header(pid, 8) + scalar_bytes[pid][item * 8:(item + 1) * 8])
        else:
            parts.append(encode_packet(pid, recording.objects(pid)[item]))
    return b"".join(parts)


def write_recording(recording: Recording, path) -> None:
    with open(path, "wb") as f:
        f.write(recording_bytes(recording))


class RecordingWriter:
    """Append-only recorder file, written the way CARLA writes it.

    Each `write_frame` appends FrameStart (DurationThis -1.0), the given packets and FrameEnd, then patches
    the previous frame's DurationThis with this frame's delta. With `flush_every_frame` (the default) the
    file is flushed after each frame, so it stays readable up to the last whole frame if the process dies.
    """

    def __init__(self, path, map_name: str, date: int | None = None, version: int = VERSION,
                 flush_every_frame: bool = True):
        self.path = os.fspath(path)
        self.header = RecordingHeader(version, map_name, int(time.time()) if date is None else int(date))
        try:
            self._file = open(self.path, "wb")
        except OSError as exc:
            raise RecorderFileError(f"cannot open recorder file {self.path} for writing: "
                                    f"{exc.strerror or exc}") from None
        self.flush_every_frame = flush_every_frame
        self.frame_id = 0
        self.elapsed = 0.0
        self._previous_duration_at = None
        self._file.write(encode_header(self.header))
        self._end = self._file.tell()
        if flush_every_frame:
            self._file.flush()

    @property
    def closed(self) -> bool:
        return self._file.closed

    def write_frame(self, packets, delta_seconds: float = 0.0) -> int:
        """Append one frame; `packets` is a sequence of (packet id, payload) in file order.

        Frame ids count from 1; frame 1 has Elapsed 0, later frames add `delta_seconds` (CARLA's rule).
        Returns the frame id.
        """
        if self._file.closed:
            raise RecorderFileError(f"recorder file {self.path} is closed")
        body = []
        for pid, payload in packets:
            if pid in (PacketId.FRAME_START, PacketId.FRAME_END):
                raise RecorderFileError(f"{packet_name(pid)} is written by write_frame itself")
            body.append(encode_packet(pid, payload))
        if self.frame_id == 0:
            delta = 0.0
            self.elapsed = 0.0
        else:
            delta = float(delta_seconds)
            self.elapsed += delta
        self.frame_id += 1
        frame = np.array([(self.frame_id, -1.0, self.elapsed)], FRAME_DTYPE)
        start = self._end
        data = b"".join([_FRAME_START_HEADER, frame.tobytes(), *body, _FRAME_END])
        self._file.seek(start)
        self._file.write(data)
        self._end = start + len(data)
        if self._previous_duration_at is not None:
            self._file.seek(self._previous_duration_at)
            self._file.write(struct.pack("<d", delta))
            self._file.seek(self._end)
        self._previous_duration_at = start + _DURATION_OFFSET
        if self.flush_every_frame:
            self._file.flush()
        return self.frame_id

    def flush(self) -> None:
        if not self._file.closed:
            self._file.flush()

    def close(self) -> None:
        """Close the file; the last frame keeps DurationThis -1.0, as in CARLA."""
        if not self._file.closed:
            self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


#: CARLA 0.9.10-0.9.13 order of packets inside a frame (FrameStart and FrameEnd aside).
FRAME_PACKET_ORDER = (
    PacketId.EVENT_ADD, PacketId.EVENT_DEL, PacketId.EVENT_PARENT, PacketId.COLLISION, PacketId.POSITION,
    PacketId.STATE, PacketId.ANIM_VEHICLE, PacketId.ANIM_WALKER, PacketId.VEHICLE_LIGHT, PacketId.SCENE_LIGHT,
    PacketId.KINEMATICS, PacketId.BOUNDING_BOX, PacketId.TRIGGER_VOLUME, PacketId.PLATFORM_TIME,
    PacketId.PHYSICS_CONTROL, PacketId.TRAFFIC_LIGHT_TIME,
)
_ALWAYS = (PacketId.EVENT_ADD, PacketId.EVENT_DEL, PacketId.EVENT_PARENT, PacketId.COLLISION, PacketId.POSITION,
           PacketId.STATE, PacketId.ANIM_VEHICLE, PacketId.ANIM_WALKER, PacketId.VEHICLE_LIGHT)
_ADDITIONAL_ALWAYS = (PacketId.KINEMATICS, PacketId.BOUNDING_BOX, PacketId.PLATFORM_TIME)
_ONLY_WHEN_NON_EMPTY = (PacketId.SCENE_LIGHT, PacketId.TRIGGER_VOLUME, PacketId.PHYSICS_CONTROL,
                        PacketId.TRAFFIC_LIGHT_TIME)


def standard_frame_packets(payloads: dict, additional_data: bool = False) -> list[tuple[int, object]]:
    """The packets of one frame in CARLA's order, from {packet id: payload}.

    Packets CARLA writes every frame get an empty payload when missing; SceneLight, TriggerVolume,
    PhysicsControl and TrafficLightTime are left out when empty; the additional-data packets only with
    `additional_data` (PlatformTime is then required).
    """
    unknown = set(payloads) - set(FRAME_PACKET_ORDER)
    if unknown:
        raise RecorderFileError(f"not a standard frame packet: {sorted(packet_name(p) for p in unknown)}")
    if not additional_data:
        extra = set(payloads) & {*_ADDITIONAL_ALWAYS, PacketId.TRIGGER_VOLUME, PacketId.PHYSICS_CONTROL,
                                 PacketId.TRAFFIC_LIGHT_TIME}
        if extra:
            raise RecorderFileError(f"additional-data packets without additional_data: "
                                    f"{sorted(packet_name(p) for p in extra)}")
    elif PacketId.PLATFORM_TIME not in payloads:
        raise RecorderFileError("a frame with additional data needs its PLATFORM_TIME")
    out = []
    for pid in FRAME_PACKET_ORDER:
        payload = payloads.get(pid)
        empty = payload is None or (not isinstance(payload, float) and len(payload) == 0)
        if pid in _ONLY_WHEN_NON_EMPTY and empty:
            continue
        if pid in _ADDITIONAL_ALWAYS and not additional_data:
            continue
        if empty and pid != PacketId.PLATFORM_TIME:
            payload = [] if pid == PacketId.EVENT_ADD else np.zeros(0, RECORD_DTYPES[pid])
        out.append((pid, payload))
    return out
