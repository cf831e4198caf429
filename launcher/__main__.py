"""Entry point of CarlaUE4.sh: flags -> ServerConfig -> a running server."""
from __future__ import annotations

import logging
import signal
import sys
import time

_START = time.monotonic()

from launcher.config import USAGE, UsageError, parse_args  # noqa: E402


class _Shutdown(BaseException):
    """Raised by SIGINT/SIGTERM wherever the main thread is. Not an Exception: a signal that lands inside a
    call handler must stop the server, not become that call's error answer (the dispatchers answer every
    Exception), as KeyboardInterrupt is not one either."""


def _raise_shutdown(signum, frame):
    # A second signal during the shutdown (a wrapper forwarding the same one) must not interrupt it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise _Shutdown()


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        config = parse_args(argv)
    except SystemExit as help_text:
        print(help_text.code)
        return 0
    except UsageError as exc:
        print(f"CarlaUE4.sh: {exc} (see --help)", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from launcher.allocator import keep_freed_memory
    keep_freed_memory()
    from engine.map.town import UnknownMapError, available_maps, town_name
    try:
        map_name = town_name(config.map_name)
    except UnknownMapError:
        print(f"CarlaUE4.sh: unknown map '{config.map_name}'; available maps: {', '.join(available_maps())}",
              file=sys.stderr)
        return 2
    import dataclasses
    config = dataclasses.replace(config, map_name=map_name)
    from engine.server.server import Server
    try:
        server = Server(config)
    except OSError as exc:
        print(f"CarlaUE4.sh: cannot listen on ports {config.rpc_port}/{config.streaming_port}: {exc.strerror or exc}",
              file=sys.stderr)
        return 2
    except RuntimeError as exc:
        print(f"CarlaUE4.sh: {exc}", file=sys.stderr)
        return 1
    signal.signal(signal.SIGINT, _raise_shutdown)
    signal.signal(signal.SIGTERM, _raise_shutdown)
    try:
        print(f"CARLA server ready: world port {config.rpc_port}, streaming port {config.streaming_port}, "
              f"map {config.map_name}, quality {config.quality_level}, rendering {server.render_mode} "
              f"(started in {time.monotonic() - _START:.2f} s)", flush=True)
        server.serve_forever()
    except _Shutdown:
        pass
    finally:
        server.close()
    print("CARLA server stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
