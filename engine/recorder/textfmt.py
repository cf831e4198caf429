"""C++ iostream number formatting as CARLA's queries print it, in bulk where it matters.

Python's `%g` matches `std::ostream << double` (6 significant digits) except for a NaN with the sign bit
set, which glibc prints as `-nan`; `g` handles that, the bulk `format_rows` prints `nan`.
"""

from __future__ import annotations

import math
import time

import numpy as np


def g(x: float) -> str:
    """A float as `std::ostream << x` prints it by default (printf %g)."""
    if x != x:
        return "-nan" if math.copysign(1.0, x) < 0 else "nan"
    return "%g" % x


def ljust_bytes(text: str, width: int) -> str:
    """Left-align in `width` columns counted in UTF-8 bytes, as std::setw does on a UTF-8 string."""
    pad = width - len(text.encode("utf-8", "surrogateescape"))
    return text + " " * pad if pad > 0 else text


def c_date(seconds: int) -> str:
    """`%x %X` of the C locale in the local time zone: MM/DD/YY HH:MM:SS."""
    return time.strftime("%m/%d/%y %H:%M:%S", time.localtime(seconds))


_ROWS_PER_CHUNK = 1 << 16


def format_rows(line_format: str, columns: list, starts) -> list[str]:
    """One string per packet: `line_format` applied to each record of packet k (records starts[k]:starts[k+1]).

    `columns` are equal-length lists of Python values or numpy arrays; each packet is formatted by one
    C-level `%`. Packets are taken some 65000 records at a time, which keeps the Python objects made for the
    formatting few however long the recording.
    """
    width = len(columns)
    starts = np.asarray(starts, np.int64)
    out = []
    k, packets = 0, len(starts) - 1
    while k < packets:
        end = int(np.searchsorted(starts, starts[k] + _ROWS_PER_CHUNK, side="right")) - 1
        end = min(max(end, k + 1), packets)
        a, b = int(starts[k]), int(starts[end])
        table = np.empty((b - a, width), dtype=object)
        for j, col in enumerate(columns):
            table[:, j] = col[a:b].tolist() if isinstance(col, np.ndarray) else col[a:b]
        flat = table.ravel().tolist()
        bounds = (starts[k:end + 1] - a).tolist()
        out.extend((line_format * (q - p)) % tuple(flat[p * width:q * width]) for p, q in zip(bounds[:-1], bounds[1:]))
        k = end
    return out


def vector_columns(vectors: np.ndarray) -> list[np.ndarray]:
    """The X, Y, Z columns of an (n, 3) float array."""
    return [vectors[:, 0], vectors[:, 1], vectors[:, 2]]
