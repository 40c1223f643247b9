"""Removing one candidate's personal data from every table, found through the metadata.

Nothing here names a table: every String, Text, JSON and binary column of every table in
``Base.metadata`` is searched, so a table added later (webhook bodies, outbox payloads, whatever
comes next) is covered without anyone remembering to add it. A SQL ``LIKE`` narrows each column to
candidate rows; Python then replaces whole-word matches (a login inside ``sample-octocat`` or a
URL counts, ``octocats`` does not) with ``[erased]``, inside JSON structures and stored bytes too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import JSON, LargeBinary, String, Table, Text, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from worksample.db.models import Base

ERASED = "[erased]"


def searchable_columns(tables: Iterable[Table]) -> list[tuple[Table, list[Any]]]:
    """Each table with its text-like columns (String/Text, JSON, binary)."""
    out = []
    for table in tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text, JSON, LargeBinary))]
        if columns:
            out.append((table, columns))
    return out


def variants(terms: Iterable[str]) -> list[str]:
    """The terms as stored: plain, and as JSON escapes them (non-ASCII names in JSON columns)."""
    out: set[str] = set()
    for term in terms:
        if term and term.strip():
            out.add(term.strip())
            out.add(json.dumps(term.strip())[1:-1])
    return sorted(out, key=len, reverse=True)


def term_pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    found = variants(terms)
    if not found:
        return None
    alternatives = "|".join(re.escape(t) for t in found)
    return re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])", re.IGNORECASE)


def replace_in(value: Any, pattern: re.Pattern[str]) -> Any:
    """``value`` with every match replaced, walking JSON structures (keys too) and bytes."""
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, bytes):
        try:
            return pattern.sub(ERASED, value.decode("utf-8")).encode("utf-8")
        except UnicodeDecodeError:
            return value
    if isinstance(value, list):
        return [replace_in(v, pattern) for v in value]
    if isinstance(value, dict):
        return {replace_in(k, pattern): replace_in(v, pattern) for k, v in value.items()}
    return value


def _as_text(session: AsyncSession, column: Any) -> ColumnElement[str]:
    if isinstance(column.type, LargeBinary) and session.get_bind().dialect.name == "postgresql":
        return func.convert_from(column, "UTF8")
    return func.cast(column, Text())


def _like(term: str) -> str:
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _fit(column: Any, value: Any) -> Any:
    length = getattr(column.type, "length", None)
    if isinstance(value, str) and length is not None and len(value) > length:
        return value[:length]
    return value


async def scrub_everywhere(session: AsyncSession, terms: Sequence[str]) -> int:
    """Replace ``terms`` wherever they occur; returns how many column values changed."""
    pattern = term_pattern(terms)
    if pattern is None:
        return 0
    likes = [_like(t) for t in variants(terms)]
    changed = 0
    for table, columns in searchable_columns(Base.metadata.sorted_tables):
        keys = list(table.primary_key.columns)
        for column in columns:
            text = func.lower(_as_text(session, column))
            query = select(*keys, column).where(or_(*(text.like(p, escape="\\") for p in likes)))
            for row in (await session.execute(query)).all():
                *key_values, value = row
                new = replace_in(value, pattern)
                if new == value:
                    continue
                where = [k == v for k, v in zip(keys, key_values, strict=True)]
                await session.execute(update(table).where(*where).values({column.name: _fit(column, new)}))
                changed += 1
    return changed
