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
    from soulroute.launcher import set_up

    return set_up()


def _cmd_users_create(args: argparse.Namespace) -> int:
    import getpass

    from soulroute.auth.accounts import create_account
    from soulroute.db.urls import owner_url
    from soulroute.domain.errors import ValidationFailed

    owner_url()
    password = args.password or getpass.getpass("Password (at least 10 characters): ")
    data = {
        "email": args.email,
        "display_name": args.name,
        "password": password,
        "role": args.role,
        "expertise": [e.strip() for e in (args.expertise or "").split(",") if e.strip()],
        "capacity": args.capacity,
        "on_call_crisis": args.on_call,
    }
    if args.modes:
        data["session_modes"] = [m.strip() for m in args.modes.split(",") if m.strip()]
    try:
        create_account(data)
    except ValidationFailed as exc:
        for field, message in exc.errors.items():
            print(f"error: {field}: {message}", file=sys.stderr)
        return 2
    print(f"Created {args.role} account {args.email.lower()}.")
    return 0


def _cmd_users_list(args: argparse.Namespace) -> int:
    from soulroute.auth.accounts import list_accounts
    from soulroute.db.models import UserRole
    from soulroute.db.urls import owner_url

    owner_url()
    rows = list_accounts(role=UserRole(args.role) if args.role else None)
    for r in rows:
        state = "active" if r["is_active"] else "deactivated"
        print(f"{r['role']:<10} {r['email']:<40} {r['display_name']:<30} {state}")
    print(f"{len(rows)} account(s).")
    return 0


def _cmd_users_set_active(args: argparse.Namespace) -> int:
    from soulroute.auth.accounts import set_account_active
    from soulroute.db.urls import owner_url

    owner_url()
    active = args.users_command == "activate"
    if not set_account_active(args.email, active):
        print(f"error: no account with email {args.email}", file=sys.stderr)
        return 1
    print(f"{args.email} {'activated' if active else 'deactivated; all its sessions have ended'}.")
    return 0


def _cmd_users_link_sso(args: argparse.Namespace) -> int:
    from soulroute.auth.accounts import link_sso_by_admin
    from soulroute.db.urls import owner_url
    from soulroute.domain.errors import ValidationFailed

    owner_url()
    try:
        linked = link_sso_by_admin(args.email, args.subject)
    except ValidationFailed as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    if not linked:
        print(f"error: no account with email {args.email} that is not linked yet", file=sys.stderr)
        return 1
    print(f"{args.email} now signs in through single sign-on as {args.subject}.")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from soulroute.launcher import serve

    return serve(dev=args.dev)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="soulroute", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="database commands").add_subparsers(dest="db_command", required=True)
    db.add_parser("env", help="start the embedded server if needed; print DATABASE_URL").set_defaults(func=_cmd_db_env)
    db.add_parser("migrate", help="apply alembic migrations").set_defaults(func=_cmd_db_migrate)
    db.add_parser("stop", help="stop the embedded server").set_defaults(func=_cmd_db_stop)

    sub.add_parser("demo", help="load the demo data (idempotent) and print the logins").set_defaults(func=_cmd_demo)
    sub.add_parser("setup", help="database, migrations and demo data").set_defaults(func=_cmd_setup)
    users = sub.add_parser("users", help="manage accounts").add_subparsers(dest="users_command", required=True)
    create = users.add_parser("create", help="create an account (also the first admin on a fresh install)")
    create.add_argument("--role", required=True, choices=["student", "counselor", "admin"])
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True, help="display name")
    create.add_argument("--password", help="omit to be asked (keeps it out of the shell history)")
    create.add_argument("--expertise", help="counselors: comma-separated categories, e.g. anxiety,stress")
    create.add_argument("--modes", help="counselors: comma-separated session modes (default: all)")
    create.add_argument("--capacity", type=int, default=5, help="counselors: max active tickets (default 5)")
    create.add_argument("--on-call", action="store_true", help="counselors: on call for crisis tickets")
    create.set_defaults(func=_cmd_users_create)
    listing = users.add_parser("list", help="list accounts")
    listing.add_argument("--role", choices=["student", "counselor", "admin"])
    listing.set_defaults(func=_cmd_users_list)
    for verb in ("deactivate", "activate"):
        p = users.add_parser(
            verb, help=f"{verb} an account" + (" and end its sessions" if verb == "deactivate" else "")
        )
        p.add_argument("email")
        p.set_defaults(func=_cmd_users_set_active)

    link = users.add_parser("link-sso", help="link an account (staff: never automatic) to its single sign-on identity")
    link.add_argument("email")
    link.add_argument("subject", help="the identity's subject (sub) at the provider")
    link.set_defaults(func=_cmd_users_link_sso)

    serve = sub.add_parser("serve", help="set up, then serve the app (production build)")
    serve.add_argument("--dev", action="store_true", help="development mode with hot reload")
    serve.set_defaults(func=_cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
