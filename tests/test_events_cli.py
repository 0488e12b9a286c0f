"""The event, tag, unit, place, post and sun commands as an investigator runs them."""

from __future__ import annotations

import json

import pytest
from eventdata import add_video
from test_acled import row, write
from typer.testing import CliRunner

from workbench.cli import app

runner = CliRunner()
COMMANDS = [["events", "import"], ["events", "export"], ["events", "list"], ["events", "add"], ["events", "show"],
            ["events", "reject"], ["events", "edit"], ["events", "accept"], ["events", "restore"], ["tag"],
            ["units", "list"],
            ["units", "add"], ["places", "search"], ["post", "import"], ["post", "queue"], ["sun"]]


def cli(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def doc(result) -> dict:
    return json.loads(result.stdout)  # exactly one JSON document on stdout


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_and_json(command):
    result = cli(*command, "--help")
    assert result.exit_code == 0 and "--json" in result.stdout


def test_import_reports_bad_rows_by_line_and_strict_refuses(home, tmp_path):
    path = tmp_path / "e.csv"
    write(path, [row(notes="good"), row(event_id_cnty="SYR2", notes="bad", latitude="99")])
    strict = cli("events", "import", str(path), "--strict", "--json")
    assert strict.exit_code == 1 and doc(strict)["imported"] is False and "nothing imported" in doc(strict)["error"]
    assert doc(cli("events", "list", "--json"))["total"] == 0
    result = cli("events", "import", str(path), "--json")
    assert result.exit_code == 1
    data = doc(result)
    assert (data["ok"], data["failed"]) == (1, 1)
    assert data["items"][1]["error"] == "line 3: latitude '99' is out of range (-90 to 90)"
    assert "line 3: latitude '99'" in result.stderr
    assert doc(cli("events", "list", "--json"))["total"] == 1


def test_missing_column_file_is_refused(home, tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("event_date,country\n2012-12-01,Syria\n", encoding="utf-8")
    result = cli("events", "import", str(path))
    assert result.exit_code == 1 and "missing required column(s): event_type" in result.stderr


def test_export_round_trip_through_the_cli(home, tmp_path, monkeypatch):
    src, out1, out2 = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    write(src, [row(), row(event_id_cnty="SYR7", event_date="2013-03-02", year="2013", notes="other")])
    assert cli("events", "import", str(src)).exit_code == 0
    assert cli("events", "export", "-o", str(out1)).exit_code == 0
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "second"))
    assert cli("events", "import", str(out1)).exit_code == 0
    assert cli("events", "export", "-o", str(out2)).exit_code == 0
    assert out1.read_bytes() == out2.read_bytes()


def test_investigator_tags_a_video_and_sees_its_history(ws, home):
    vid, sha = add_video(ws)
    added = cli("events", "add", "--date", "2012-12-15", "--type", "Battles", "--sub-type", "armed clash",
                "--place", "Adra", "--unit", "Liwa al-Islam", "--json")
    assert added.exit_code == 0 and doc(added)["location"] == "Adra"
    eid = str(doc(added)["id"])
    tagged = cli("tag", sha[:12], "--place", "Adra", "--date", "2012-12-15", "--time", "14:30", "--unit", "FSA",
                 "--unit", "Jaysh al-Islam", "--event", eid, "--status", "in progress", "--graphic", "--json")
    assert tagged.exit_code == 0
    tag = doc(tagged)
    assert (tag["place"], tag["recorded_date"], tag["verification"], tag["graphic"]) == (
        "Adra", "2012-12-15", "in progress", True)
    assert tag["units"] == ["Free Syrian Army", "Jaysh al-Islam"] and tag["events"] == [int(eid)]
    tid = str(tag["id"])
    assert cli("tag", str(vid), "--tag", tid, "--expect-version", "1", "--precision", "100m").exit_code == 0
    conflict = cli("tag", str(vid), "--tag", tid, "--expect-version", "1", "--note", "late", "--json")
    assert conflict.exit_code == 1
    assert "conflict: tag" in doc(conflict)["error"] and "nothing was saved" in conflict.stderr
    history = doc(cli("tag", str(vid), "--tag", tid, "--history", "--json"))["history"]
    assert [(h["version"], h["author"]) for h in history] == [(1, "tester"), (2, "tester")]
    assert history[1]["changed"] == ["precision"]
    restored = doc(cli("tag", str(vid), "--tag", tid, "--restore", "1", "--json"))
    assert restored["version"] == 3 and restored["precision"] == "town"
    listed = doc(cli("tag", str(vid), "--json"))
    assert [t["id"] for t in listed["items"]] == [int(tid)]
    edited = cli("events", "edit", eid, "--expect-version", "1", "--fatalities", "4", "--video", str(vid),
                 "--source-url", "https://example.org/a", "--json")
    assert edited.exit_code == 0
    assert doc(edited)["sources"] == [{"url": "https://example.org/a", "video_id": None, "note": None},
                                      {"url": None, "video_id": vid, "note": None}]
    again = cli("events", "edit", eid, "--expect-version", "1", "--fatalities", "9", "--json")
    assert again.exit_code == 1 and "conflict: event" in doc(again)["error"]
    assert cli("events", "restore", eid, "1").exit_code == 0
    shown = doc(cli("events", "show", eid, "--json"))
    assert [h["action"] for h in shown["history"]] == ["created", "updated", "restored from v1"]
    assert shown["fatalities"] is None and shown["sources"] == [] and shown["version"] == 3


def test_tag_warnings_and_bad_input(ws, home):
    vid, _ = add_video(ws)
    late = cli("tag", str(vid), "--date", "2013-01-05")
    assert late.exit_code == 0 and "warning: recorded date 2013-01-05 is after source" in late.stderr
    future = cli("tag", str(vid), "--date", "2999-01-01", "--json")
    assert future.exit_code == 1 and "is in the future" in doc(future)["error"]
    coords = cli("tag", str(vid), "--lat", "33,5", "--lon", "36.2")
    assert coords.exit_code == 1 and "latitude '33,5' is not a decimal number" in coords.stderr
    assert cli("tag", str(vid), "--segment", "abc").exit_code == 2
    assert cli("tag", "424242", "--place", "Homs").exit_code == 1
    other, _ = add_video(ws, "other")
    made = doc(cli("tag", str(vid), "--place", "Homs", "--json"))
    wrong = cli("tag", str(other), "--tag", str(made["id"]), "--note", "x")
    assert wrong.exit_code == 1 and f"tag {made['id']} is on video {vid}, not on {other}" in wrong.stderr


def test_units_and_places(home):
    added = cli("units", "add", "Liwa Shuhada Badr", "--side", "opposition", "--alias", "Badr Martyrs", "--json")
    assert added.exit_code == 0 and doc(added)["status"] == "created"
    units = doc(cli("units", "list", "--side", "opposition", "--json"))["items"]
    assert "Liwa Shuhada Badr" in [u["name"] for u in units]
    assert cli("units", "add", "Nameless", "--json").exit_code == 1
    found = cli("places", "search", "Deir el-Zour", "--json")
    assert found.exit_code == 0 and doc(found)["match"]["name"] == "Deir ez-Zor"
    unknown = cli("places", "search", "Daray", "--json")
    assert unknown.exit_code == 1 and doc(unknown)["match"] is None
    assert {"Daraa", "Daraya"} <= {s["name"] for s in doc(unknown)["suggestions"][:3]}


def test_post_import_and_accept(home, tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("DOUMA: Clashes between Jaysh al-Islam and the Republican Guard. https://example.org/v\n",
                    encoding="utf-8")
    result = cli("post", "import", str(path), "--date", "2014-02-01", "--json")
    assert result.exit_code == 0
    drafts = doc(result)["drafts"]
    assert [(d["location"], d["sub_event_type"]) for d in drafts] == [("Douma", "Armed clash")]
    assert doc(result)["queued_links"] == ["https://example.org/v"]
    queue = cli("post", "queue")
    assert queue.exit_code == 0 and queue.stdout == "https://example.org/v\n"  # ready for `archive --from`
    assert doc(cli("post", "queue", "--json"))["items"][0]["event_id"] == drafts[0]["event_id"]
    eid = str(drafts[0]["event_id"])
    assert doc(cli("events", "list", "--status", "draft", "--json"))["total"] == 1
    assert cli("events", "accept", eid).exit_code == 0
    assert doc(cli("events", "show", eid, "--json"))["status"] == "accepted"


def test_a_rejected_draft_is_kept_never_exported_and_never_drafted_again(home, tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("DOUMA: Clashes between Jaysh al-Islam and the Republican Guard.\n", encoding="utf-8")
    [draft] = doc(cli("post", "import", str(path), "--json"))["drafts"]
    eid = str(draft["event_id"])
    rejected = cli("events", "reject", eid, "--expect-version", "1", "--json")
    assert rejected.exit_code == 0 and (doc(rejected)["status"], doc(rejected)["version"]) == ("rejected", 2)
    assert doc(cli("events", "list", "--status", "rejected", "--json"))["total"] == 1
    exported = cli("events", "export", "--drafts")
    assert exported.exit_code == 0 and exported.stdout.startswith("event_id_cnty,") and "Douma" not in exported.stdout
    again = doc(cli("post", "import", str(path), "--json"))["drafts"]
    assert [(d["status"], d["event_id"]) for d in again] == [("exists", draft["event_id"])]
    assert cli("events", "reject", "999").exit_code == 1


def test_sun(home):
    result = cli("sun", "2012-01-15T11:40", "--place", "Damascus", "--json")
    assert result.exit_code == 0
    pos = doc(result)
    assert pos["utc_offset_hours"] == 2.0 and 170 < pos["azimuth"] < 190
    assert cli("sun", "2012-01-15T11:40").exit_code == 2
    day = cli("sun", "2012-06-21", "--place", "Douma", "--every", "60", "--json")
    assert day.exit_code == 0 and 12 <= len(doc(day)["items"]) <= 15
    assert cli("sun", "2012-06-21T10:00", "--place", "Douma", "--every", "60").exit_code == 1
    assert cli("sun", "noon", "--lat", "33.5", "--lon", "36.3").exit_code == 1


def test_readme_subcommands_exist():
    import re
    from pathlib import Path

    from typer.main import get_command

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    groups = get_command(app).commands
    used = set(re.findall(r"workbench (events|units|places|post) (\w+)", readme))
    assert {g for g, _ in used} == {"events", "units", "places", "post"}
    for group, sub in used:
        assert sub in groups[group].commands, f"README documents `workbench {group} {sub}`, which does not exist"
