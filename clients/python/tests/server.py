"""Starts the real "podc serve" for the tests.

PODC_ADDR names a server already running (plaintext); otherwise the
binary at PODC_BIN, or one built from this repository, is started on a
free loopback port.
"""

import atexit
import json
import os
import pathlib
import shutil
import signal
import subprocess
import tempfile

REPO_ROOT = pathlib.Path(__file__).resolve().parents[3]


_built = None


def podc_binary():
    """PODC_BIN, or a podc built from this repository once per run."""
    global _built
    given = os.environ.get("PODC_BIN", "")
    if given:
        return given
    if _built is None:
        tmp = tempfile.mkdtemp(prefix="podc-py-test-")
        atexit.register(shutil.rmtree, tmp, True)
        binary = os.path.join(tmp, "podc")
        subprocess.run(["go", "build", "-o", binary, "./cmd/podc"], cwd=REPO_ROOT, check=True)
        _built = binary
    return _built


def make_certs():
    """Writes a throwaway PKI (internal/testpki/gencerts) into a new folder.

    ca.pem, server.pem and server-key.pem (localhost, 127.0.0.1),
    client.pem and client-key.pem, and other-client.pem from an untrusted
    CA. Returns the folder.
    """
    tmp = tempfile.mkdtemp(prefix="podc-py-pki-")
    atexit.register(shutil.rmtree, tmp, True)
    subprocess.run(["go", "run", "./internal/testpki/gencerts", tmp], cwd=REPO_ROOT, check=True)
    return pathlib.Path(tmp)


class Server:
    """A running podc serve with flags, in cwd: addr is its host:port.

    Without flags, PODC_ADDR names a server already running instead.
    """

    def __init__(self, flags=(), cwd=None):
        self.addr = os.environ.get("PODC_ADDR", "") if not flags else ""
        self._proc = None
        if self.addr:
            return
        self._proc = subprocess.Popen(
            [podc_binary(), "serve", *flags, "--addr", "127.0.0.1:0", "--log-format", "json", "--drain-delay", "0"],
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for line in self._proc.stderr:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("msg") == "podc serving":
                self.addr = entry["addr"]
                break
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
