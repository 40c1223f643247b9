"""Secrets at rest: ATS endpoint signing secrets and Greenhouse's callback key, encrypted.

The columns widen to hold a Fernet token (``db.encryption``), and every value still stored in
plain text is sealed in place, so after this revision the database holds none. Sealing needs the
keys (``WORKSAMPLE_SECRET_KEYS``), which ``worksample db upgrade`` hands over; a database that has
such rows and no keys stops here, naming the variable, and nothing is changed. A value that
already opens with the keys is left as it is, so running the data step twice is harmless.
Downgrading opens them again (the previous release reads plain text).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 07:30:00
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from worksample.db.encryption import Purpose, SecretBox

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEALED_LENGTH = 500
# (table, key column, secret columns, purpose, length before this revision)
SECRETS = (
    ("webhook_endpoints", "id", ("secret", "previous_secret"), Purpose.ENDPOINT_SECRET, 100),
    ("greenhouse_tests", "assignment_id", ("callback_key",), Purpose.GREENHOUSE_KEY, 200),
)


def _keys() -> tuple[str, ...]:
    keys: tuple[str, ...] = op.get_context().config.attributes.get("secret_keys", ())  # type: ignore[union-attr]
    return keys


def _require_keys(why: str) -> None:
    """Stop before changing anything when there are secrets to rewrite and no keys to do it with
    (SQLite would not roll the column changes back)."""
    if _keys():
        return
    bind = op.get_bind()
    for table_name, *_ in SECRETS:
        count = bind.execute(sa.select(sa.func.count()).select_from(sa.table(table_name))).scalar_one()
        if count:
            raise RuntimeError(
                f"{count} row(s) of {table_name} hold secrets to {why}: set WORKSAMPLE_SECRET_KEYS "
                "(the keys the service will use) and run `worksample db upgrade` again"
            )


def _rewrite(change: Callable[[SecretBox, str], str | None]) -> None:
    """Apply ``change`` to every stored secret (None: leave that value alone)."""
    bind = op.get_bind()
    keys = _keys()
    for table_name, key_name, columns, purpose, _ in SECRETS:
        table = sa.table(table_name, sa.column(key_name), *(sa.column(c) for c in columns))
        rows = bind.execute(sa.select(table)).all()
        if not rows:
            continue
        box = SecretBox(keys, purpose)
        for row in rows:
            values = {c: change(box, row._mapping[c]) for c in columns if row._mapping[c] is not None}
            values = {c: v for c, v in values.items() if v is not None}
            if values:
                key = table.c[key_name]
                bind.execute(sa.update(table).where(key == row._mapping[key_name]).values(**values))


def _seal_plain(box: SecretBox, stored: str) -> str | None:
    return None if box.can_open(stored) else box.seal(stored)


def _open_sealed(box: SecretBox, stored: str) -> str | None:
    return box.open(stored) if box.can_open(stored) else None


def _resize(sealed: bool) -> None:
    """The secret columns at the sealed length (upgrade) or back at their plain one (downgrade)."""
    for table_name, _, columns, _, plain_length in SECRETS:
        before, after = (plain_length, SEALED_LENGTH) if sealed else (SEALED_LENGTH, plain_length)
        with op.batch_alter_table(table_name) as batch:
            for column in columns:
                batch.alter_column(
                    column,
                    existing_type=sa.String(length=before),
                    type_=sa.String(length=after),
                    existing_nullable=column != "secret",
                )


def upgrade() -> None:
    _require_keys("encrypt")
    _resize(sealed=True)
    _rewrite(_seal_plain)


def downgrade() -> None:
    _require_keys("decrypt")
    _rewrite(_open_sealed)
    _resize(sealed=False)
