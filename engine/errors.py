"""Errors shared by the engine's layers."""


class RequestError(Exception):
    """A request the server refuses; the message goes back to the client, which raises RuntimeError."""
