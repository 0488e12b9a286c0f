"""Every kind of bad input the foundation names: a clear one-line error naming the input, the
rest of the batch goes on, and nothing is half-written (store and catalogue unchanged)."""

from __future__ import annotations

import socket
import subprocess
import sys

import clips
import pytest
from conftest import assert_consistent

from workbench.acquire.archive import archive
from workbench.acquire.local import import_paths
from workbench.acquire.ytdlp import ArchiveOptions
from workbench.catalogue import video_detail

FAST = ArchiveOptions(retries=0, socket_timeout=2)


def assert_failed_cleanly(ws, snap, before, item, *fragments):
    """The item failed with a one-line message containing the fragments; nothing was written."""
    assert item.status == "failed"
    assert item.error and "\n" not in item.error
    for fragment in fragments:
        assert fragment.lower() in item.error.lower(), item.error
    after = snap(ws)
    assert after.files == before.files
    assert after.rows == before.rows
    assert not after.tmp, f"left in the work area: {sorted(after.tmp)}"
    assert_consistent(ws)


@pytest.mark.parametrize("url, fragment", [
    ("not a url", "malformed url"),
    ("ftp://example.org/video.mp4", "only http"),
    ("http://", "no host"),
    ("http://127.0.0.1:99999/x.mp4", "malformed url"),
])
def test_malformed_urls(ws, snap, url, fragment):
    before = snap(ws)
    [item] = archive(ws, [url], FAST)
    assert_failed_cleanly(ws, snap, before, item, fragment)


@pytest.mark.parametrize("code, availability", [(404, "deleted"), (410, "deleted"), (403, "unavailable")])
def test_http_errors(ws, snap, server, code, availability):
    server.add_status(f"/e{code}.mp4", code)
    before = snap(ws)
    [item] = archive(ws, [server.url(f"/e{code}.mp4")], FAST)
    assert_failed_cleanly(ws, snap, before, item, f"HTTP {code}")
    assert item.availability == availability


def test_page_without_video(ws, snap, server):
    server.add_html("/article.html", "<html><head><title>News</title></head><body><p>No video here.</p></body></html>")
    before = snap(ws)
    [item] = archive(ws, [server.url("/article.html")], FAST)
    assert_failed_cleanly(ws, snap, before, item, "no video found")


def test_connection_refused(ws, snap):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    before = snap(ws)
    [item] = archive(ws, [f"http://127.0.0.1:{port}/v.mp4"], FAST)
    assert_failed_cleanly(ws, snap, before, item, "connection refused")


def test_timeout(ws, snap, server):
    server.add_stall("/slow.mp4", 30)
    before = snap(ws)
    [item] = archive(ws, [server.url("/slow.mp4")], ArchiveOptions(retries=0, socket_timeout=1))
    assert_failed_cleanly(ws, snap, before, item, "timed out")


def test_server_cuts_the_connection_mid_download(ws, snap, server, clip):
    server.add_truncating("/cut.mp4", clip.read_bytes(), fraction=0.5)
    before = snap(ws)
    [item] = archive(ws, [server.url("/cut.mp4")], ArchiveOptions(retries=1, socket_timeout=2))
    assert_failed_cleanly(ws, snap, before, item, "connection cut mid-download")


def test_file_over_the_size_limit_with_and_without_content_length(ws, snap, server, clip):
    server.add_file("/big.mp4", clip)
    server.add_chunked("/big-chunked.mp4", clip.read_bytes())
    small = ArchiveOptions(retries=0, socket_timeout=2, max_filesize=50_000)
    before = snap(ws)
    for path in ("/big.mp4", "/big-chunked.mp4"):
        [item] = archive(ws, [server.url(path)], small)
        assert_failed_cleanly(ws, snap, before, item, "larger than the size limit")


@pytest.mark.parametrize("name, make, fragment", [
    ("empty.mp4", lambda clip, tmp: b"", "zero-byte file"),
    ("text.mp4", lambda clip, tmp: b"<html>this is not a video</html>\n", "not a video"),
    ("truncated.mp4", lambda clip, tmp: clips.truncated_copy(clip, tmp / "t.mp4", 0.5).read_bytes(), "truncated"),
    ("corrupt.mp4", lambda clip, tmp: b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40, "not a video"),
])
def test_downloaded_file_that_is_not_a_usable_video(ws, snap, server, clip, tmp_path, name, make, fragment):
    server.add_bytes(f"/{name}", make(clip, tmp_path), "video/mp4")
    before = snap(ws)
    [item] = archive(ws, [server.url(f"/{name}")], FAST)
    assert_failed_cleanly(ws, snap, before, item, fragment)


@pytest.mark.parametrize("name, make, fragment", [
    ("empty.mp4", lambda clip, tmp: b"", "zero-byte"),
    ("text.mp4", lambda clip, tmp: b"just some notes, named .mp4\n", "not a video"),
    ("truncated.mp4", lambda clip, tmp: clips.truncated_copy(clip, tmp / "t.mp4", 0.5).read_bytes(), "truncated"),
    # named explicitly, a .txt file opens in FFmpeg's tty demuxer as "video" (ANSI art)
    ("notes.txt", lambda clip, tmp: ("Witness statement, Aleppo. شهادة\n" * 400).encode(), "it is text"),
    ("still.mp4", lambda clip, tmp: clips.ffmpeg("-i", clip, "-frames:v", "1", "-f", "image2", tmp / "s.jpg")
     and (tmp / "s.jpg").read_bytes(), "still image"),
])
def test_bad_local_files_are_reported_and_the_batch_goes_on(ws, snap, clip, tmp_path, name, make, fragment):
    bad = tmp_path / "in" / name
    bad.parent.mkdir()
    bad.write_bytes(make(clip, tmp_path))
    before = snap(ws)
    items = import_paths(ws, [bad, clip, tmp_path / "missing.mp4"])
    assert [i.status for i in items] == ["failed", "stored", "failed"]
    assert fragment in items[0].error and items[0].input == str(bad)
    assert "no such file" in items[2].error
    after = snap(ws)
    assert len(after.files - before.files) == 1 and after.rows["media_files"] == 1


def test_hostile_titles_never_become_file_names(ws, server, clip):
    title = "../../etc/passwd انشقاق ضابط/في حلب\\..\\x"
    server.add_file("/v/clip.mp4", clip)
    server.add_html("/post.html", f'<html><head><title>{title}</title>'
                    f'<meta property="og:video" content="{server.url("/v/clip.mp4")}">'
                    f'<meta property="og:title" content="{title}"></head><body></body></html>')
    [item] = archive(ws, [server.url("/post.html")], FAST)
    assert item.status == "stored", item.error
    assert video_detail(ws, item.id)["sources"][0]["title"] == title  # kept verbatim in the catalogue
    names = [p.name for p in ws.store.home.rglob("*")]
    assert not any("passwd" in n or "حلب" in n or ".." in n for n in names)
    assert all(p.resolve().is_relative_to(ws.store.home.resolve()) for p in ws.store.home.rglob("*"))


def test_same_url_twice_in_one_batch(ws, snap, server, clip):
    server.add_file("/twice.mp4", clip)
    url = server.url("/twice.mp4")
    first, second = archive(ws, [url, url], FAST)
    assert first.status == "stored"
    assert second.status == "skipped" and "twice" in second.error and second.id == first.id
    assert server.hits["/twice.mp4"] == 2  # fetched once by the metadata phase, once by the download
    assert snap(ws).rows["source_checks"] == 1


def test_the_batch_goes_on_after_each_failure(ws, snap, server, clip):
    server.add_file("/good.mp4", clip)
    server.add_status("/gone.mp4", 404)
    items = archive(ws, ["nope", server.url("/gone.mp4"), server.url("/good.mp4")], FAST)
    assert [i.status for i in items] == ["failed", "failed", "stored"]
    rows = snap(ws).rows
    assert rows["media_files"] == rows["sources"] == rows["acquisitions"] == 1


def test_two_processes_archiving_the_same_url_at_once(ws, home, server, clip, snap):
    server.add_file("/race.mp4", clip)
    url = server.url("/race.mp4")
    cmd = [sys.executable, "-m", "workbench", "archive", url, "--json", "--retries", "0"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    state = snap(ws)
    assert len([f for f in state.files if f.startswith("media/")]) == 1  # one copy of the bytes
    assert state.rows["media_files"] == state.rows["sources"] == state.rows["source_media"] == 1
    assert state.rows["acquisitions"] == 1  # the link was made once
    assert state.rows["source_checks"] == 2  # both runs are on record
    assert not state.tmp
    assert_consistent(ws)
