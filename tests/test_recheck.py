"""Rechecks that look at the video itself, failures recorded on every source they concern, and
local storage problems that fail one item cleanly (the batch goes on, no orphan blob)."""

from __future__ import annotations

import errno
import sqlite3

import clips
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

import workbench.acquire.ingest
from workbench.acquire.archive import archive
from workbench.acquire.recheck import recheck
from workbench.acquire.ytdlp import ArchiveOptions
from workbench.catalogue import sources_to_check, video_detail
from workbench.db import Acquisition, Attachment, MediaFile, Source, SourceCheck
from workbench.store import sha256_file

FAST = ArchiveOptions(retries=0, socket_timeout=5)
PLAYLIST = ArchiveOptions(retries=0, socket_timeout=5, playlist=True)
IDENTITY = ("key", "extractor", "platform_id", "canonical_url", "original_url")


def source_rows(ws) -> dict[int, dict]:
    """Every source, by id: what it is and what it says now."""
    with ws.session() as s:
        return {src.id: {name: getattr(src, name) for name in
                         (*IDENTITY, "title", "availability", "availability_message")}
                for src in s.scalars(select(Source))}


def checks(ws, source_id: int) -> list[tuple[str, str, str | None]]:
    with ws.session() as s:
        return [(c.kind, c.availability, c.message) for c in s.scalars(
            select(SourceCheck).where(SourceCheck.source_id == source_id).order_by(SourceCheck.id))]


def orphans(ws) -> set[str]:
    """Stored files (media and blobs) that no catalogue row refers to."""
    with ws.session() as s:
        known = set(s.scalars(select(MediaFile.sha256))) | set(s.scalars(select(Attachment.sha256)))
        known |= set(s.scalars(select(Acquisition.info_json_sha256)))
        known |= set(s.scalars(select(SourceCheck.info_json_sha256)))
    stored = [p for kind in ("media", "blobs") for p in (ws.store.home / kind).rglob("*") if p.is_file()]
    return {p.relative_to(ws.store.home).as_posix() for p in stored if p.name.split(".")[0] not in known}


def recheck_all(ws):
    triples, missing = sources_to_check(ws, [], every=True)
    assert missing == []
    return {item.source_id: item for item in recheck(ws, triples, FAST)}


# -- 1. recheck looks at the video, not just the page --------------------------------------------

def test_recheck_notices_the_file_behind_an_og_video_page_is_gone(ws, server, clip):
    server.add_file("/media/clip.mp4", clip)
    server.add_html("/og.html", '<html><head><title>og</title>'
                    f'<meta property="og:video" content="{server.url("/media/clip.mp4")}">'
                    '<meta property="og:title" content="Defection statement"></head><body></body></html>')
    [item] = archive(ws, [server.url("/og.html")], FAST)
    assert item.status == "stored", item.error
    [before] = source_rows(ws).values()

    [ok] = recheck_all(ws).values()
    assert (ok.status, ok.availability) == ("checked", "ok")

    server.add_status("/media/clip.mp4", 404)  # the page stays up; the video file is deleted
    [gone] = recheck_all(ws).values()
    assert (gone.status, gone.availability, gone.id, gone.sha256) == ("checked", "deleted", item.id, item.sha256)
    assert "404" in gone.error
    [after] = source_rows(ws).values()
    assert after["availability"] == "deleted" and "404" in after["availability_message"]
    assert {k: after[k] for k in IDENTITY} == {k: before[k] for k in IDENTITY}
    assert [c[:2] for c in checks(ws, item.source_id)] == [("archive", "ok"), ("recheck", "ok"), ("recheck", "deleted")]
    assert (ws.store.home / item.path).is_file()
    probes = [h for _, path, h in server.requests if path == "/media/clip.mp4"]
    assert probes[-1].get("Range") == "bytes=0-0"  # the recheck asked for one byte, not the video


def test_recheck_of_a_page_that_lost_one_of_its_videos(ws, server, clip, clip2):
    server.add_file("/a.mp4", clip)
    server.add_file("/b.mp4", clip2)
    server.add_html("/two.html", '<html><head><title>two</title></head><body>'
                    '<video src="/a.mp4"></video><video src="/b.mp4"></video></body></html>')
    first, second = archive(ws, [server.url("/two.html")], PLAYLIST)
    assert (first.status, second.status) == ("stored", "stored")
    before = source_rows(ws)
    assert before[first.source_id]["platform_id"] != before[second.source_id]["platform_id"]

    # the page is edited: the second video and its file are taken down, the title changes
    server.add_html("/two.html", '<html><head><title>two, edited</title></head><body>'
                    '<video src="/a.mp4"></video></body></html>')
    server.add_status("/b.mp4", 404)
    items = recheck_all(ws)

    kept, lost = items[first.source_id], items[second.source_id]
    assert (kept.status, kept.availability) == ("checked", "ok")
    assert (lost.status, lost.availability) == ("checked", "deleted")
    assert "no longer on the page" in lost.error
    assert (lost.id, lost.sha256) == (second.id, sha256_file(clip2)[0])
    after = source_rows(ws)
    # what each source is never changes on a recheck; only what the page says about it
    for source_id in (first.source_id, second.source_id):
        assert {k: after[source_id][k] for k in IDENTITY} == {k: before[source_id][k] for k in IDENTITY}
    assert after[second.source_id]["title"] == before[second.source_id]["title"]  # not the other video's
    assert after[first.source_id]["title"] == "two, edited (1)"  # descriptive fields are refreshed
    assert after[second.source_id]["availability"] == "deleted"
    assert after[first.source_id]["availability"] == "ok"


def test_recheck_of_a_page_whose_second_video_file_is_gone(ws, server, clip, clip2):
    server.add_file("/a.mp4", clip)
    server.add_file("/b.mp4", clip2)
    server.add_html("/two.html", '<html><head><title>two</title></head><body>'
                    '<video src="/a.mp4"></video><video src="/b.mp4"></video></body></html>')
    first, second = archive(ws, [server.url("/two.html")], PLAYLIST)
    before = source_rows(ws)

    server.add_status("/b.mp4", 410)  # the page still shows both players; one file is gone
    items = recheck_all(ws)
    assert items[first.source_id].availability == "ok"
    gone = items[second.source_id]
    assert (gone.status, gone.availability) == ("checked", "deleted") and "410" in gone.error
    after = source_rows(ws)
    assert after[second.source_id]["title"] == before[second.source_id]["title"]
    assert after[second.source_id]["platform_id"] == before[second.source_id]["platform_id"]


def test_the_probe_asks_for_the_manifest_of_a_stream_and_each_file_of_a_merged_format():
    from workbench.acquire.recheck import _media_urls

    hls = {"protocol": "m3u8_native", "url": "http://h/v/720p.m3u8", "manifest_url": "http://h/master.m3u8",
           "http_headers": {"Referer": "http://h/page"}}
    assert _media_urls(hls) == [("http://h/master.m3u8", {"Referer": "http://h/page"})]
    merged = {"url": None, "requested_formats": [{"protocol": "https", "url": "https://h/v.mp4"},
                                                 {"protocol": "https", "url": "https://h/a.m4a"}]}
    assert [u for u, _ in _media_urls(merged)] == ["https://h/v.mp4", "https://h/a.m4a"]
    assert _media_urls({"url": "file:///etc/passwd"}) == []  # only web addresses are fetched


# -- 2. a deleted page is recorded on every video archived from it -------------------------------

def test_a_deleted_page_is_recorded_on_every_source_it_held(ws, server, two_video_page):
    url = two_video_page
    first, second = archive(ws, [url], PLAYLIST)

    server.add_status("/b.mp4", 403)  # one video's file fails: only that video's source is told
    again = archive(ws, [url], PLAYLIST)
    assert [(i.status, i.availability) for i in again] == [("exists", "ok"), ("failed", "unavailable")]
    rows = source_rows(ws)
    assert rows[first.source_id]["availability"] == "ok"
    assert rows[second.source_id]["availability"] == "unavailable"

    server.add_status("/two.html", 404)  # then the whole page goes
    [gone] = archive(ws, [url], PLAYLIST)
    assert (gone.status, gone.availability) == ("failed", "deleted")
    assert (gone.source_id, gone.id, gone.sha256) == (first.source_id, first.id, first.sha256)
    rows = source_rows(ws)
    for source_id in (first.source_id, second.source_id):
        assert rows[source_id]["availability"] == "deleted"
        assert "404" in rows[source_id]["availability_message"]
        assert checks(ws, source_id)[-1][:2] == ("archive", "deleted")


# -- 3. a local storage problem fails one item; the batch goes on; nothing is left behind --------

def batch_with_a_poster_page(server, clip, clip2, tmp_path) -> list[str]:
    poster = tmp_path / "poster.jpg"
    clips.ffmpeg("-i", clip, "-frames:v", "1", poster)
    server.add_file("/clip.mp4", clip)
    server.add_file("/poster.jpg", poster)
    server.add_file("/other.mp4", clip2)
    server.add_html("/p.html", '<html><head><title>x</title></head><body><video controls poster="/poster.jpg">'
                    '<source src="/clip.mp4" type="video/mp4"></video></body></html>')
    return [server.url("/p.html"), server.url("/other.mp4")]


def test_a_full_disk_while_storing_attachments_fails_the_item_cleanly(ws, server, clip, clip2, tmp_path,
                                                                       monkeypatch, snap):
    urls = batch_with_a_poster_page(server, clip, clip2, tmp_path)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(ws.store, "put_file", full)  # thumbnails are stored with put_file
    failed, stored = archive(ws, urls, FAST)

    assert failed.status == "failed" and failed.input == urls[0]
    assert "No space left on device" in failed.error and "\n" not in failed.error
    assert stored.status == "stored" and stored.sha256 == sha256_file(clip2)[0]  # the batch went on
    assert orphans(ws) == set()  # the page's info.json and check snapshot were taken back
    after = snap(ws)
    assert after.rows["media_files"] == 1 and after.rows["sources"] == 1
    assert not after.tmp


def test_a_store_error_after_the_first_blob_takes_that_blob_back(ws, server, clip, clip2, tmp_path,
                                                                  monkeypatch, snap):
    urls = batch_with_a_poster_page(server, clip, clip2, tmp_path)
    real, calls = ws.store.put_bytes, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # the first item's check snapshot: its info.json is already stored
            raise PermissionError(errno.EACCES, "Permission denied", str(ws.store.home / "blobs"))
        return real(*args, **kwargs)

    monkeypatch.setattr(ws.store, "put_bytes", flaky)
    failed, stored = archive(ws, urls, FAST)
    assert failed.status == "failed" and "Permission denied" in failed.error
    assert stored.status == "stored"
    assert orphans(ws) == set()
    assert snap(ws).rows["media_files"] == 1


def test_a_catalogue_error_fails_the_item_cleanly(ws, server, clip, clip2, tmp_path, monkeypatch, snap):
    urls = batch_with_a_poster_page(server, clip, clip2, tmp_path)
    real, calls = workbench.acquire.ingest.record, []

    def locked(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("INSERT INTO media_files ...", {}, sqlite3.OperationalError("database is locked"))
        return real(*args, **kwargs)

    monkeypatch.setattr(workbench.acquire.ingest, "record", locked)
    failed, stored = archive(ws, urls, FAST)
    assert failed.status == "failed" and "database is locked" in failed.error and "\n" not in failed.error
    assert stored.status == "stored"
    assert orphans(ws) == set()  # no video, info.json, thumbnail or snapshot without a row
    after = snap(ws)
    assert after.rows["media_files"] == 1 and after.rows["sources"] == 1
    assert video_detail(ws, stored.id)["sources"][0]["original_url"] == urls[1]
