"""Piecewise cubic polynomials, the shape OpenDRIVE uses for elevation, lane offset and lane width."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Cubic:
    """One record a + b*ds + c*ds^2 + d*ds^3, valid from ``start`` on."""

    start: float
    a: float
    b: float = 0.0
    c: float = 0.0
    d: float = 0.0


class PiecewiseCubic:
    """A sequence of cubic records sorted by start; each holds until the next one starts.

    Before the first record the first one is extrapolated; an empty sequence is zero everywhere.
    """

    def __init__(self, records: list[Cubic] | tuple[Cubic, ...] = ()):
        ordered = sorted(records, key=lambda r: r.start)
        self.records: tuple[Cubic, ...] = tuple(ordered)
        self._starts = np.array([r.start for r in ordered], dtype=np.float64)
        self._coeffs = np.array([[r.a, r.b, r.c, r.d] for r in ordered], dtype=np.float64).reshape(-1, 4)

    def __len__(self) -> int:
        return len(self.records)

    @property
    def is_zero(self) -> bool:
        return not np.any(self._coeffs)

    def _pieces(self, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        index = np.clip(np.searchsorted(self._starts, s, side="right") - 1, 0, len(self._starts) - 1)
        return self._coeffs[index], s - self._starts[index]

    def __call__(self, s) -> np.ndarray:
        s = np.asarray(s, dtype=np.float64)
        if not self.records:
            return np.zeros_like(s)
        coeffs, ds = self._pieces(s)
        a, b, c, d = np.moveaxis(coeffs, -1, 0)
        return a + ds * (b + ds * (c + ds * d))

    def derivative(self, s) -> np.ndarray:
        s = np.asarray(s, dtype=np.float64)
        if not self.records:
            return np.zeros_like(s)
        coeffs, ds = self._pieces(s)
        _, b, c, d = np.moveaxis(coeffs, -1, 0)
        return b + ds * (2.0 * c + ds * 3.0 * d)
