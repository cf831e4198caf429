"""The server: owns the listening sockets, the loop and the service; released explicitly by close()."""
from __future__ import annotations

from engine.server.loop import ServerLoop, listen
from engine.server.service import CarlaService


class Server:
    def __init__(self, config):
        self.config = config
        rpc = listen(config.host, config.rpc_port)
        try:
            stream = listen(config.host, config.streaming_port)
        except OSError:
            rpc.close()
            raise
        self.loop = ServerLoop(rpc, stream)
        try:
            self.service = CarlaService(config, self.loop)
        except Exception:
            self.loop.close()
            raise
        self.loop.service = self.service

    def serve_forever(self) -> None:
        self.loop.run()

    def stop(self) -> None:
        self.loop.stop()

    def close(self) -> None:
        self.loop.close()
