"""Starts the real "podc serve" for the tests.

PODC_ADDR names a server already running (plaintext); otherwise the
binary at PODC_BIN, or one built from this repository, is started on a
free loopback port.
"""

import json
import os
import pathlib
import shutil
import signal
import subprocess
import tempfile

REPO_ROOT = pathlib.Path(__file__).resolve().parents[3]


class Server:
    """A running podc server: addr is its host:port."""

    def __init__(self):
        self.addr = os.environ.get("PODC_ADDR", "")
        self._proc = None
        if self.addr:
            return
        binary = os.environ.get("PODC_BIN", "")
        tmp = None
        if not binary:
            tmp = tempfile.mkdtemp(prefix="podc-py-test-")
            binary = os.path.join(tmp, "podc")
            subprocess.run(["go", "build", "-o", binary, "./cmd/podc"], cwd=REPO_ROOT, check=True)
        self._proc = subprocess.Popen(
            [binary, "serve", "--addr", "127.0.0.1:0", "--log-format", "json", "--drain-delay", "0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            for line in self._proc.stderr:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if entry.get("msg") == "podc serving":
                    self.addr = entry["addr"]
                    break
        finally:
            if tmp:
                shutil.rmtree(tmp, ignore_errors=True)
        if not self.addr:
            self._proc.kill()
            raise RuntimeError(f"podc serve exited {self._proc.wait()} before serving")
        # Keep reading the logs so the server never blocks on a full pipe.
        self._drain = subprocess.Popen(["cat"], stdin=self._proc.stderr, stdout=subprocess.DEVNULL)

    def stop(self):
        """Stops the server with SIGTERM; it must exit 0."""
        if self._proc is None:
            return
        self._proc.send_signal(signal.SIGTERM)
        code = self._proc.wait(timeout=60)
        self._drain.wait(timeout=60)
        if code != 0:
            raise RuntimeError(f"podc serve exited {code} after SIGTERM")


def example(name):
    """The text of examples/NAME.json."""
    return (REPO_ROOT / "examples" / f"{name}.json").read_text()
