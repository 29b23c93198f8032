"""The reform tests read the whole demo (loaded once per module, rolled back after)."""

from ketnghia.demo.tests.conftest import demo  # noqa: F401  (the session-scoped demo fixture)
