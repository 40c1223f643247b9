"""Lifecycle tick benchmark: how the minute tick's cost grows with assignments in progress.

Runs ``lifecycle.tick.run_due`` (the cron job's body) directly on a fresh PostgreSQL database (or
``--sqlite``), without GitHub: ``--assignments`` accepted assignments whose deadlines are weeks
away (nothing due), plus ``--due`` cancelled ones without a repository whose retention period has
ended (a purge due, which needs no GitHub call). It times:

- the first tick after the rows appear (as after the upgrade to this version): every assignment's
  next moment is unknown, so all are read once and their ``next_timer_at`` written;
- the next ticks, a minute apart (on PostgreSQL after ``VACUUM ANALYZE``, as autovacuum would
  after that many updates): only what is due is read;
- a tick after more become due (``--due`` more purges), among the same crowd.

Before this version the tick read the first 500 candidates by id every minute, due or not, and
never reached the others; the figures to compare are the steady ticks against the first.

Usage: ``.venv/bin/python bench/lifecycle_tick.py [--assignments 20000] [--due 20] [--sqlite]``.
Exit status 1 when a due purge did not happen.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the test support package: fresh PostgreSQL databases

from tests.support.databases import create_pg_database, drop_pg_database, unique_name  # noqa: E402

from worksample.clock import OffsetClock  # noqa: E402
from worksample.config import Settings  # noqa: E402
from worksample.db import migrate  # noqa: E402
from worksample.db.models import Assignment, Organization, Person  # noqa: E402
from worksample.db.session import create_engine, create_sessionmaker  # noqa: E402
from worksample.lifecycle.tick import run_due  # noqa: E402

MINUTE = timedelta(minutes=1)
BATCH = 5000


def _rows(count: int, **values: object) -> list[dict[str, object]]:
    return [{"id": str(uuid.uuid4()), **values} for _ in range(count)]


Sessions = async_sessionmaker[AsyncSession]


async def _seed(sessionmaker: Sessions, clock: OffsetClock, crowd: int, due: int) -> None:
    now = clock.now()
    async with sessionmaker() as session:
        org = Organization(login="acme")
        session.add(org)
        await session.flush()
        person = Person(organization_id=org.id, login="octocat", github_id=1)
        session.add(person)
        await session.flush()
        common = {"organization_id": org.id, "candidate_id": person.id, "artifact_id": "bench", "version": 3}
        working = _rows(
            crowd, status="accepted", status_changed_at=now, deadline_at=now + timedelta(days=30), **common
        )
        for start in range(0, len(working), BATCH):
            await session.execute(insert(Assignment), working[start : start + BATCH])
        await _add_due(session, now, due, common)
        await session.commit()


async def _add_due(session: AsyncSession, now: datetime, due: int, common: dict[str, object]) -> None:
    ended = now - timedelta(days=91)
    await session.execute(
        insert(Assignment), _rows(due, status="cancelled", status_changed_at=ended, **common)
    )


async def _purged(sessionmaker: Sessions) -> int:
    async with sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).select_from(Assignment).where(Assignment.purged_at.is_not(None))
        )
        return count or 0


async def _timed(label: str, sessionmaker: Sessions, settings: Settings, clock: OffsetClock) -> float:
    started = time.perf_counter()
    fired = await run_due(sessionmaker, None, settings, clock)
    took = time.perf_counter() - started
    print(f"{label:<34} {took * 1000:9.1f} ms   fired {dict(fired)}")
    return took


async def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        database = unique_name("ws_bench_tick")
        url = (
            f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
            if args.sqlite
            else await create_pg_database(database)
        )
        settings = Settings(_env_file=None, database_url=url, sandbox=True)
        engine = create_engine(settings)
        try:
            await migrate.upgrade(engine)
            sessionmaker = create_sessionmaker(engine)
            clock = OffsetClock()
            await _seed(sessionmaker, clock, args.assignments, args.due)
            engine_name = "SQLite" if args.sqlite else "PostgreSQL"
            print(f"{args.assignments} assignments in progress, {args.due} purges due ({engine_name})")
            await _timed("first tick (every next moment unknown)", sessionmaker, settings, clock)
            if not args.sqlite:
                # What autovacuum does after so many updates: fresh statistics for the planner.
                async with engine.connect() as connection:
                    autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                    await autocommit.execute(text("VACUUM ANALYZE assignments"))
            steady = []
            for _ in range(3):
                clock.advance(MINUTE)
                steady.append(await _timed("next tick (nothing new due)", sessionmaker, settings, clock))
            async with sessionmaker() as session:
                org_id = await session.scalar(select(Organization.id))
                person_id = await session.scalar(select(Person.id))
                common = {
                    "organization_id": org_id,
                    "candidate_id": person_id,
                    "artifact_id": "bench",
                    "version": 3,
                }
                await _add_due(session, clock.now(), args.due, common)
                await session.commit()
            clock.advance(MINUTE)
            await _timed(f"tick with {args.due} more purges due", sessionmaker, settings, clock)
            purged = await _purged(sessionmaker)
            print(f"steady tick median: {sorted(steady)[1] * 1000:.1f} ms; purged {purged} of {2 * args.due}")
            return 0 if purged == 2 * args.due else 1
        finally:
            await engine.dispose()
            if not args.sqlite:
                await drop_pg_database(database)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--assignments", type=int, default=20000)
    parser.add_argument("--due", type=int, default=20)
    parser.add_argument("--sqlite", action="store_true")
    sys.exit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
