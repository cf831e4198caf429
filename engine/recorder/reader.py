"""Reading a whole recorder file into typed, vectorised records."""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

import numpy as np

from engine.recorder.codec import PACKET_HEADER, decode_payload, packet_name
from engine.recorder.errors import NotARecordingError, RecorderFileError
from engine.recorder.packets import (
    FRAME_DTYPE, MAGIC, NOT_A_RECORDING, RECORD_DTYPES, SCALAR_DTYPES, VARIABLE_IDS, PacketId,
)

_U32 = struct.Struct("<I")

#: One row per packet, in file order. `frame`: index of the latest FrameStart (-1 before the first);
#: `item`: index of the packet among the packets of its id.
PACKET_INDEX_DTYPE = np.dtype([("id", "u1"), ("offset", "<i8"), ("size", "<u4"), ("frame", "<i4"),
                               ("item", "<i4")])


@dataclass(frozen=True)
class RecordingHeader:
    version: int
    map_name: str
    date: int  # seconds since the Unix epoch
    magic: str = MAGIC

    @property
    def size(self) -> int:
        return 2 + 2 + len(self.magic.encode()) + 8 + 2 + len(self.map_name.encode("utf-8", "surrogateescape"))


@dataclass(frozen=True)
class RecordTable:
    """All records of one fixed-record packet id: packet k holds records[starts[k]:starts[k+1]]."""
    records: np.ndarray
    starts: np.ndarray
    frames: np.ndarray  # frame index of each packet

    def packet(self, k: int) -> np.ndarray:
        return self.records[self.starts[k]:self.starts[k + 1]]

    @property
    def counts(self) -> np.ndarray:
        return np.diff(self.starts)

    @property
    def record_frames(self) -> np.ndarray:
        """Frame index of every record."""
        return np.repeat(self.frames, self.counts)


def read_header(data) -> tuple[RecordingHeader, int]:
    """Parse the file header; returns it and the offset of the first packet."""
    magic_len = len(MAGIC)
    if len(data) < 4 + magic_len or struct.unpack_from("<H", data, 2)[0] != magic_len \
            or bytes(data[4:4 + magic_len]) != MAGIC.encode():
        raise NotARecordingError(NOT_A_RECORDING)
    version = struct.unpack_from("<H", data, 0)[0]
    pos = 4 + magic_len
    if len(data) < pos + 10:
        raise RecorderFileError("file header is truncated before the map name", len(data))
    date, name_len = struct.unpack_from("<qH", data, pos)
    pos += 10
    if len(data) < pos + name_len:
        raise RecorderFileError(f"file header is truncated: map name of {name_len} bytes", pos - 2)
    map_name = bytes(data[pos:pos + name_len]).decode("utf-8", "surrogateescape")
    return RecordingHeader(version, map_name, date), pos + name_len


def scan_packets(data, start: int, complete_frames_only: bool = False) -> tuple[np.ndarray, int]:
    """Walk the packet framing from `start` to the end of `data`.

    Returns the packet index and the end of the last packet kept. A packet cut short by the end of the
    data, or bytes too few for a packet header, raise RecorderFileError; with `complete_frames_only`
    they, and every packet after the last FrameEnd, are dropped instead (a recording cut off mid-frame).
    """
    n = len(data)
    size_at = _U32.unpack_from
    offsets = []
    append = offsets.append
    pos = start
    last_header = n - PACKET_HEADER.size
    while pos <= last_header:  # the only per-packet Python work: each header says where the next one is
        append(pos)
        pos += 5 + size_at(data, pos + 1)[0]
    problem = None
    if pos > n:
        cut = offsets.pop()
        pid, size = PACKET_HEADER.unpack_from(data, cut)
        problem = RecorderFileError(
            f"{packet_name(pid)} packet (id {pid}) claims {size} payload bytes but only {n - cut - 5} remain "
            f"(file truncated or packet size corrupt)", cut)
    elif pos < n:
        problem = RecorderFileError(f"{n - pos} bytes left over at the end, too few for a packet header", pos)
    raw = np.frombuffer(data, np.uint8)
    offs = np.asarray(offsets, np.int64)
    index = np.zeros(len(offs), PACKET_INDEX_DTYPE)
    index["offset"] = offs
    if len(offs):
        index["id"] = raw[offs]
        index["size"] = (raw[offs + 1].astype(np.uint32) | (raw[offs + 2].astype(np.uint32) << 8)
                         | (raw[offs + 3].astype(np.uint32) << 16) | (raw[offs + 4].astype(np.uint32) << 24))
    end = int(offs[-1] + 5 + index["size"][-1]) if len(offs) else start
    if complete_frames_only:
        ends = np.flatnonzero(index["id"] == PacketId.FRAME_END)
        keep = ends[-1] + 1 if len(ends) else 0
        index = index[:keep]
        end = int(index["offset"][-1] + 5 + index["size"][-1]) if keep else start
    elif problem is not None:
        raise problem
    index["frame"] = np.cumsum(index["id"] == PacketId.FRAME_START) - 1
    ids = index["id"]
    order = np.argsort(ids, kind="stable")
    counts = np.bincount(ids, minlength=256)
    firsts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    items = np.empty(len(ids), np.int32)
    items[order] = np.arange(len(ids)) - np.repeat(firsts, counts)
    index["item"] = items
    return index, end


def _gather(data, offsets: np.ndarray, sizes: np.ndarray, skip: int) -> bytes:
    """Concatenate the payloads of the given packets, each without its first `skip` bytes."""
    view = memoryview(data)
    return b"".join([view[o + 5 + skip:o + 5 + s] for o, s in zip(offsets.tolist(), sizes.tolist())])


class Recording:
    """A parsed recorder file.

    `frames` holds one FRAME_DTYPE row per FrameStart (in file order), `packets` the packet index.
    Fixed-record packets are in `table(id)` (all packets of that id concatenated), scalar packets in
    `scalars(id)`; variable packets (EventAdd, PhysicsControl, WalkerBones, AnimVehicleWheels) and
    unknown ids are decoded per packet.
    """

    def __init__(self, header: RecordingHeader, packets: np.ndarray, frames: np.ndarray,
                 tables: dict, scalars: dict, objects: dict, size: int, dropped_bytes: int = 0,
                 decoded: frozenset | None = None):
        self.header = header
        self.decoded = decoded  # the packet ids whose payloads were decoded; None: all of them
        self.packets = packets
        self.frames = frames
        self._tables = tables
        self._scalars = scalars
        self._objects = objects
        self.size = size
        self.dropped_bytes = dropped_bytes

    # --- summary ---
    @property
    def frame_count(self) -> int:
        """Id of the last FrameStart (what CARLA's queries print as `Frames:`)."""
        return int(self.frames["id"][-1]) if len(self.frames) else 0

    @property
    def duration(self) -> float:
        """Elapsed of the last FrameStart (CARLA's total recorded time)."""
        return float(self.frames["elapsed"][-1]) if len(self.frames) else 0.0

    # --- access ---
    def _check_decoded(self, packet_id: int) -> None:
        if self.decoded is not None and packet_id not in self.decoded:
            raise KeyError(f"{packet_name(packet_id)} packets were not decoded (see parse_recording's packet_ids)")

    def table(self, packet_id: int) -> RecordTable:
        if packet_id not in RECORD_DTYPES:
            raise KeyError(f"{packet_name(packet_id)} is not a fixed-record packet")
        self._check_decoded(packet_id)
        return self._tables.get(packet_id) or RecordTable(
            np.zeros(0, RECORD_DTYPES[packet_id]), np.zeros(1, np.int64), np.zeros(0, np.int32))

    def scalars(self, packet_id: int) -> np.ndarray:
        self._check_decoded(packet_id)
        return self._scalars.get(packet_id, np.zeros(0, SCALAR_DTYPES[packet_id]))

    def objects(self, packet_id: int) -> list:
        self._check_decoded(packet_id)
        return self._objects.get(packet_id, [])

    def payload(self, k: int):
        """Typed payload of packet k (see codec.decode_payload for the types)."""
        row = self.packets[k]
        pid, item = int(row["id"]), int(row["item"])
        if pid == PacketId.FRAME_START:
            return self.frames[item]
        if pid == PacketId.FRAME_END:
            return None
        self._check_decoded(pid)
        if pid in RECORD_DTYPES:
            return self._tables[pid].packet(item)
        if pid in SCALAR_DTYPES:
            return self._scalars[pid][item].item()
        return self._objects[pid][item]

    def iter_packets(self):
        """(packet id, payload) for every packet in file order."""
        for k in range(len(self.packets)):
            yield int(self.packets["id"][k]), self.payload(k)

    def frame_packets(self, frame_index: int) -> list[tuple[int, object]]:
        """(packet id, payload) of every packet between FrameStart and FrameEnd of one frame."""
        rows = np.flatnonzero(self.packets["frame"] == frame_index)
        return [(int(self.packets["id"][k]), self.payload(k)) for k in rows
                if self.packets["id"][k] not in (PacketId.FRAME_START, PacketId.FRAME_END)]


def parse_recording(data, complete_frames_only: bool = False, packet_ids=None) -> Recording:
    """Parse a whole recording held in memory; every byte is accounted for or RecorderFileError is raised.

    With `packet_ids`, only the payloads of those packet ids are decoded (frames always are); the framing and
    the sizes of fixed-size packets are checked all the same.
    """
    wanted = None if packet_ids is None else frozenset(int(p) for p in packet_ids)
    header, start = read_header(data)
    packets, end = scan_packets(data, start, complete_frames_only)
    ids, offsets, sizes = packets["id"], packets["offset"], packets["size"]
    raw = np.frombuffer(data, np.uint8)

    def of(pid):
        mask = ids == pid
        return offsets[mask], sizes[mask], packets["frame"][mask]

    o, s, _ = of(PacketId.FRAME_START)
    bad = np.flatnonzero(s != FRAME_DTYPE.itemsize)
    if len(bad):
        raise RecorderFileError(f"FRAME_START packet: size {s[bad[0]]}, expected {FRAME_DTYPE.itemsize}", int(o[bad[0]]))
    frames = np.frombuffer(_gather(data, o, s, 0), FRAME_DTYPE)
    o, s, _ = of(PacketId.FRAME_END)
    bad = np.flatnonzero(s != 0)
    if len(bad):
        raise RecorderFileError(f"FRAME_END packet: size {s[bad[0]]}, expected 0", int(o[bad[0]]))

    tables = {}
    for pid, dtype in RECORD_DTYPES.items():
        o, s, f = of(pid)
        if not len(o):
            continue
        short = np.flatnonzero(s < 2)
        if len(short):
            raise RecorderFileError(f"{packet_name(pid)} packet: size {s[short[0]]} cannot hold the record count",
                                    int(o[short[0]]))
        counts = raw[o + 5].astype(np.int64) | (raw[o + 6].astype(np.int64) << 8)
        bad = np.flatnonzero(s != 2 + counts * dtype.itemsize)
        if len(bad):
            k = bad[0]
            raise RecorderFileError(
                f"{packet_name(pid)} packet: size {s[k]} does not match its {counts[k]} records of "
                f"{dtype.itemsize} bytes (expected {2 + counts[k] * dtype.itemsize})", int(o[k]))
        if wanted is not None and pid not in wanted:
            continue
        records = np.frombuffer(_gather(data, o, s, 2), dtype)
        tables[pid] = RecordTable(records, np.concatenate(([0], np.cumsum(counts))), f)

    scalars = {}
    for pid, dtype in SCALAR_DTYPES.items():
        o, s, _ = of(pid)
        if not len(o):
            continue
        bad = np.flatnonzero(s != dtype.itemsize)
        if len(bad):
            raise RecorderFileError(f"{packet_name(pid)} packet: size {s[bad[0]]}, expected {dtype.itemsize}",
                                    int(o[bad[0]]))
        if wanted is not None and pid not in wanted:
            continue
        scalars[pid] = np.frombuffer(_gather(data, o, s, 0), dtype)

    objects = {}
    known = set(RECORD_DTYPES) | set(SCALAR_DTYPES) | {PacketId.FRAME_START, PacketId.FRAME_END}
    for pid in np.unique(ids).tolist():
        if pid in known or (wanted is not None and pid not in wanted):
            continue
        o, s, _ = of(pid)
        empty = bytes(2)  # a record count of 0 and nothing else: most per-frame variable packets
        objects[pid] = [[] if size == 2 and data[off + 5:off + 7] == empty and pid in VARIABLE_IDS
                        else decode_payload(pid, data, off + 5, size) for off, size in zip(o.tolist(), s.tolist())]
    return Recording(header, packets, frames, tables, scalars, objects, end, len(data) - end, wanted)


def read_file_bytes(path) -> bytes:
    """The bytes of a recorder file; RecorderFileError naming the path when it cannot be read."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise RecorderFileError(f"cannot read recorder file {os.fspath(path)}: {exc.strerror or exc}") from None


def read_recording(path, complete_frames_only: bool = False, packet_ids=None) -> Recording:
    """Read and parse a recorder file (see parse_recording)."""
    return parse_recording(read_file_bytes(path), complete_frames_only, packet_ids)
