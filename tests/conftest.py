"""Test configuration: the fixture plugins live in tests/fixtures/."""

pytest_plugins = [
    "tests.fixtures.db",
    "tests.fixtures.app",
    "tests.fixtures.servers",
    "tests.fixtures.redis",
    "tests.fixtures.browser",
    "tests.fixtures.oidc",
]
