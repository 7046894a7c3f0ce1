"""Entry point for ASGI servers: `granian --interface asgi --factory rejoinder.asgi:app_factory`.

Settings come from REJOINDER_CONFIG / rejoinder.toml and REJOINDER_* variables, as for the CLI.
"""

from __future__ import annotations

from rejoinder.app import Rejoinder, create_app


def app_factory() -> Rejoinder:
    return create_app()
