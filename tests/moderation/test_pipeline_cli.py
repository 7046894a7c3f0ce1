"""`rejoinder ban`: ban an author from the command line (rejecting their comments), see them refused, lift
the ban; bad input is a clear error, not a traceback."""

from __future__ import annotations

from click.testing import CliRunner

from rejoinder.cli import main
from tests.fixtures.app import run_cli
from tests.moderation.test_pipeline import moderated_client, post, shown_ids, thread_count

TROLL = {"name": "Troll", "email": "troll@example.org"}


def test_ban_from_the_command_line_rejects_and_refuses_then_lifts(site_db: str) -> None:
    with moderated_client(site_db) as client:
        for n in range(2):
            assert (
                post(client, f"Troll words number {n} said at some length", author=TROLL).status_code == 201
            )
        kept = post(client, "A fine comment", ip="192.0.2.9", author={"name": "Fay"}).json()["id"]
    out = run_cli(
        site_db, "ban", "--site", "blog", "--email", "TROLL@example.org", "--reject-all", "--days", "7"
    )
    assert "made on site blog for 7 day(s); 2 comment(s) rejected" in out
    ban_id = out.split()[1]
    with moderated_client(site_db) as client:
        assert (shown_ids(client), thread_count(client)) == ([kept], 1)
        refused = post(client, "I am back", author=TROLL)
        assert (refused.status_code, refused.json()["code"]) == (403, "author-banned")
    assert run_cli(site_db, "ban", "--lift", ban_id).strip() == f"ban {ban_id} lifted"
    with moderated_client(site_db) as client:
        assert post(client, "I am back, and polite", author=TROLL).status_code == 201


def test_ban_by_network_on_every_site(site_db: str) -> None:
    out = run_cli(site_db, "ban", "--ip", "203.0.113.0/24", "--reason", "flooding")
    assert "on every site for good" in out
    with moderated_client(site_db) as client:
        assert post(client, "Hello", ip="203.0.113.45").json()["code"] == "author-banned"
        assert post(client, "Hello", ip="203.0.114.45").status_code == 201


def test_bad_ban_input_is_a_clear_error(site_db: str) -> None:
    runner = CliRunner()
    env = {"REJOINDER_DATABASE__URL": site_db}
    for args, message in [
        (["ban", "--site", "blog"], "Say whom to ban"),
        (["ban", "--ip", "not-a-network"], "Give an address or a network"),
        (["ban", "--site", "nope", "--email", "a@example.org"], "no site named 'nope'"),
        (["ban", "--lift", "999"], "no ban with this id"),
    ]:
        result = runner.invoke(main, args, env=env)
        assert result.exit_code != 0, args
        assert message in result.output, result.output
        assert "Traceback" not in result.output
