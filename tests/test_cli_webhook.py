"""`rejoinder webhook …` on SQLite and PostgreSQL: add prints the id and secret, list shows what was added
(never the secret), rotate-secret keeps the old one for the overlap, enable/disable, deliveries and
redeliver, remove; bad input ends with a one-line message and exit status 1, changing nothing."""

from __future__ import annotations

import re

from click.testing import CliRunner

from rejoinder.cli import main
from tests.fixtures.app import ORIGIN, run_cli

PRIVATE = {"REJOINDER_WEBHOOKS__ALLOW_PRIVATE": "true"}


def cli(db_url: str, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, list(args), env={"REJOINDER_DATABASE__URL": db_url, **(env or {})}, catch_exceptions=False
    )
    return result.exit_code, result.output


def test_add_list_rotate_disable_and_remove(db_url: str) -> None:
    run_cli(db_url, "site", "add", "blog", "--origin", ORIGIN)
    code, out = cli(
        db_url, "webhook", "add", "blog", "http://127.0.0.1:9/hook", "--event", "comment.created",
        "--event", "like.created", env=PRIVATE,
    )  # fmt: skip
    assert code == 0, out
    found = re.search(
        r"^endpoint (\d+) added for comment\.created, like\.created\nsecret: (whsec_\S+)\n", out
    )
    assert found, out
    endpoint, secret = found.group(1), found.group(2)
    listing = run_cli(db_url, "webhook", "list")
    assert listing == f"{endpoint}\tblog\thttp://127.0.0.1:9/hook\tcomment.created,like.created\tactive\n"
    assert secret not in listing
    rotated = run_cli(db_url, "webhook", "rotate-secret", endpoint)
    new = re.search(r"^secret: (whsec_\S+)\nthe previous secret also signs deliveries until \S+Z\n$", rotated)
    assert new and new.group(1) != secret, rotated
    assert run_cli(db_url, "webhook", "disable", endpoint) == f"endpoint {endpoint} disabled\n"
    assert run_cli(db_url, "webhook", "list").endswith("\tdisabled (turned off by an admin)\n")
    assert run_cli(db_url, "webhook", "enable", endpoint) == f"endpoint {endpoint} enabled\n"
    assert run_cli(db_url, "webhook", "deliveries", endpoint) == "nothing was sent to this endpoint yet\n"
    assert run_cli(db_url, "webhook", "remove", endpoint) == f"endpoint {endpoint} removed\n"
    assert run_cli(db_url, "webhook", "list") == "no webhook endpoints; see `rejoinder webhook add --help`\n"


def test_bad_input_is_refused_with_a_clear_message(db_url: str) -> None:
    run_cli(db_url, "site", "add", "blog", "--origin", ORIGIN)
    cases = [
        (
            ("webhook", "add", "blog", "http://hooks.example/x"),
            "url: A webhook endpoint must be an https:// URL",
        ),
        (
            ("webhook", "add", "blog", "https://127.0.0.1/x"),
            "That server is not on the public internet",
        ),
        (
            ("webhook", "add", "blog", "https://169.254.169.254/x"),
            "That server is not on the public internet",
        ),
        (
            ("webhook", "add", "blog", "https://[::1]/x"),
            "That server is not on the public internet",
        ),
        (
            ("webhook", "add", "blog", "https://localhost/x"),
            "That server is not on the public internet",
        ),
        (("webhook", "add", "nosuch", "https://hooks.example/x"), "There is no site named 'nosuch'"),
        (
            ("webhook", "add", "blog", "https://a:b@hooks.example/x"),
            "url: Put no user name or password in the URL",
        ),
        (("webhook", "remove", "42"), "There is no webhook endpoint 42"),
        (("webhook", "rotate-secret", "42"), "There is no webhook endpoint 42"),
        (("webhook", "deliveries", "42"), "There is no webhook endpoint 42"),
        (("webhook", "redeliver", "42", "someevent"), "There is no webhook endpoint 42"),
    ]
    for args, message in cases:
        code, out = cli(db_url, *args)
        assert (code, out.startswith(f"Error: {message}")) == (1, True), (args, out)
    code, out = cli(
        db_url, "webhook", "add", "blog", "https://hooks.example/x", "--event", "comment.exploded"
    )
    assert code == 2 and "'comment.exploded' is not one of" in out
    code, out = cli(db_url, "webhook", "remove", "0")
    assert code == 2 and "0 is not in the range x>=1" in out
    assert run_cli(db_url, "webhook", "list") == "no webhook endpoints; see `rejoinder webhook add --help`\n"


def test_redeliver_needs_an_event_of_the_endpoint(db_url: str) -> None:
    run_cli(db_url, "site", "add", "blog", "--origin", ORIGIN)
    code, out = cli(db_url, "webhook", "add", "blog", "http://127.0.0.1:9/hook", env=PRIVATE)
    assert code == 0
    endpoint = out.split()[1]
    code, out = cli(db_url, "webhook", "redeliver", endpoint, "no-such-event")
    assert (code, out) == (1, f"Error: Endpoint {endpoint} has no event 'no-such-event' to deliver again\n")
