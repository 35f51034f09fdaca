"""Starts a real `tg4 serve` subprocess for the Python tests and stops it afterwards."""
from __future__ import annotations

import os
import re
import select
import subprocess
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class TG4Serve:
    """`TG4Serve(t)` starts and waits; `TG4Serve(t, wait=False)` then `.wait()` lets several start side by side."""

    def __init__(self, transport: str, *extra: str, wait: bool = True):
        if transport in ("ipc", "unix"):
            self._dir = tempfile.mkdtemp(prefix="tg4py-")
            bind = f"{transport}://{self._dir}/s.sock"
        else:
            bind = "tcp://127.0.0.1:0"
        node = os.environ.get("TG4_NODE", "node")
        self.proc = subprocess.Popen([node, os.path.join(ROOT, "bin", "tg4.js"), "serve", "--bind", bind, *extra],
                                     cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if wait:
            self.wait()

    def wait(self) -> "TG4Serve":
        """Blocks until the server printed `listening on ADDRESS` (sets self.address)."""
        deadline = time.time() + 90  # the CLI loads every command module: slow on a loaded box
        out = b""
        while time.time() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.5)
            if ready:
                line = self.proc.stdout.readline()
                out += line
                m = re.search(rb"listening on (\S+)", line)
                if m:
                    self.address = m.group(1).decode()
                    return self
            if self.proc.poll() is not None:
                break
        self.stop()
        raise RuntimeError(f"tg4 serve did not start: {out!r} {self.proc.stderr.read()!r}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()
