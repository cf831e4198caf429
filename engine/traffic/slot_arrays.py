"""Per-vehicle-slot state as numpy arrays on an owner object, named by a field table, grown by doubling.

A field table maps attribute name -> (trailing shape, dtype, fill value); row ``slot`` of each array is
the state of the vehicle in that physics slot.
"""
from __future__ import annotations

import numpy as np


def grow(owner, fields: dict, capacity: int) -> None:
    """Give each of ``owner``'s arrays ``capacity`` rows, keeping the rows it has; new rows hold the fill."""
    for name, (shape, dtype, fill) in fields.items():
        new = np.full((capacity,) + shape, fill, dtype=dtype)
        old = getattr(owner, name, None)
        if old is not None:
            new[:len(old)] = old
        setattr(owner, name, new)


def reset(owner, fields: dict, slot: int) -> None:
    """Put row ``slot`` of each of ``owner``'s arrays back to its fill."""
    for name, (_shape, _dtype, fill) in fields.items():
        getattr(owner, name)[slot] = fill


def capacity_for(capacity: int, slot: int) -> int:
    """``capacity`` doubled until it holds ``slot``."""
    capacity = max(capacity, 1)
    while capacity <= slot:
        capacity *= 2
    return capacity
