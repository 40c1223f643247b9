"""The demo's ATS: a small HTTP receiver that verifies every delivery as an ATS would.

Verification uses the ``standardwebhooks`` package, written independently of our signing code,
with the endpoint secret the API showed once when the endpoint was registered. Every delivery is
kept, verified or not, so the summary can say which ones verified and why the others did not.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

PATH = "/ats/webhooks"


@dataclass
class Delivery:
    webhook_id: str | None
    event_type: str | None
    verified: bool
    # Why it did not verify; None when it did.
    problem: str | None
    received_at: float
    data: dict[str, Any] | None = field(default=None, repr=False)

    def summary(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("data")
        # Arrival order is not event order (Standard Webhooks promises none); the version is.
        out["version"] = (self.data or {}).get("version")
        return out


class AtsReceiver:
    """The receiving end; ``app`` is what the demo serves."""

    def __init__(self) -> None:
        self.secret: str | None = None
        self.deliveries: list[Delivery] = []
        self._arrived = asyncio.Condition()
        self.app = FastAPI(title="demo ATS receiver", docs_url=None, redoc_url=None, openapi_url=None)
        self.app.post(PATH)(self._receive)
        self.app.get(PATH)(self._list)

    async def _receive(self, request: Request) -> JSONResponse:
        body = await request.body()
        headers = dict(request.headers)
        delivery = self._verify(body, headers)
        async with self._arrived:
            self.deliveries.append(delivery)
            self._arrived.notify_all()
        # A receiver that cannot verify answers 400 so the sender retries (maybe after a rotation).
        return JSONResponse({"received": delivery.verified}, status_code=200 if delivery.verified else 400)

    def _verify(self, body: bytes, headers: dict[str, str]) -> Delivery:
        webhook_id = headers.get("webhook-id")
        now = time.time()
        if self.secret is None:
            return Delivery(webhook_id, None, False, "no endpoint secret registered yet", now)
        try:
            payload = Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError as exc:
            return Delivery(webhook_id, None, False, f"signature: {exc}", now)
        except ValueError as exc:
            # standardwebhooks raises a bare ValueError on a signature without a comma.
            return Delivery(webhook_id, None, False, f"malformed signature header: {exc}", now)
        if not isinstance(payload, dict):
            return Delivery(webhook_id, None, False, "payload is not a JSON object", now)
        data = payload.get("data")
        return Delivery(
            webhook_id,
            str(payload.get("type")),
            True,
            None,
            now,
            data if isinstance(data, dict) else None,
        )

    async def _list(self) -> JSONResponse:
        return JSONResponse([d.summary() | {"data": d.data} for d in self.deliveries])

    async def wait_for(self, event_type: str, *, seconds: float) -> Delivery | None:
        """The first verified delivery of ``event_type``, waiting up to ``seconds``."""

        def found() -> Delivery | None:
            return next((d for d in self.deliveries if d.verified and d.event_type == event_type), None)

        try:
            async with asyncio.timeout(seconds), self._arrived:
                await self._arrived.wait_for(lambda: found() is not None)
        except TimeoutError:
            return None
        return found()

    def dump(self) -> str:
        return json.dumps([d.summary() for d in self.deliveries], indent=2)
