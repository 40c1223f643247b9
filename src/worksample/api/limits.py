"""Refusing request bodies larger than the API will ever need, before reading them into memory."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """ASGI middleware: 413 when ``Content-Length`` or the bytes actually received exceed ``limit``.

    Both are checked: a chunked request has no ``Content-Length``, and a client may lie in it.
    """

    def __init__(self, app: ASGIApp, limit: int, *, exempt_paths: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.limit = limit
        # Routes that enforce a limit of their own (the GitHub webhook intake takes up to 25 MB).
        self.exempt_paths = exempt_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.exempt_paths:
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await self._refuse(send, 400, "bad_request", "Content-Length is not a number")
                    return
                if declared > self.limit:
                    await self._refuse_too_large(send)
                    return
        received = 0
        too_large = False
        replaced = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    too_large = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # Frameworks turn an error while reading the body into their own answer (FastAPI: 400);
            # the client should learn the real reason, so that answer is replaced.
            nonlocal replaced
            if too_large:
                if not replaced:
                    replaced = True
                    await self._refuse_too_large(send)
                return
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except BodyTooLarge:
            if not replaced:
                await self._refuse_too_large(send)

    async def _refuse_too_large(self, send: Send) -> None:
        await self._refuse(send, 413, "payload_too_large", f"request body is larger than {self.limit} bytes")

    async def _refuse(self, send: Send, status: int, code: str, message: str) -> None:
        body = json.dumps({"error": {"code": code, "message": message}}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
