"""The simulator instance behind a request, for routes to depend on."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import Depends, Request

from worksample.sandbox.auth import Actor, current_actor
from worksample.sandbox.faults import Faults
from worksample.sandbox.ratelimit import RateLimiter
from worksample.sandbox.state import Clock, SandboxConfig, World
from worksample.sandbox.webhooks import Webhooks


class Sandbox:
    """Everything one simulator instance holds; reachable as ``app.state.sandbox``."""

    def __init__(
        self, config: SandboxConfig, clock: Clock, transport: httpx.AsyncBaseTransport | None
    ) -> None:
        self.config = config
        self.clock = clock
        self.world = World(clock=clock, config=config)
        self.webhooks = Webhooks(self.world, transport)
        self.limiter = RateLimiter(config.rate_limits)
        self.faults = Faults()

    def reset(self) -> None:
        self.world = World(clock=self.clock, config=self.config)
        self.webhooks.reset()
        self.webhooks.world = self.world
        self.limiter.reset()
        self.faults.reset()


def sandbox_of(request: Request) -> Sandbox:
    sandbox = request.app.state.sandbox
    assert isinstance(sandbox, Sandbox)
    return sandbox


def actor_of(request: Request) -> Actor | None:
    return current_actor(request)


SandboxDep = Annotated[Sandbox, Depends(sandbox_of)]
ActorDep = Annotated[Actor | None, Depends(actor_of)]
