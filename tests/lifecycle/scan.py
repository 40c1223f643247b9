"""A scan of every table and every text-like column for given strings, driven by the metadata, so
a table added by anyone later is scanned without this file changing."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import JSON, LargeBinary, String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession

from worksample.db.models import Base


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


async def find_everywhere(session: AsyncSession, terms: list[str]) -> list[str]:
    """``table.column = value`` for every stored value containing a term (case-insensitive)."""
    lowered = [t.lower() for t in terms]
    hits = []
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text, JSON, LargeBinary))]
        if not columns:
            continue
        for row in (await session.execute(select(*columns))).all():
            for column, value in zip(columns, row, strict=True):
                if value is None:
                    continue
                text = _text(value)
                if any(term in text.lower() for term in lowered):
                    hits.append(f"{table.name}.{column.name} = {text[:200]!r}")
    return hits


def text_column_count() -> int:
    return sum(
        isinstance(c.type, (String, Text, JSON, LargeBinary))
        for table in Base.metadata.sorted_tables
        for c in table.columns
    )
