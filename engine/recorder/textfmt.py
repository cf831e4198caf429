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


def format_rows(line_format: str, columns: list, starts) -> list[str]:
    """One string per packet: `line_format` applied to each record of packet k (records starts[k]:starts[k+1]).

    `columns` are equal-length lists of Python values; each packet is formatted by one C-level `%`.
    """
    width = len(columns)
    n = len(columns[0])
    table = np.empty((n, width), dtype=object)
    for j, col in enumerate(columns):
        table[:, j] = col
    flat = table.ravel().tolist()
    starts = np.asarray(starts).tolist()
    return [(line_format * (b - a)) % tuple(flat[a * width:b * width]) for a, b in zip(starts[:-1], starts[1:])]


def vector_columns(vectors: np.ndarray) -> list[list[float]]:
    """The X, Y, Z columns of an (n, 3) float array as Python lists."""
    return [vectors[:, 0].tolist(), vectors[:, 1].tolist(), vectors[:, 2].tolist()]
