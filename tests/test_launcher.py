"""CarlaUE4.sh flags: Unreal style, case-insensitive; bad input exits 2 with one line."""
import signal
import socket
import subprocess
import sys

import pytest

from launcher.config import UsageError, parse_args
from serverproc import ROOT, ServerProcess, free_port_pair


def run_launcher(*args, timeout=60):
    return subprocess.run([sys.executable, "-m", "launcher", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def test_defaults_are_carla_ports_and_epic():
    config = parse_args([])
    assert (config.rpc_port, config.streaming_port, config.quality_level) == (2000, 2001, "Epic")
    assert config.render_mode == "auto" and config.fixed_delta_seconds is None


@pytest.mark.parametrize("flag", ["-carla-rpc-port=3000", "-carla-port=3000", "-carla-world-port=3000",
                                  "-CARLA-RPC-PORT=3000", "--carla-rpc-port=3000"])
def test_rpc_port_aliases_and_case(flag):
    config = parse_args([flag])
    assert config.rpc_port == 3000 and config.streaming_port == 3001


def test_streaming_port_quality_render_and_benchmark_flags():
    config = parse_args(["Town01", "-carla-streaming-port=4000", "-quality-level=low", "-RenderOffScreen",
                         "-benchmark", "-fps=20", "-windowed", "-ResX=320", "-ResY=240", "-carla-server"])
    assert config.map_name == "Town01" and config.streaming_port == 4000 and config.quality_level == "Low"
    assert config.render_mode == "offscreen" and config.fixed_delta_seconds == pytest.approx(0.05)
    assert (config.res_x, config.res_y, config.windowed) == (320, 240, True)
    assert parse_args(["-nullrhi"]).render_mode == "none"


@pytest.mark.parametrize("args", [["-quality-level=Ultra"], ["-carla-rpc-port=abc"], ["-carla-rpc-port=70000"],
                                  ["-unknown-flag"], ["-fps=10"], ["Town01", "Town02"]])
def test_bad_flags_are_usage_errors(args):
    with pytest.raises(UsageError):
        parse_args(args)


def test_bad_flag_exits_2_with_one_line():
    done = run_launcher("-quality-level=Ultra")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "Ultra" in done.stderr


def test_unknown_map_exits_2_listing_maps():
    done = run_launcher("NoSuchTown", f"-carla-rpc-port={free_port_pair()}")
    assert done.returncode == 2 and "Town01" in done.stderr


def test_taken_port_exits_2_with_one_line():
    port = free_port_pair()
    with socket.socket() as blocker:
        blocker.bind(("0.0.0.0", port))
        blocker.listen(1)
        done = run_launcher(f"-carla-rpc-port={port}", "-nullrhi")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and str(port) in done.stderr


def test_help_prints_usage():
    done = run_launcher("--help")
    assert done.returncode == 0 and "-quality-level" in done.stdout


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ready_line_reports_start_time_and_signals_stop_cleanly(sig):
    server = ServerProcess("-nullrhi")
    server.start()
    assert "ready" in server.ready_line and "started in" in server.ready_line
    server.process.send_signal(sig)
    out, err = server.process.communicate(timeout=30)
    assert server.process.returncode == 0, err
    assert "stopped" in out


def test_the_first_signal_makes_later_ones_harmless_during_shutdown():
    from launcher import __main__ as entry
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with pytest.raises(entry._Shutdown):
            entry._raise_shutdown(signal.SIGTERM, None)
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


@pytest.mark.parametrize("port", ["world", "traffic manager"])
def test_a_signal_during_a_call_stops_the_server_instead_of_failing_the_call(port):
    from engine.server.rpc import Dispatcher
    from engine.traffic.tm_server import PlainDispatcher
    from launcher import __main__ as entry
    dispatcher = Dispatcher() if port == "world" else PlainDispatcher()
    dispatcher.register("busy", lambda: signal.raise_signal(signal.SIGTERM))
    params = [[False]] if port == "world" else []
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    signal.signal(signal.SIGTERM, entry._raise_shutdown)
    try:
        with pytest.raises(entry._Shutdown):
            dispatcher.handle_message([0, 1, "busy", params])
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
