"""Alembic environment: runs on the connection that `netral.store.migrate.upgrade` hands over."""

from alembic import context

from netral.store.schema import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when alembic is run by hand
    from netral.store.db import make_engine

    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or None)
    connection = engine.connect()

# Batch mode lets SQLite alter tables (it copies them), which plain ALTER TABLE cannot do.
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
