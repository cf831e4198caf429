"""The error a malformed OpenDRIVE document raises: what is wrong, and in which file, line and column."""

from __future__ import annotations

from typing import Optional


class OpenDriveError(ValueError):
    """Malformed or unusable OpenDRIVE input.

    ``problem`` says what is wrong; ``source`` (the file or text name given to the parser), ``line``
    and ``column`` (both from 1) say where, each None where unknown. ``str()`` reads
    ``"Town01.xodr, line 12, column 5: road 3: <geometry> is missing attribute 'hdg'"``.
    """

    def __init__(
        self,
        problem: str,
        source: Optional[str] = None,
        line: Optional[int] = None,
        column: Optional[int] = None,
    ):
        self.problem = problem
        self.source = source
        self.line = line
        self.column = column
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = [part for part in (self.source, _position(self.line, self.column)) if part]
        return f"{', '.join(where)}: {self.problem}" if where else self.problem


def _position(line: Optional[int], column: Optional[int]) -> str:
    if line is None:
        return ""
    return f"line {line}, column {column}" if column is not None else f"line {line}"
