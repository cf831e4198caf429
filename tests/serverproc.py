"""Start and stop a real server process on free ports, for tests and benchmarks."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "tests" / "scripts"
OFFICIAL_PYTHON = os.environ.get("CARLA_OFFICIAL_PYTHON", "/tmp/carla-official-venv/bin/python")


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("0.0.0.0", port))
            return True
        except OSError:
            return False


def free_port_pair() -> int:
    """A port P such that P and P + 1 are both free."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port < 65000 and _port_free(port) and _port_free(port + 1):
            return port
    raise RuntimeError("no free pair of ports")


class ServerProcess:
    def __init__(self, *flags: str, port: int | None = None):
        self.port = port or free_port_pair()
        self.flags = flags
        self.process = None
        self.ready_line = ""

    def __enter__(self) -> "ServerProcess":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        command = [sys.executable, "-m", "launcher", f"-carla-rpc-port={self.port}", *self.flags]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.ready_line = self.process.stdout.readline()
        if "ready" not in self.ready_line:
            self.process.kill()
            raise RuntimeError(f"server did not start: {self.ready_line}{self.process.stderr.read()}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> str:
        if self.process is None:
            return ""
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
        try:
            out, err = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
        self.process = None
        return out + err


def client_command(which: str, script: str, port: int, *args: str) -> tuple:
    """(argv, env) to run a tests/scripts program with our client or the official one."""
    env = dict(os.environ)
    if which == "ours":
        python = sys.executable
        env["PYTHONPATH"] = str(ROOT / "PythonAPI")
    else:
        python = OFFICIAL_PYTHON
        env.pop("PYTHONPATH", None)
    return [python, str(SCRIPTS / script), "--port", str(port), *args], env


def run_client(which: str, script: str, port: int, *args: str, timeout: float = 300) -> str:
    argv, env = client_command(which, script, port, *args)
    done = subprocess.run(argv, env=env, cwd=SCRIPTS, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0 and not _official_teardown_abort(which, done):
        raise AssertionError(f"{which} client failed running {script}:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip().splitlines()[-1]


def _official_teardown_abort(which: str, done) -> bool:
    """The official wheel sometimes aborts in its own C++ teardown at interpreter exit, after the script has
    printed its whole result ("terminate called without an active exception", SIGABRT); the result stands."""
    lines = done.stdout.strip().splitlines()
    return (which == "official" and done.returncode == -signal.SIGABRT and bool(lines)
            and lines[-1].startswith("{") and done.stderr.strip().endswith("terminate called without an active exception"))


def require_official_client() -> None:
    """Skip a test that needs the official client when it is missing; fail when REQUIRE_OFFICIAL_CLIENT says
    it must be there."""
    if not official_available():
        import pytest
        if os.environ.get("REQUIRE_OFFICIAL_CLIENT"):
            pytest.fail("the official carla==0.9.16 client is required (CARLA_OFFICIAL_PYTHON)")
        pytest.skip("official carla client not installed (set CARLA_OFFICIAL_PYTHON)")


def official_available() -> bool:
    return Path(OFFICIAL_PYTHON).exists()
