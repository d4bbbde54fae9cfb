"""Run Alembic migrations without an alembic.ini: the URL is DATABASE_URL or the caller's."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from bot import settings
from bot.storage.db import make_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    url = url or settings.database_url()
    make_engine(url).dispose()  # creates the SQLite folder if needed
    command.upgrade(alembic_config(url), revision)


def revision(message: str, url: str | None = None) -> None:
    """Autogenerate a new migration from the models (developer command)."""
    command.revision(alembic_config(url or settings.database_url()), message=message, autogenerate=True)
