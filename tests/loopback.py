"""Servers on loopback for tests: a free port, waiting for a server to answer, and the endpoint app under
uvicorn in a thread. Shared by the endpoint, browser and crawl tests (``tests`` is on the path)."""

from __future__ import annotations

import socket
import subprocess
import threading
import time

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes] | None = None, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            said = process.stderr.read().decode(errors="replace")[-2000:] if process.stderr else ""
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}: {said}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"no answer from {url} within {seconds} s")


class UvicornThread:
    """The endpoint app under uvicorn in a daemon thread (stopped at the end of the session)."""

    def __init__(self, app: object) -> None:
        import uvicorn

        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> UvicornThread:
        self.thread.start()
        wait_until_up(f"{self.base}/health")
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


class CountingListener:
    """A TCP server on loopback that counts the connections it accepts: the proof that nothing was fetched.

    Each connection gets ``answer`` (raw HTTP bytes) when one is given, so a fetch that did happen would
    succeed and its body could reach the caller; otherwise the connection is closed at once."""

    def __init__(self, answer: bytes = b"", path: str = "") -> None:
        self.answer = answer
        self.path = path
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.port = int(self.socket.getsockname()[1])
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            try:
                if self.answer:
                    connection.settimeout(1.0)
                    connection.recv(65536)
                    connection.sendall(self.answer)
            except OSError:
                pass
            finally:
                connection.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def close(self) -> None:
        self.socket.close()
