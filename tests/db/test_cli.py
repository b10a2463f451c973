"""The command-line tool: bootstrap an admin, create a counselor with a profile, list, deactivate."""

from soulroute.cli import main
from tests.db.sql import owner


def test_users_create_list_deactivate(capsys):
    assert (
        main(
            [
                "users",
                "create",
                "--role",
                "admin",
                "--email",
                "Head@University.example",
                "--name",
                "Head Admin",
                "--password",
                "copper meadow signal",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "users",
                "create",
                "--role",
                "counselor",
                "--email",
                "dr.ng@university.example",
                "--name",
                "Dr. Ng",
                "--password",
                "silver harbor candle",
                "--expertise",
                "anxiety,academic",
                "--capacity",
                "8",
                "--on-call",
            ]
        )
        == 0
    )
    profile = owner(
        "select p.capacity, p.on_call_crisis, p.expertise::text[] as e from counselor_profiles p "
        "join users u on u.id = p.user_id where u.email = 'dr.ng@university.example'"
    )
    assert profile == [{"capacity": 8, "on_call_crisis": True, "e": ["anxiety", "academic"]}]
    assert (
        main(
            [
                "users",
                "create",
                "--role",
                "student",
                "--email",
                "x@university.example",
                "--name",
                "X",
                "--password",
                "short",
            ]
        )
        == 2
    )
    assert main(["users", "list"]) == 0
    out = capsys.readouterr()
    assert "head@university.example" in out.out and "2 account(s)." in out.out
    assert "at least 10 characters" in out.err
    assert main(["users", "deactivate", "dr.ng@university.example"]) == 0
    assert owner("select is_active from users where email = 'dr.ng@university.example'") == [{"is_active": False}]
    assert main(["users", "deactivate", "nobody@university.example"]) == 1
