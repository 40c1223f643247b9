"""A real HTTP receiver on 127.0.0.1 (uvicorn), scripted per path, that records what it was sent."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import uvicorn

Scope = dict[str, Any]
Headers = Sequence[tuple[bytes, bytes]]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Scripted by path:

    /ok 200; /fail 500; /gone 410; /redirect 301 to /ok; /slow waits for ``release`` before answering;
    /drip answers 202 then stalls mid-body; /flaky answers 503 to its first ``flaky_failures`` calls,
    then 204; /huge streams an endless body; /limited 429 with Retry-After: 30; /unavailable 503 with
    an HTTP-date Retry-After; /binary 200 with NUL and other control bytes in its body.
    """

    port: int = 0
    received: list[Received] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    huge_bytes_sent: int = 0
    methods: list[str] = field(default_factory=list)
    flaky_failures: int = 3

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        self.methods.append(scope["method"])
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        self.received.append(Received(scope["path"], headers, body))
        await getattr(self, "_" + scope["path"].strip("/").replace("-", "_"), self._not_found)(receive, send)

    @staticmethod
    async def _respond(send: Any, status: int, body: bytes = b"", headers: Headers = ()) -> None:
        await send({"type": "http.response.start", "status": status, "headers": list(headers)})
        await send({"type": "http.response.body", "body": body})

    async def _ok(self, receive: Any, send: Any) -> None:
        await self._respond(send, 200, b'{"ok":true}', [(b"content-type", b"application/json")])

    async def _fail(self, receive: Any, send: Any) -> None:
        await self._respond(send, 500, b"boom: database is down")

    async def _gone(self, receive: Any, send: Any) -> None:
        await self._respond(send, 410, b"endpoint removed")

    async def _redirect(self, receive: Any, send: Any) -> None:
        await self._respond(send, 301, b"", [(b"location", b"/ok")])

    async def _limited(self, receive: Any, send: Any) -> None:
        await self._respond(send, 429, b"slow down", [(b"retry-after", b"30")])

    async def _unavailable(self, receive: Any, send: Any) -> None:
        await self._respond(send, 503, b"", [(b"retry-after", b"Fri, 31 Dec 2100 23:59:59 GMT")])

    async def _binary(self, receive: Any, send: Any) -> None:
        # Valid UTF-8 that PostgreSQL text still refuses (NUL), as a compressed or binary answer has.
        await self._respond(send, 200, b"ok\x00\x1b[0m\x07done\r\n\tend")

    async def _slow(self, receive: Any, send: Any) -> None:
        await self.release.wait()
        await self._respond(send, 200)

    async def _flaky(self, receive: Any, send: Any) -> None:
        # Fails until it has been called more than ``flaky_failures`` times.
        failing = len([r for r in self.received if r.path == "/flaky"]) <= self.flaky_failures
        await self._respond(send, 503 if failing else 204)

    async def _drip(self, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 202, "headers": []})
        await send({"type": "http.response.body", "body": b"accepted, still talking", "more_body": True})
        await self.release.wait()
        await send({"type": "http.response.body", "body": b""})

    async def _huge(self, receive: Any, send: Any) -> None:
        disconnected = asyncio.Event()

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            disconnected.set()

        watcher = asyncio.create_task(watch())
        await send({"type": "http.response.start", "status": 200, "headers": []})
        chunk = b"x" * 65536
        # Endless unless the client hangs up; the 1 GiB bound only keeps a broken test from running forever.
        while not disconnected.is_set() and self.huge_bytes_sent < 2**30:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            self.huge_bytes_sent += len(chunk)
            await asyncio.sleep(0)
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher

    async def _not_found(self, receive: Any, send: Any) -> None:
        await self._respond(send, 404)


@contextlib.asynccontextmanager
async def running(receiver: Receiver, **ssl: Any) -> AsyncIterator[Receiver]:
    """Serve ``receiver`` on a free port of 127.0.0.1 for the duration of the block."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    receiver.port = sock.getsockname()[1]
    config = uvicorn.Config(
        receiver, http="h11", ws="none", lifespan="off", log_level="warning", access_log=False, **ssl
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield receiver
    finally:
        receiver.release.set()
        server.should_exit = True
        await task
        sock.close()
