"""Errors of the recorder file layer."""

from __future__ import annotations

from engine.errors import RequestError


class RecorderFileError(RequestError):
    """A recorder file that cannot be read or written; the message names the offset and the problem."""

    def __init__(self, message: str, offset: int | None = None):
        self.offset = offset
        super().__init__(message if offset is None else f"{message} (at byte offset {offset})")


class NotARecordingError(RecorderFileError):
    """The file does not start with a CARLA recorder header; the message is CARLA's own."""
