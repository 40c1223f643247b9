"""Jinja2 pages and the reviewer guide's markdown, rendered safely.

Autoescape is on for every template. Markdown goes through markdown-it-py with raw HTML disabled
(CommonMark: an ``<script>`` in a guide comes out as text) and its default link check, which drops
``javascript:`` and similar links; the result is the only markup marked safe.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

# Pages show who applied for what: no caching by proxies, no referrer to the links they hold.
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self' http: https:; frame-ancestors 'none'",
}


@cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def markdown(text: str, shift: int = 0) -> Markup:
    """``shift`` moves headings down (a guide's ``#`` under the page's ``<h2>`` becomes ``<h3>``),
    so the page keeps one ``<h1>`` and a heading outline screen readers can follow."""
    parser = _markdown()
    tokens = parser.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + shift)}"
    rendered = parser.renderer.render(tokens, parser.options, {})
    return Markup(rendered)  # noqa: S704 - raw HTML is disabled in the parser


def when(value: datetime | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.strftime("%d %b %Y, %H:%M UTC")


@cache
def templates() -> Environment:
    env = Environment(
        loader=PackageLoader("worksample.web", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["markdown"] = markdown
    env.filters["when"] = when
    return env


def page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("viewer", None)
    context.setdefault("flash", None)
    html = templates().get_template(template).render(**context)
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def problem(status: int, title: str, message: str, viewer: Any = None) -> HTMLResponse:
    return page("problem.html.j2", status, title=title, message=message, viewer=viewer)
