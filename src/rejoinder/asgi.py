"""Entry point for ASGI servers: `granian --interface asgi --factory rejoinder.asgi:app_factory`.

Settings come from REJOINDER_CONFIG / rejoinder.toml and REJOINDER_* variables, as for the CLI.
"""

from __future__ import annotations

from rejoinder import config, logs
from rejoinder.app import Rejoinder, create_app


def app_factory() -> Rejoinder:
    settings = config.load()
    logs.configure(settings.server)  # this worker's log lines (docs/operations.md, "Logs")
    return create_app(settings)
