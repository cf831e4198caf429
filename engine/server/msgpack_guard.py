"""Find an oversized length announced in an incomplete msgpack message.

msgpack's unpacker waits for a declared payload before checking its size, so a value announcing a
2 GB string would make the server wait (and buffer) forever. This walks only the headers of the bytes
received so far and reports the first declared length over the limit.
"""
from __future__ import annotations

import struct

_FIXED = {0xc0: 0, 0xc2: 0, 0xc3: 0, 0xca: 4, 0xcb: 8, 0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8,
          0xd0: 1, 0xd1: 2, 0xd2: 4, 0xd3: 8, 0xd4: 2, 0xd5: 3, 0xd6: 5, 0xd7: 9, 0xd8: 17}
_SIZED = {0xc4: (1, "B"), 0xc5: (2, ">H"), 0xc6: (4, ">I"), 0xd9: (1, "B"), 0xda: (2, ">H"), 0xdb: (4, ">I"),
          0xc7: (1, "B"), 0xc8: (2, ">H"), 0xc9: (4, ">I")}          # bin, str, ext: payload follows
_CONTAINERS = {0xdc: (2, ">H", 1), 0xdd: (4, ">I", 1), 0xde: (2, ">H", 2), 0xdf: (4, ">I", 2)}


def oversized_announcement(data: bytes, limit: int):
    """The first declared length above `limit` in the headers of `data`, or None."""
    pos, pending, n = 0, 1, len(data)
    while pending and pos < n:
        pending -= 1
        byte = data[pos]
        pos += 1
        if byte <= 0x7f or byte >= 0xe0:
            continue
        if 0x80 <= byte <= 0x8f:
            pending += 2 * (byte & 0x0f)
        elif 0x90 <= byte <= 0x9f:
            pending += byte & 0x0f
        elif 0xa0 <= byte <= 0xbf:
            pos += byte & 0x1f
        elif byte in _FIXED:
            pos += _FIXED[byte]
        elif byte in _SIZED:
            width, fmt = _SIZED[byte]
            if pos + width > n:
                return None
            size = struct.unpack_from(fmt, data, pos)[0]
            if size > limit:
                return size
            pos += width + size + (1 if byte in (0xc7, 0xc8, 0xc9) else 0)
        elif byte in _CONTAINERS:
            width, fmt, per_item = _CONTAINERS[byte]
            if pos + width > n:
                return None
            count = struct.unpack_from(fmt, data, pos)[0]
            if count > limit:
                return count
            pos += width
            pending += per_item * count
        else:
            return None   # 0xc1 (never used): the unpacker reports it
        if pending == 0 and pos < n:
            pending = 1   # the next message starts
    return None
