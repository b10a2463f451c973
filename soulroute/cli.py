"""`soulroute` command line: database set-up, demo data, serving the app, account management."""

from __future__ import annotations

import argparse
import sys

from soulroute.config import get_settings


def _cmd_db_env(args: argparse.Namespace) -> int:
    from soulroute.db.urls import owner_url

    print(f"export DATABASE_URL='{owner_url()}'")
    return 0


def _cmd_db_migrate(args: argparse.Namespace) -> int:
    from soulroute.db.migrate import upgrade

    upgrade()
    print("Database schema is up to date.")
    return 0


def _cmd_db_stop(args: argparse.Namespace) -> int:
    from soulroute.db import embedded

    stopped = embedded.stop(get_settings().embedded_pg_dir)
    print("Embedded PostgreSQL stopped." if stopped else "Embedded PostgreSQL was not running.")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from soulroute.demo import load_demo_data, print_demo_logins

    load_demo_data()
    print_demo_logins()
    return 0


def _cmd_setup(args: argparse.Namespace) -> int:
    """Everything `make run` needs before the server starts: database, schema, demo data."""
    from soulroute.db.migrate import upgrade
    from soulroute.db.urls import owner_url

    owner_url()
    upgrade()
    if get_settings().demo:
        from soulroute.demo import load_demo_data, print_demo_logins

        load_demo_data()
        print_demo_logins()
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from soulroute.launcher import serve

    return serve(dev=args.dev)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="soulroute", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="database commands").add_subparsers(dest="db_command", required=True)
    db.add_parser("env", help="start the embedded server if needed; print DATABASE_URL").set_defaults(
        func=_cmd_db_env
    )
    db.add_parser("migrate", help="apply alembic migrations").set_defaults(func=_cmd_db_migrate)
    db.add_parser("stop", help="stop the embedded server").set_defaults(func=_cmd_db_stop)

    sub.add_parser("demo", help="load the demo data (idempotent) and print the logins").set_defaults(
        func=_cmd_demo
    )
    sub.add_parser("setup", help="database, migrations and demo data").set_defaults(func=_cmd_setup)
    serve = sub.add_parser("serve", help="set up, then serve the app (production build)")
    serve.add_argument("--dev", action="store_true", help="development mode with hot reload")
    serve.set_defaults(func=_cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
