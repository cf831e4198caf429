"""Read an X window dump (xwd, ZPixmap, 24/32 bits per pixel) into an RGB numpy array."""
import struct

import numpy as np


def read_xwd(path) -> np.ndarray:
    data = open(path, "rb").read()
    fields = struct.unpack(">25I", data[:100])
    header_size, depth = fields[0], fields[3]
    width, height, byte_order, bits_per_pixel, bytes_per_line = fields[4], fields[5], fields[7], fields[11], fields[12]
    ncolors = fields[19]
    if fields[2] != 2 or bits_per_pixel not in (24, 32) or depth < 24:
        raise ValueError(f"unsupported xwd: format {fields[2]}, depth {depth}, {bits_per_pixel} bpp")
    size = bits_per_pixel // 8
    start = header_size + 12 * ncolors
    rows = np.frombuffer(data, dtype=np.uint8, count=height * bytes_per_line, offset=start)
    pixels = rows.reshape(height, bytes_per_line)[:, :width * size].reshape(height, width, size)
    if byte_order == 0:                       # least significant byte first: B, G, R(, X)
        return pixels[..., [2, 1, 0]]
    return pixels[..., [size - 3, size - 2, size - 1]]
