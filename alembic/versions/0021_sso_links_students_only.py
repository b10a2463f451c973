"""Single sign-on links an existing account by email only if it is a student's: the database refuses to
link a counselor or admin account through the sign-in path too (the code already refuses; this holds even
if it did not). Staff accounts are linked by an admin, as the tables' owner (`soulroute users link-sso`).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def _link_sso(role_rule: str) -> str:
    # `create or replace` keeps the function's grants (0010: the accounts role only).
    return f"""
create or replace function auth_link_sso(p_user uuid, p_subject text) returns void
language sql volatile security definer set search_path = public, pg_temp as $$
    update users set sso_subject = p_subject where id = p_user and sso_subject is null{role_rule}
$$;
"""


def upgrade() -> None:
    op.execute(_link_sso(" and role = 'student'"))


def downgrade() -> None:
    op.execute(_link_sso(""))
