"""Webhook deliveries: signed, with every GitHub header, and with GitHub's failure modes on demand.

Routes call ``await hooks.emit(...)``. Normally deliveries are queued and sent, in order, by one
background task after the API response; ``await hooks.flush()`` (or ``POST /_sandbox/webhooks/flush``)
waits until every pending delivery has been made, which is how tests and the demo synchronise.
Fault modes (``set_mode``) apply to the next N deliveries:

- ``duplicate``: each delivery is sent twice with the same ``X-GitHub-Delivery``;
- ``reorder``: deliveries are held and released last-first at the next flush;
- ``drop``: recorded as dropped, never sent;
- ``before_response``: sent inside the API call, before its response returns.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import uuid
from collections import deque
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from worksample.sandbox.records import Delivery, Installation
from worksample.sandbox.serializers import installation_ref
from worksample.sandbox.state import World

Mode = Literal["normal", "duplicate", "reorder", "drop", "before_response"]
MODES: tuple[str, ...] = ("normal", "duplicate", "reorder", "drop", "before_response")
USER_AGENT = "GitHub-Hookshot/sandbox"
# GitHub gives a receiver ten seconds to answer.
DELIVERY_TIMEOUT = 10.0
# GitHub does not deliver payloads over 25 MB.
MAX_PAYLOAD_BYTES = 25 * 1024 * 1024


# Set while a delivery is being made; tasks spawned by an in-process receiver inherit it.
_IN_DELIVERY: ContextVar[bool] = ContextVar("sandbox_in_delivery", default=False)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class _Fault:
    mode: Mode
    remaining: int | None  # None: until cleared


class Webhooks:
    def __init__(self, world: World, transport: httpx.AsyncBaseTransport | None) -> None:
        self.world = world
        self.transport = transport
        self._pending: deque[Delivery] = deque()
        self._held: list[Delivery] = []
        self._runner: asyncio.Task[None] | None = None
        self._fault = _Fault("normal", None)

    # -- configuration ------------------------------------------------------------------------------
    def set_mode(self, mode: Mode, count: int | None) -> None:
        self._fault = _Fault(mode, count)

    def _take_mode(self) -> Mode:
        fault = self._fault
        if fault.mode == "normal":
            return "normal"
        if fault.remaining is not None:
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._fault = _Fault("normal", None)
        return fault.mode

    # -- emitting -----------------------------------------------------------------------------------
    async def emit(
        self,
        event: str,
        payload: dict[str, Any],
        installations: list[Installation],
        *,
        installation_override: dict[str, Any] | None = None,
    ) -> None:
        """Deliver ``payload`` to every App installed where it happened and subscribed to ``event``."""
        for inst in installations:
            app = self.world.apps.get(inst.app_id)
            if app is None or event not in app.events or not app.webhook_url:
                continue
            ref = installation_override or installation_ref(inst)
            body = json.dumps({**payload, "installation": ref}, separators=(",", ":"))
            delivery = Delivery(
                id=self.world.next_id(),
                guid=str(uuid.uuid4()),
                event=event,
                action=payload.get("action"),
                app_id=app.id,
                installation_id=inst.id,
                body=body.encode(),
            )
            await self._dispatch(delivery)

    async def _dispatch(self, delivery: Delivery) -> None:
        if len(delivery.body) > MAX_PAYLOAD_BYTES:
            delivery.dropped = True
            delivery.error = (
                f"payload of {len(delivery.body)} bytes is over GitHub's 25 MB cap; not delivered"
            )
            self.world.deliveries.append(delivery)
            return
        mode = self._take_mode()
        if mode == "drop":
            delivery.dropped = True
            self.world.deliveries.append(delivery)
        elif mode == "before_response":
            await self._send(delivery)
        elif mode == "reorder":
            self._held.append(delivery)
        else:
            self._pending.append(delivery)
            if mode == "duplicate":
                self._pending.append(self._copy(delivery, redelivery=False))
            self._kick()

    def _copy(self, delivery: Delivery, *, redelivery: bool) -> Delivery:
        return Delivery(
            id=self.world.next_id(),
            guid=delivery.guid,
            event=delivery.event,
            action=delivery.action,
            app_id=delivery.app_id,
            installation_id=delivery.installation_id,
            body=delivery.body,
            redelivery=redelivery,
        )

    async def redeliver(self, delivery_id: int) -> Delivery | None:
        """GitHub's "Redeliver": same GUID, same body, sent now."""
        original = next((d for d in self.world.deliveries if d.id == delivery_id), None)
        if original is None:
            return None
        again = self._copy(original, redelivery=True)
        await self._send(again)
        return again

    # -- sending ------------------------------------------------------------------------------------
    def _kick(self) -> None:
        if self._runner is None or self._runner.done():
            self._runner = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        while self._pending:
            await self._send(self._pending.popleft())

    async def flush(self) -> int:
        """Release held deliveries (last first) and wait until nothing is pending. Returns how many
        attempts were made while flushing."""
        before = len(self.world.deliveries)
        if _IN_DELIVERY.get():
            # Called from inside a delivery (an in-process receiver flushing): it cannot wait for
            # the delivery it is part of; the running drain delivers the rest.
            return 0
        while True:
            if self._held:
                held, self._held = self._held, []
                self._pending.extend(reversed(held))
            if self._pending:
                self._kick()
            if self._runner is not None and not self._runner.done():
                await self._runner
                continue
            if not self._pending and not self._held:
                return len(self.world.deliveries) - before

    def reset(self) -> None:
        self._pending.clear()
        self._held.clear()
        self._fault = _Fault("normal", None)

    async def _send(self, delivery: Delivery) -> None:
        app = self.world.apps[delivery.app_id]
        assert app.webhook_url is not None
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-GitHub-Event": delivery.event,
            "X-GitHub-Delivery": delivery.guid,
            "X-GitHub-Hook-ID": str(app.hook_id),
            "X-GitHub-Hook-Installation-Target-Type": "integration",
            "X-GitHub-Hook-Installation-Target-ID": str(app.id),
        }
        if app.webhook_secret:
            headers["X-Hub-Signature"] = (
                "sha1=" + hmac.new(app.webhook_secret.encode(), delivery.body, hashlib.sha1).hexdigest()
            )
            headers["X-Hub-Signature-256"] = signature(app.webhook_secret, delivery.body)
        self.world.deliveries.append(delivery)
        marker = _IN_DELIVERY.set(True)
        try:
            async with httpx.AsyncClient(transport=self.transport, timeout=DELIVERY_TIMEOUT) as client:
                response = await client.post(app.webhook_url, content=delivery.body, headers=headers)
            delivery.status_code = response.status_code
        except httpx.HTTPError as exc:
            # A receiver that is down is GitHub's "failed delivery": recorded, not retried.
            delivery.error = f"{type(exc).__name__}: {exc}"
        finally:
            _IN_DELIVERY.reset(marker)
        delivery.delivered_at = self.world.now()
