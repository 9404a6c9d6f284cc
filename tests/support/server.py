"""Run the real `ayo serve` in a subprocess on a free loopback port (tests and bench/ alike)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.console import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Running:
    """A started `ayo serve`: where it answers, its pid, and how long it took to answer."""

    url: str
    pid: int
    started_in: float  # seconds from spawning the process to the first 200 of `ready`


@contextmanager
def serve_process(
    env: dict[str, str],
    *args: str,
    output: Path | None = None,
    cwd: Path = ROOT,
    ready: str = "/healthz",
    timeout: float = 90,
    poll: float = 0.05,
) -> Iterator[Running]:
    """Start `ayo serve` from the tree at `cwd` and yield once `ready` answers 200.

    With `output`, everything the process writes (stdout and stderr) is kept in that file;
    without, it is read only to explain an early exit.
    """
    port = free_port()
    sink = output.open("w") if output is not None else subprocess.PIPE
    started = time.perf_counter()
    command = [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1"]
    process = subprocess.Popen(
        [*command, "--port", str(port), *args],
        cwd=cwd,
        env=env,
        stdout=sink,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = started + timeout
        while True:
            if process.poll() is not None:
                said = output.read_text() if output is not None else process.stdout.read()
                raise RuntimeError(f"ayo serve exited: {said[-3000:]}")
            try:
                if httpx.get(f"{url}{ready}", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.perf_counter() > deadline:
                raise TimeoutError(f"ayo serve did not answer {ready}")
            time.sleep(poll)
        yield Running(url, process.pid, time.perf_counter() - started)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if output is None:
            process.stdout.close()
        else:
            sink.close()


@contextmanager
def ayo_server(env: dict[str, str], *args: str, output: Path | None = None) -> Iterator[str]:
    """Start `ayo serve` and yield its base URL once /healthz answers."""
    with serve_process(env, *args, output=output, poll=0.2) as running:
        yield running.url
