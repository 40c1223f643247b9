"""Binding the demo's listening sockets up front.

Each server gets a socket bound here, before anything starts, and uvicorn serves on that socket:
asking the kernel for port 0 gives a free port with no window in which another process can take
it, and a taken port is reported as a ``DemoError`` instead of uvicorn's ``sys.exit(1)``.
"""

from __future__ import annotations

import errno
import socket

from worksample.demo.errors import DemoError

HOST = "127.0.0.1"


def bind(port: int, *, purpose: str) -> socket.socket:
    """A listening TCP socket on 127.0.0.1:``port`` (0: any free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Not SO_REUSEADDR's "steal a port" meaning on Linux: it only allows rebinding a port whose
    # previous connections are in TIME_WAIT, which a demo restarted at once would otherwise hit.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise DemoError(
                f"port {port} on {HOST} is taken, so the {purpose} cannot listen there: "
                "stop what uses it, or pick another port (0 picks a free one)"
            ) from None
        raise DemoError(f"cannot listen on {HOST}:{port} for the {purpose}: {exc.strerror}") from None
    sock.setblocking(False)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"
