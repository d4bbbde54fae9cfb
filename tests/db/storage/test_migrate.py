from sqlalchemy import inspect

from bot.storage.migrate import upgrade
from bot.storage.models import Base


def test_migrations_build_the_models_schema(engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_upgrade_twice_is_harmless(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    upgrade(url)
    upgrade(url)
