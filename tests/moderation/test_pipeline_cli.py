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


def test_reject_all_by_network_covers_every_address_in_it(site_db: str) -> None:
    """Comments keep their address as its /24 (IPv4) or /56 (IPv6): a /16 ban rejects those of every /24
    inside it, a single address those of its /24, and nothing outside."""
    with moderated_client(site_db) as client:
        inside = [
            post(client, f"From inside {n}", ip=ip).json()["id"]
            for n, ip in enumerate(["198.51.7.1", "198.51.200.9"])
        ]
        v6 = post(client, "From a v6 /56", ip="2001:db8:1:ff::5").json()["id"]
        kept = post(client, "From next door", ip="198.52.0.1").json()["id"]
    out = run_cli(site_db, "ban", "--site", "blog", "--ip", "198.51.0.0/16", "--reject-all")
    assert "2 comment(s) rejected" in out
    with moderated_client(site_db) as client:
        assert sorted(shown_ids(client)) == sorted([v6, kept])
    out = run_cli(site_db, "ban", "--site", "blog", "--ip", "2001:db8:1:ff::1", "--reject-all")
    assert "1 comment(s) rejected" in out  # the one address's /56
    with moderated_client(site_db) as client:
        assert shown_ids(client) == [kept]
        assert set(inside).isdisjoint(shown_ids(client))


def test_reject_all_refuses_a_network_too_wide_to_look_up(site_db: str) -> None:
    result = CliRunner().invoke(
        main, ["ban", "--ip", "10.0.0.0/7", "--reject-all"], env={"REJOINDER_DATABASE__URL": site_db}
    )
    assert result.exit_code != 0
    assert "cannot reject existing comments" in result.output
    assert "Traceback" not in result.output
    plain = run_cli(site_db, "ban", "--ip", "10.0.0.0/7")  # a ban without rejecting is fine
    assert "on every site for good" in plain
