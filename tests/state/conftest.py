"""State tests drive the app's state classes through Reflex's own event processor in this process
(tests/state/harness.py), against the real database, from empty tables like the database tests."""

import pytest

from tests.db.conftest import clean_tables  # noqa: F401 - the autouse fixture applies here too


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
