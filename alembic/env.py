"""Alembic environment: migrations run as the tables' owner, never as the runtime role."""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

from soulroute.config import get_settings
from soulroute.db.urls import owner_url

config = context.config
if config.config_file_name is not None and not config.attributes.get("skip_logging"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

settings = get_settings()
# Migrations read these to create and grant the runtime role and the accounts-and-mail role.
config.attributes.setdefault("app_role", settings.app_db_role)
config.attributes.setdefault("app_role_password", settings.app_db_password)
config.attributes.setdefault("auth_role", settings.auth_db_role)
config.attributes.setdefault("auth_role_password", settings.auth_db_password)


def run_migrations_online() -> None:
    url = config.attributes.get("url") or owner_url()
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=None, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline SQL generation is not supported: run against a database.")
run_migrations_online()
