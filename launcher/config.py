"""Unreal-style command-line flags of CarlaUE4.sh, turned into a ServerConfig."""
from __future__ import annotations

import dataclasses
from typing import Optional, Sequence

QUALITY_LEVELS = ("Epic", "Low")

USAGE = """usage: CarlaUE4.sh [MAP] [-carla-rpc-port=N] [-carla-streaming-port=N] [-quality-level=Epic|Low]
                  [-RenderOffScreen] [-nullrhi] [-benchmark -fps=N] [-windowed -ResX=W -ResY=H]
                  [-carla-server] [--help]

  MAP                       map to load at start (e.g. Town01 or /Game/Carla/Maps/Town01)
  -carla-rpc-port=N         world (RPC) port, default 2000 (aliases -carla-port, -carla-world-port)
  -carla-streaming-port=N   sensor and episode streams, default rpc port + 1
  -quality-level=Epic|Low   rendering quality, default Epic
  -RenderOffScreen          render cameras without a window
  -nullrhi                  no rendering at all (cameras deliver nothing)
  -benchmark -fps=N         fixed time step 1/N seconds in asynchronous mode
  -windowed -ResX=W -ResY=H spectator window size
  -carla-server             accepted for compatibility (0.8 habit)
  --help                    show this message"""


class UsageError(ValueError):
    """A flag the server does not understand or a bad value."""


@dataclasses.dataclass(frozen=True)
class ServerConfig:
    rpc_port: int = 2000
    streaming_port: int = 2001
    host: str = "0.0.0.0"
    quality_level: str = "Epic"
    render_mode: str = "auto"          # "window", "offscreen", "none" or "auto" (window if a display exists)
    benchmark: bool = False
    fps: Optional[float] = None        # -benchmark -fps=N: fixed delta 1/N in asynchronous mode
    res_x: int = 800
    res_y: int = 600
    windowed: bool = False
    map_name: str = "Town01"

    @property
    def fixed_delta_seconds(self) -> Optional[float]:
        return 1.0 / self.fps if self.benchmark and self.fps else None


def _int_value(flag: str, text: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise UsageError(f"{flag} expects an integer, got '{text}'") from None
    if not low <= value <= high:
        raise UsageError(f"{flag} must be between {low} and {high}, got {value}")
    return value


def parse_args(argv: Sequence[str]) -> ServerConfig:
    """Parse CarlaUE4.sh flags (case-insensitive, one or two leading dashes)."""
    values: dict = {}
    rpc_port = 2000
    streaming_port = None
    render_offscreen = nullrhi = False
    for position, arg in enumerate(argv):
        if not arg.startswith("-"):
            if position != 0 or "map_name" in values:
                raise UsageError(f"unexpected argument '{arg}' (only the map name may come first)")
            values["map_name"] = arg
            continue
        name, has_value, value = arg.lstrip("-").partition("=")
        key = name.lower()
        if key in ("help", "h"):
            raise SystemExit(USAGE)
        if key in ("carla-rpc-port", "carla-port", "carla-world-port", "world-port"):
            rpc_port = _int_value(arg.split("=")[0], value, 1, 65535) if has_value else _missing(arg)
        elif key == "carla-streaming-port":
            streaming_port = _int_value("-carla-streaming-port", value, 0, 65535) if has_value else _missing(arg)
        elif key == "quality-level":
            matches = [q for q in QUALITY_LEVELS if q.lower() == value.lower()]
            if not matches:
                raise UsageError(f"-quality-level must be Epic or Low, got '{value}'")
            values["quality_level"] = matches[0]
        elif key == "renderoffscreen" and not has_value:
            render_offscreen = True
        elif key == "nullrhi" and not has_value:
            nullrhi = True
        elif key == "benchmark" and not has_value:
            values["benchmark"] = True
        elif key == "fps":
            fps = _int_value("-fps", value, 1, 100000) if has_value else _missing(arg)
            values["fps"] = float(fps)
        elif key == "windowed" and not has_value:
            values["windowed"] = True
        elif key == "resx":
            values["res_x"] = _int_value("-ResX", value, 1, 16384) if has_value else _missing(arg)
        elif key == "resy":
            values["res_y"] = _int_value("-ResY", value, 1, 16384) if has_value else _missing(arg)
        elif key == "carla-server" and not has_value:
            pass  # 0.8 habit: the server is always a server
        else:
            raise UsageError(f"unknown flag '{arg}'")
    if values.get("fps") and not values.get("benchmark"):
        raise UsageError("-fps=N needs -benchmark")
    if streaming_port is None or streaming_port == 0:
        streaming_port = rpc_port + 1
        if streaming_port > 65535:
            raise UsageError(f"no streaming port after rpc port {rpc_port}; set -carla-streaming-port")
    if streaming_port == rpc_port:
        raise UsageError("-carla-streaming-port must differ from the rpc port")
    render_mode = "none" if nullrhi else ("offscreen" if render_offscreen else "auto")
    return ServerConfig(rpc_port=rpc_port, streaming_port=streaming_port, render_mode=render_mode, **values)


def _missing(arg: str):
    raise UsageError(f"{arg} needs a value ({arg}=...)")
