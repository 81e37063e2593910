"""Alembic environment: runs the migrations over the async engine of DATABASE_URL."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from db.dialect import is_beyond_models
from db.models import Base

config = context.config


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_name=lambda name, type_, _parent: not is_beyond_models(name or "", type_),
        render_as_batch=True,  # SQLite alters tables by copying them
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.run_sync(_configure_and_run)
        await connection.commit()


engine = config.attributes["engine"]
asyncio.run(_run_async(engine))
