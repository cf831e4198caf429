"""Shared argument parsing for the client scripts: each prints one JSON line that both clients must match."""
import argparse
import json

import carla


def connect(extra=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2000)
    for name, kwargs in (extra or {}).items():
        parser.add_argument(name, **kwargs)
    args = parser.parse_args()
    client = carla.Client(args.host, args.port)
    client.set_timeout(20.0)
    return client, args


def emit(result: dict) -> None:
    print(json.dumps(result, sort_keys=True))


def synchronous(world, on: bool, delta=0.05):
    settings = world.get_settings()
    settings.synchronous_mode = on
    settings.fixed_delta_seconds = delta if on else None
    return world.apply_settings(settings)
