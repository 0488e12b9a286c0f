"""Archiving with real yt-dlp against a local HTTP server: the good paths."""

from __future__ import annotations

import json

import clips
from sqlalchemy import select

from workbench.acquire.archive import archive
from workbench.acquire.ytdlp import ArchiveOptions
from workbench.catalogue import video_detail
from workbench.db import Acquisition, Attachment, MediaFile, Source, SourceCheck
from workbench.media.probe import probe
from workbench.store import sha256_file

FAST = ArchiveOptions(retries=0, socket_timeout=5)


def test_direct_mp4_is_stored_under_its_sha256_with_full_provenance(ws, server, clip):
    server.add_file("/clip.mp4", clip)
    [item] = archive(ws, [server.url("/clip.mp4")], FAST)

    sha, size = sha256_file(clip)
    assert item.status == "stored" and item.error is None, item.error
    assert item.sha256 == sha
    assert item.path == f"media/{sha[:2]}/{sha[2:4]}/{sha}.mp4"
    stored = ws.store.home / item.path
    assert sha256_file(stored) == (sha, size)  # the original bytes, unchanged
    assert not stored.stat().st_mode & 0o222  # read-only evidence

    with ws.session() as s:
        media = s.scalar(select(MediaFile))
        assert (media.width, media.height, media.codec, media.frame_count, media.size) == (320, 240, "h264", 50, size)
        assert media.duration == 2.0 and media.audio_codec == "aac"
        src = s.scalar(select(Source))
        assert src.original_url == server.url("/clip.mp4") and src.availability == "ok"
        assert src.extractor == "Generic" and src.key == f"url:{server.url('/clip.mp4')}"
        acq = s.scalar(select(Acquisition))
        assert acq.method == "yt-dlp" and acq.acquired_by == "tester" and acq.http_status == 200
        assert {"workbench", "yt-dlp", "ffmpeg"} <= set(acq.tool_versions)
        assert acq.options["max_filesize"] == FAST.max_filesize
        info_blob = s.scalar(select(Attachment).where(Attachment.kind == "info.json"))
        info = json.loads((ws.store.home / info_blob.store_path).read_text())
        assert info["webpage_url"] == server.url("/clip.mp4")
        assert "filepath" not in json.dumps(info)  # no local work paths leak into evidence
        assert s.scalar(select(SourceCheck)).availability == "ok"
    assert not list((ws.store.home / "tmp").iterdir())  # work area cleaned


def test_html_page_with_video_tag_and_og_video(ws, server, clip):
    server.add_file("/media/clip.mp4", clip)
    server.add_html("/video-tag.html", "<html><head><title>Clashes near the airport</title></head><body>"
                    "<video controls><source src='/media/clip.mp4' type='video/mp4'></video></body></html>")
    server.add_html("/og.html", '<html><head><title>og</title>'  # yt-dlp reads og: tags in double quotes
                    f'<meta property="og:video" content="{server.url("/media/clip.mp4")}">'
                    '<meta property="og:title" content="Defection statement"></head><body></body></html>')
    items = archive(ws, [server.url("/video-tag.html"), server.url("/og.html")], FAST)

    assert [i.status for i in items] == ["stored", "exists"]  # same bytes: one file, linked twice
    assert items[0].sha256 == items[1].sha256 == sha256_file(clip)[0]
    detail = video_detail(ws, items[0].id)
    assert {s["original_url"] for s in detail["sources"]} == {server.url("/video-tag.html"), server.url("/og.html")}
    assert len(detail["acquisitions"]) == 2
    assert len(list((ws.store.home / "media").rglob("*.mp4"))) == 1


def test_hls_playlist_is_merged_into_a_real_mp4(ws, server, clip, tmp_path):
    playlist = clips.make_hls(clip, tmp_path / "hls")
    server.add_dir("/hls/", playlist.parent)
    [item] = archive(ws, [server.url("/hls/index.m3u8")], FAST)

    assert item.status == "stored", item.error
    stored = ws.store.home / item.path
    assert stored.suffix == ".mp4"
    info = probe(stored)
    assert info.container.startswith("mov,mp4")  # an MP4 container, not MPEG-TS under a .mp4 name
    assert info.codec == "h264" and info.frame_count == 50


def test_rearchiving_records_a_check_and_stores_nothing_new(ws, server, clip, clip2, snap):
    server.add_file("/v.mp4", clip)
    url = server.url("/v.mp4")
    [first] = archive(ws, [url], FAST)
    before = snap(ws)

    [again] = archive(ws, [url], FAST)
    after = snap(ws)
    assert again.status == "exists" and again.id == first.id
    assert "unchanged" in again.error
    assert after.files == before.files
    assert after.rows["source_checks"] == before.rows["source_checks"] + 1
    assert after.rows["acquisitions"] == before.rows["acquisitions"]

    server.add_file("/v.mp4", clip2)  # the platform now serves other bytes at the same URL
    [changed] = archive(ws, [url], FAST)
    assert changed.status == "stored" and changed.sha256 != first.sha256
    detail = video_detail(ws, changed.id)
    assert detail["sources"][0]["source_id"] == first.source_id  # same source, now linked to both files
    assert snap(ws).rows["source_media"] == 2

    server.add_status("/v.mp4", 404)  # and then the platform deletes it
    [deleted] = archive(ws, [url], FAST)
    assert (deleted.status, deleted.availability) == ("failed", "deleted")
    assert (deleted.id, deleted.sha256) == (changed.id, changed.sha256)  # which archived copy this concerns
    source = video_detail(ws, changed.id)["sources"][0]
    assert source["availability"] == "deleted" and "404" in source["availability_message"]
    assert [c["availability"] for c in source["checks"]] == ["ok", "ok", "ok", "deleted"]
    assert (ws.store.home / first.path).is_file() and (ws.store.home / changed.path).is_file()


def test_recheck_notices_a_video_deleted_after_archiving(ws, server, clip):
    from workbench.acquire.recheck import recheck
    from workbench.catalogue import sources_to_check

    server.add_file("/gone.mp4", clip)
    [item] = archive(ws, [server.url("/gone.mp4")], FAST)
    triples, missing = sources_to_check(ws, [str(item.id)], every=False)
    assert missing == []
    [ok] = recheck(ws, triples, FAST)
    assert (ok.status, ok.availability) == ("checked", "ok")

    server.add_status("/gone.mp4", 404)
    [gone] = recheck(ws, triples, FAST)
    assert (gone.status, gone.availability, gone.id, gone.sha256) == ("checked", "deleted", item.id, item.sha256)
    assert "404" in gone.error
    detail = video_detail(ws, item.id)
    assert detail["sources"][0]["availability"] == "deleted"
    assert [c["availability"] for c in detail["sources"][0]["checks"]] == ["ok", "ok", "deleted"]
    assert (ws.store.home / item.path).is_file()  # the preserved copy is still there


def test_thumbnail_and_subtitles_are_kept_as_blobs(ws, server, clip, tmp_path):
    poster = tmp_path / "poster.jpg"
    clips.ffmpeg("-i", clip, "-frames:v", "1", poster)
    vtt = "WEBVTT\n\n00:00.000 --> 00:01.000\nانشقاق ضابط\n".encode()
    server.add_file("/clip.mp4", clip)
    server.add_file("/poster.jpg", poster)
    server.add_bytes("/subs.vtt", vtt, "text/vtt")
    server.add_html("/p.html", '<html><head><title>x</title></head><body><video controls poster="/poster.jpg">'
                    '<source src="/clip.mp4" type="video/mp4">'
                    '<track kind="subtitles" src="/subs.vtt" srclang="ar" label="Arabic"></video></body></html>')
    [item] = archive(ws, [server.url("/p.html")], FAST)
    assert item.status == "stored", item.error
    attachments = {a["kind"]: a for a in video_detail(ws, item.id)["acquisitions"][0]["attachments"]}
    assert set(attachments) == {"info.json", "thumbnail", "subtitle"}
    assert (ws.store.home / attachments["thumbnail"]["path"]).read_bytes() == poster.read_bytes()
    assert (ws.store.home / attachments["subtitle"]["path"]).read_bytes() == vtt
    assert attachments["subtitle"]["label"] == "ar"


def live_playlist(server, clip, tmp_path) -> str:
    """An HLS playlist with no end marker: yt-dlp reports it as live."""
    vod = clips.make_hls(clip, tmp_path / "hls")
    server.add_dir("/hls/", vod.parent)
    text = vod.read_text().replace("#EXT-X-ENDLIST\n", "").replace("#EXT-X-PLAYLIST-TYPE:VOD\n", "")
    server.add_bytes("/live.m3u8", text.replace("seg", "/hls/seg").encode(), "application/vnd.apple.mpegurl")
    return server.url("/live.m3u8")


def test_live_streams_are_skipped_unless_asked_for(ws, server, clip, tmp_path, snap):
    url = live_playlist(server, clip, tmp_path)
    [item] = archive(ws, [url], FAST)
    assert item.status == "skipped" and "--live" in item.error
    assert snap(ws).files == frozenset()


def test_playlists_need_the_playlist_option(ws, server, two_video_page, clip, clip2):
    url = two_video_page
    [refused] = archive(ws, [url], FAST)
    assert refused.status == "failed" and "a playlist of 2 videos" in refused.error and "--playlist" in refused.error

    items = archive(ws, [url], ArchiveOptions(retries=0, socket_timeout=5, playlist=True))
    assert [i.status for i in items] == ["stored", "stored"]
    assert {i.sha256 for i in items} == {sha256_file(clip)[0], sha256_file(clip2)[0]}
    assert items[0].source_id != items[1].source_id  # one source per video on the page


def test_cookies_file_is_sent(ws, server, clip, tmp_path):
    server.add_file("/members/clip.mp4", clip)
    jar = tmp_path / "cookies.txt"  # Netscape format, as browser extensions export it
    jar.write_text("# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tsecret-token\n")
    [item] = archive(ws, [server.url("/members/clip.mp4")], ArchiveOptions(retries=0, cookies=jar))
    assert item.status == "stored", item.error
    sent = [h.get("Cookie", "") for _, path, h in server.requests if path == "/members/clip.mp4"]
    assert sent and all("session=secret-token" in c for c in sent)
    options = video_detail(ws, item.id)["acquisitions"][0]["options"]
    assert "secret-token" not in json.dumps(options)  # the recorded options never hold the secret


def test_downloads_go_through_the_proxy(ws, server, clip):
    server.add_file("/clip.mp4", clip)  # the server answers by path, so it can play the proxy
    proxy = f"http://user:hunter2@127.0.0.1:{server.port}"
    url = "http://footage.invalid/clip.mp4"  # a host that does not exist: only a proxy can reach it
    [item] = archive(ws, [url], ArchiveOptions(retries=0, socket_timeout=5, proxy=proxy))
    assert item.status == "stored", item.error
    assert item.sha256 == sha256_file(clip)[0] and server.hits["/clip.mp4"] >= 1
    options = video_detail(ws, item.id)["acquisitions"][0]["options"]
    assert options["proxy"] == f"http://user:***@127.0.0.1:{server.port}"  # password masked
