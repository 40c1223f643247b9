"""A small declarative router from GitHub webhook events to handlers, in the style of gidgethub.

Each concern module owns a :class:`Router` and registers its handlers on it::

    router = Router()

    @router.register("pull_request", action="opened")
    async def record_submission(event: WebhookEvent, context: HandlerContext) -> str: ...

and :mod:`worksample.github.handlers` composes them into the one router the intake and the job use.
Event names are plain strings, not an enum: GitHub adds events and actions, and an unknown one must
be ignored out loud, never be a crash.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from worksample.github.handlers.context import HandlerContext


@dataclass(frozen=True)
class WebhookEvent:
    """One verified delivery: ``event`` is ``X-GitHub-Event``, ``data`` the parsed JSON body."""

    event: str
    delivery_id: str
    data: dict[str, Any]

    @property
    def action(self) -> str | None:
        action = self.data.get("action")
        return action if isinstance(action, str) else None

    @classmethod
    def from_body(cls, event: str, delivery_id: str, body: str | bytes) -> WebhookEvent:
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("a webhook payload is a JSON object")
        return cls(event=event, delivery_id=delivery_id, data=data)


# A handler answers with a short note of what it did, kept on the delivery row.
Handler = Callable[[WebhookEvent, "HandlerContext"], Awaitable[str]]


class Router:
    def __init__(self, *others: Router) -> None:
        # (event, action) → handlers; action None means every action of the event.
        self._routes: dict[tuple[str, str | None], list[Handler]] = defaultdict(list)
        for other in others:
            for key, handlers in other._routes.items():
                self._routes[key].extend(handlers)

    def add(self, handler: Handler, event: str, action: str | None = None) -> None:
        self._routes[(event, action)].append(handler)

    def register(self, event: str, action: str | None = None, *actions: str) -> Callable[[Handler], Handler]:
        """Decorator: ``@router.register("pull_request", "opened", "reopened")``."""

        def decorate(handler: Handler) -> Handler:
            for each in (action, *actions) if actions else (action,):
                self.add(handler, event, each)
            return handler

        return decorate

    def handlers_for(self, event: str, action: str | None) -> list[Handler]:
        found = list(self._routes.get((event, None), ()))
        if action is not None:
            found += self._routes.get((event, action), ())
        return found

    def handles(self, event: str, action: str | None) -> bool:
        return bool(self.handlers_for(event, action))

    def routes(self) -> Iterable[tuple[str, str | None]]:
        return sorted(self._routes, key=lambda key: (key[0], key[1] or ""))

    async def dispatch(self, event: WebhookEvent, context: HandlerContext) -> list[str]:
        """Run every handler for the event, in registration order; their notes, in the same order."""
        return [await handler(event, context) for handler in self.handlers_for(event.event, event.action)]
