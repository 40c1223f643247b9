"""The one error the demo reports to the person running it: a message, never a traceback."""

from __future__ import annotations


class DemoError(RuntimeError):
    """Something outside the demo's control stops it (a taken port, no Redis); the message says
    what, and what to do about it."""
