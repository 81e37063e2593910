"""Alembic migrations of the dialog archive (applied by `dialogs-bot migrate` and `dialogs-bot run`)."""
