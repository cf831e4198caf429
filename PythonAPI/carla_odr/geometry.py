"""Plan-view geometries of a road reference line (OpenDRIVE coordinates: x east, y north, heading CCW).

Every ``evaluate(ds)`` takes offsets along the element (``0 <= ds <= length``, numpy arrays
welcome) and returns ``(x, y, heading)`` arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable

import numpy as np

# Gauss-Legendre nodes on [0, 1]: exact for the smooth integrands of a clothoid within float precision.
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(32)
_GL_NODES = 0.5 * (_GL_NODES + 1.0)
_GL_WEIGHTS = 0.5 * _GL_WEIGHTS
# Fewer nodes per interval of an arc-length table, whose intervals are short.
_TABLE_NODES, _TABLE_WEIGHTS = np.polynomial.legendre.leggauss(8)
_TABLE_NODES = 0.5 * (_TABLE_NODES + 1.0)
_TABLE_WEIGHTS = 0.5 * _TABLE_WEIGHTS
_TABLE_INTERVALS = 256


def _to_global(x0: float, y0: float, hdg: float, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    cos_h, sin_h = np.cos(hdg), np.sin(hdg)
    return x0 + u * cos_h - v * sin_h, y0 + u * sin_h + v * cos_h


class _ArcLengthTable:
    """Curve parameter p at arc lengths s, for a curve whose speed |dr/dp| is known.

    Lengths come from Gauss-Legendre quadrature per interval of p; they are inverted by cubic Hermite
    interpolation with the exact slope dp/ds = 1/speed, which keeps the error far below a millimetre.
    """

    def __init__(self, speed: Callable[[np.ndarray], np.ndarray], p_end: float):
        p = np.linspace(0.0, p_end, _TABLE_INTERVALS + 1)
        step = p[1] - p[0]
        pieces = (speed(p[:-1, None] + step * _TABLE_NODES) @ _TABLE_WEIGHTS) * step
        self._s = np.concatenate(([0.0], np.cumsum(pieces)))
        self._p = p
        speeds = speed(p)
        secant = np.concatenate((pieces, pieces[-1:]))
        # Where the curve stops (speed 0) the slope is unbounded: use the secant there instead.
        self._dp_ds = np.where(speeds > 1e-9, 1.0 / np.maximum(speeds, 1e-9), step / np.maximum(secant, 1e-12))

    @property
    def length(self) -> float:
        return float(self._s[-1])

    def __call__(self, s: np.ndarray) -> np.ndarray:
        s = np.clip(s, 0.0, self._s[-1])
        i = np.clip(np.searchsorted(self._s, s, side="right") - 1, 0, len(self._s) - 2)
        h = self._s[i + 1] - self._s[i]
        t = np.divide(s - self._s[i], h, out=np.zeros_like(s), where=h > 0.0)
        t2, t3 = t * t, t * t * t
        return (
            (2.0 * t3 - 3.0 * t2 + 1.0) * self._p[i]
            + (t3 - 2.0 * t2 + t) * h * self._dp_ds[i]
            + (3.0 * t2 - 2.0 * t3) * self._p[i + 1]
            + (t3 - t2) * h * self._dp_ds[i + 1]
        )


@dataclass(frozen=True)
class Geometry:
    """Common part of a ``<geometry>`` record: start offset, start pose and length."""

    s: float
    x: float
    y: float
    hdg: float
    length: float

    kind = "geometry"

    def evaluate(self, ds) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        raise NotImplementedError(f"{type(self).__name__} does not define evaluate()")


@dataclass(frozen=True)
class Line(Geometry):
    kind = "line"

    def evaluate(self, ds):
        ds = np.asarray(ds, dtype=np.float64)
        cos_h, sin_h = np.cos(self.hdg), np.sin(self.hdg)
        return self.x + ds * cos_h, self.y + ds * sin_h, np.full_like(ds, self.hdg)


@dataclass(frozen=True)
class Arc(Geometry):
    curvature: float = 0.0

    kind = "arc"

    def evaluate(self, ds):
        ds = np.asarray(ds, dtype=np.float64)
        k = self.curvature
        heading = self.hdg + k * ds
        if k == 0.0:
            return Line.evaluate(self, ds)
        x = self.x + (np.sin(heading) - np.sin(self.hdg)) / k
        y = self.y - (np.cos(heading) - np.cos(self.hdg)) / k
        return x, y, heading


@dataclass(frozen=True)
class Spiral(Geometry):
    """Clothoid: curvature changes linearly from ``curv_start`` to ``curv_end`` over the length."""

    curv_start: float = 0.0
    curv_end: float = 0.0

    kind = "spiral"

    def _heading(self, ds: np.ndarray) -> np.ndarray:
        rate = (self.curv_end - self.curv_start) / self.length if self.length > 0.0 else 0.0
        return self.hdg + self.curv_start * ds + 0.5 * rate * ds * ds

    def evaluate(self, ds):
        ds = np.asarray(ds, dtype=np.float64)
        t = ds[..., None] * _GL_NODES
        theta = self._heading(t)
        x = self.x + ds * (np.cos(theta) @ _GL_WEIGHTS)
        y = self.y + ds * (np.sin(theta) @ _GL_WEIGHTS)
        return x, y, self._heading(ds)


@dataclass(frozen=True)
class Poly3(Geometry):
    """Cubic v(u) in the local frame; ``ds`` is arc length along the curve, mapped to u through a length table."""

    a: float = 0.0
    b: float = 0.0
    c: float = 0.0
    d: float = 0.0

    kind = "poly3"

    @cached_property
    def _u_of_ds(self) -> _ArcLengthTable:
        def speed(u):
            slope = self.b + u * (2.0 * self.c + u * 3.0 * self.d)
            return np.sqrt(1.0 + slope * slope)

        # The arc length is at least the u span, so u in [0, length] covers the whole element.
        return _ArcLengthTable(speed, max(self.length, 1e-9))

    def evaluate(self, ds):
        ds = np.asarray(ds, dtype=np.float64)
        u = self._u_of_ds(ds)
        v = self.a + u * (self.b + u * (self.c + u * self.d))
        slope = self.b + u * (2.0 * self.c + u * 3.0 * self.d)
        x, y = _to_global(self.x, self.y, self.hdg, u, v)
        return x, y, self.hdg + np.arctan(slope)


@dataclass(frozen=True)
class ParamPoly3(Geometry):
    """Parametric cubics u(p), v(p); p runs over [0, length] ("arcLength") or [0, 1] ("normalized").

    Either way ``ds`` is arc length along the curve (as CARLA measures it), mapped to p through a length table.
    """

    au: float = 0.0
    bu: float = 1.0
    cu: float = 0.0
    du: float = 0.0
    av: float = 0.0
    bv: float = 0.0
    cv: float = 0.0
    dv: float = 0.0
    p_range: str = "arcLength"

    kind = "paramPoly3"

    @cached_property
    def _p_of_ds(self) -> _ArcLengthTable:
        def speed(p):
            du = self.bu + p * (2.0 * self.cu + p * 3.0 * self.du)
            dv = self.bv + p * (2.0 * self.cv + p * 3.0 * self.dv)
            return np.hypot(du, dv)

        p_end = 1.0 if self.p_range == "normalized" else self.length
        return _ArcLengthTable(speed, max(p_end, 1e-9))

    def evaluate(self, ds):
        ds = np.asarray(ds, dtype=np.float64)
        p = self._p_of_ds(ds)
        u = self.au + p * (self.bu + p * (self.cu + p * self.du))
        v = self.av + p * (self.bv + p * (self.cv + p * self.dv))
        du = self.bu + p * (2.0 * self.cu + p * 3.0 * self.du)
        dv = self.bv + p * (2.0 * self.cv + p * 3.0 * self.dv)
        x, y = _to_global(self.x, self.y, self.hdg, u, v)
        return x, y, self.hdg + np.arctan2(dv, du)


class PlanView:
    """The ordered geometries of one road, evaluated as one reference line over s."""

    def __init__(self, geometries: list[Geometry] | tuple[Geometry, ...]):
        if not geometries:
            raise ValueError("a planView needs at least one geometry")
        self.geometries: tuple[Geometry, ...] = tuple(sorted(geometries, key=lambda g: g.s))
        self._starts = np.array([g.s for g in self.geometries], dtype=np.float64)

    @property
    def end_s(self) -> float:
        last = self.geometries[-1]
        return last.s + last.length

    def evaluate(self, s) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Reference-line ``(x, y, heading)`` at road offsets ``s`` (clamped to the geometries)."""
        s_in = np.asarray(s, dtype=np.float64)
        s = s_in.reshape(-1)
        x = np.empty_like(s)
        y = np.empty_like(s)
        heading = np.empty_like(s)
        index = np.clip(np.searchsorted(self._starts, s, side="right") - 1, 0, len(self.geometries) - 1)
        for i in np.unique(index):
            geometry = self.geometries[i]
            mask = index == i
            ds = np.clip(s[mask] - geometry.s, 0.0, geometry.length)
            x[mask], y[mask], heading[mask] = geometry.evaluate(ds)
        shape = s_in.shape
        return x.reshape(shape), y.reshape(shape), heading.reshape(shape)
