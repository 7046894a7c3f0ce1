"""Test configuration: the fixture plugins live in tests/fixtures/; the hypothesis settings profiles."""

import os

from hypothesis import settings

pytest_plugins = [
    "tests.fixtures.db",
    "tests.fixtures.app",
    "tests.fixtures.servers",
    "tests.fixtures.redis",
    "tests.fixtures.browser",
    "tests.fixtures.oidc",
    "tests.fixtures.admin",
    "tests.fixtures.webhooks",
    "tests.fixtures.webmention_pages",
    "tests.fixtures.nginx",
    "tests.fixtures.hosts",
    "tests.fixtures.caddy",
    "tests.fixtures.fedify",
]

# Property tests that do not set their own counts use a profile: "ci" (bounded and derandomised, so a CI
# run is reproducible and its time known), "dev" (the same count, new examples each run) or "deep"
# (REJOINDER_HYPOTHESIS=deep, to search longer before a release). No example database: runs leave no files.
settings.register_profile("ci", max_examples=200, deadline=None, database=None, derandomize=True)
settings.register_profile("dev", max_examples=200, deadline=None, database=None)
settings.register_profile("deep", max_examples=5000, deadline=None, database=None)
settings.load_profile(os.environ.get("REJOINDER_HYPOTHESIS") or ("ci" if os.environ.get("CI") else "dev"))
