"""Run alembic from Python (the `soulroute db migrate` command and the test fixtures)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from soulroute.config import REPO_ROOT


def alembic_config(url: str | None = None, app_role: str | None = None) -> Config:
    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(REPO_ROOT / "alembic"))
    cfg.attributes["skip_logging"] = True
    if url:
        cfg.attributes["url"] = url
    if app_role:
        cfg.attributes["app_role"] = app_role
    return cfg


def upgrade(url: str | None = None, revision: str = "head", app_role: str | None = None) -> None:
    command.upgrade(alembic_config(url, app_role), revision)


def downgrade(url: str | None = None, revision: str = "base", app_role: str | None = None) -> None:
    command.downgrade(alembic_config(url, app_role), revision)
