"""Domain tests run the app's own operations (validation, rules, queries) against the real database, each
from empty tables like the database tests."""

from tests.db.conftest import clean_tables  # noqa: F401 - the autouse fixture applies here too
