"""GitHub's ``page``/``per_page`` on list routes (default 30, at most 100).

githubkit's ``paginate`` asks for page after page until one comes back empty, so a list route that
ignored ``page`` would make it loop for ever. A ``Link`` header is added as GitHub sends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Request, Response

T = TypeVar("T")
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100


def _int(value: str | None, default: int) -> int:
    # GitHub ignores a page parameter it cannot read rather than failing the request.
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


@dataclass(frozen=True)
class Page:
    page: int
    per_page: int
    url: str
    response: Response

    def of(self, items: list[T]) -> list[T]:
        start = (self.page - 1) * self.per_page
        last = max(1, -(-len(items) // self.per_page))
        links = []
        if self.page < last:
            links += [f'<{self._url(self.page + 1)}>; rel="next"', f'<{self._url(last)}>; rel="last"']
        if self.page > 1:
            links += [f'<{self._url(1)}>; rel="first"', f'<{self._url(self.page - 1)}>; rel="prev"']
        if links:
            self.response.headers["Link"] = ", ".join(links)
        return items[start : start + self.per_page]

    def _url(self, page: int) -> str:
        return f"{self.url}?per_page={self.per_page}&page={page}"


def page_params(request: Request, response: Response) -> Page:
    per_page = min(MAX_PER_PAGE, max(1, _int(request.query_params.get("per_page"), DEFAULT_PER_PAGE)))
    page = max(1, _int(request.query_params.get("page"), 1))
    return Page(
        page=page,
        per_page=per_page,
        url=str(request.url.remove_query_params(["page", "per_page"])),
        response=response,
    )


PageDep = Annotated[Page, Depends(page_params)]
