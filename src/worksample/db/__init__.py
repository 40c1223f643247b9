"""Persistence: typed models, the async engine and sessions, and the Alembic migrations."""
