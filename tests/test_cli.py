"""The command line as a user runs it: --json documents, exit codes, progress kept off stdout."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from workbench.cli import app

runner = CliRunner()
COMMANDS = ["archive", "import", "recheck", "process", "list", "show", "demo", "dupes", "search", "review"]


def cli(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_json(command):
    result = cli(command, "--help")
    assert result.exit_code == 0
    assert "--json" in result.stdout


def test_archive_json_is_one_document_with_the_promised_fields(home, server, clip):
    server.add_file("/a.mp4", clip)
    server.add_status("/gone.mp4", 404)
    result = cli("archive", server.url("/a.mp4"), server.url("/gone.mp4"), "--json", "--retries", "0")
    assert result.exit_code == 1  # one input failed
    doc = json.loads(result.stdout)  # nothing but the JSON on stdout
    assert (doc["ok"], doc["failed"]) == (1, 1)
    good, bad = doc["items"]
    for item in doc["items"]:
        assert {"id", "sha256", "status", "source_url", "path", "error"} <= set(item)
    assert good["status"] == "stored" and good["error"] is None and good["path"].startswith("media/")
    assert bad["status"] == "failed" and "HTTP 404" in bad["error"] and bad["source_url"].endswith("/gone.mp4")
    assert "HTTP 404" in result.stderr and server.url("/gone.mp4") in result.stderr


def test_archive_from_a_post_takes_every_link(home, server, clip, clip2, tmp_path):
    server.add_file("/one.mp4", clip)
    server.add_file("/two.mp4", clip2)
    post = tmp_path / "post.html"
    post.write_text(f'<html><body><p>انشقاق <a href="{server.url("/one.mp4")}">فيديو</a></p>'
                    f'<p>Clashes near the airport, with video: {server.url("/two.mp4")}.</p></body></html>',
                    encoding="utf-8")
    result = cli("archive", "--from", str(post), "--json", "--retries", "0")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [i["source_url"] for i in doc["items"]] == [server.url("/one.mp4"), server.url("/two.mp4")]
    assert all(i["status"] == "stored" for i in doc["items"])


def test_archive_from_csv(home, server, clip, tmp_path):
    server.add_file("/one.mp4", clip)
    table = tmp_path / "links.csv"
    table.write_text(f"title,url\nfirst,{server.url('/one.mp4')}\n", encoding="utf-8")
    doc = json.loads(cli("archive", "--from", str(table), "--json", "--retries", "0").stdout)
    assert [i["status"] for i in doc["items"]] == ["stored"]


@pytest.mark.parametrize("args, message", [
    (["archive"], "at least one URL"),
    (["recheck"], "--all"),
    (["archive", "http://x.test/a.mp4", "--max-filesize", "lots"], "not a size"),
])
def test_usage_errors_exit_2(home, args, message):
    result = cli(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_csv_without_url_column_is_a_usage_error(home, tmp_path):
    table = tmp_path / "links.csv"
    table.write_text("title,link\na,b\n", encoding="utf-8")
    result = cli("archive", "--from", str(table))
    assert result.exit_code == 2 and "no 'url' column" in result.stderr


def test_import_list_show_recheck(home, server, clip, tmp_path):
    folder = tmp_path / "footage" / "nested"
    folder.mkdir(parents=True)
    (folder / "a.mp4").write_bytes(clip.read_bytes())
    (folder / "notes.txt").write_text("not footage")  # ignored inside a folder
    result = cli("import", str(tmp_path / "footage"), "--json")
    assert result.exit_code == 0, result.stderr
    [item] = json.loads(result.stdout)["items"]
    assert item["status"] == "stored" and item["source_url"] is None

    listing = json.loads(cli("list", "--json").stdout)
    assert listing["total"] == 1 and listing["items"][0]["sha256"] == item["sha256"]
    assert listing["items"][0]["title"] == "a.mp4"

    detail = json.loads(cli("show", item["sha256"][:10], "--json").stdout)
    [acq] = detail["acquisitions"]
    assert acq["method"] == "local import" and acq["original_path"] == str(folder / "a.mp4")
    assert acq["original_mtime"] and acq["acquired_by"] == "tester"

    text = cli("show", str(item["id"]))
    assert text.exit_code == 0 and item["sha256"] in text.stdout and "local import" in text.stdout
    missing = cli("show", "999", "--json")
    assert missing.exit_code == 1 and json.loads(missing.stdout)["error"]

    server.add_file("/r.mp4", clip)
    archived = json.loads(cli("archive", server.url("/r.mp4"), "--json", "--retries", "0").stdout)["items"][0]
    assert archived["status"] == "exists" and archived["id"] == item["id"]  # same bytes as the import
    server.add_status("/r.mp4", 410)
    rechecked = cli("recheck", "--all", "--json")
    assert rechecked.exit_code == 0
    [chk] = json.loads(rechecked.stdout)["items"]
    assert (chk["availability"], chk["id"], chk["sha256"]) == ("deleted", item["id"], item["sha256"])
    assert cli("recheck", "12345", "--json").exit_code == 1


def test_installed_console_script_prints_only_json(home, server, clip):
    server.add_file("/a.mp4", clip)
    exe = [sys.executable, "-m", "workbench"]
    proc = subprocess.run([*exe, "archive", server.url("/a.mp4"), "--json"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["items"][0]["status"] == "stored"


def test_demo_imports_the_packaged_footage(home):
    result = cli("demo", "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    items = doc["items"]
    assert [i["title"] for i in items] == ["bikes.mp4", "carphone_pristine.mp4", "carphone_distorted.mp4",
                                           "bikes-reupload.mp4"]
    assert all(i["status"] == "stored" for i in items)
    assert (doc["events_added"], doc["tags_added"]) == (5, 2)
    # the re-upload (trimmed 2 s, mirrored, logo) is found as a copy of bikes.mp4, and bikes.mp4 came first
    dupes = json.loads(cli("dupes", "--json").stdout)
    bikes, reupload = items[0]["id"], items[3]["id"]
    [pair] = [p for p in dupes["pairs"] if {p["a"]["id"], p["b"]["id"]} == {bikes, reupload}]
    assert pair["mirrored"] and pair["segments"][0]["a_start"] == pytest.approx(2.0, abs=0.6)
    cluster = next(c for c in dupes["clusters"] if bikes in c["ids"])
    assert set(cluster["ids"]) == {bikes, reupload} and cluster["earliest"] == bikes
    again = json.loads(cli("demo", "--json").stdout)  # a second run adds nothing twice
    assert {i["status"] for i in again["items"]} == {"exists"}
    assert (again["events_added"], again["tags_added"]) == (0, 0)
