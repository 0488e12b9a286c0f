"""Evidence integrity around analysis: fixity before hashing, partial decodes said as such,
streams joined from pieces, cover art, and settings that would break a batch."""

from __future__ import annotations

import json
import os

import clips
from conftest import assert_consistent
from sqlalchemy import select
from typer.testing import CliRunner

from workbench.catalogue import video_detail
from workbench.cli import app
from workbench.db import Analysis
from workbench.media.keyframes import analyze
from workbench.pipeline import ProcessOptions, import_paths, process


def _writable(path):
    os.chmod(path, 0o644)
    return path


def test_process_refuses_a_stored_file_whose_bytes_changed(ws, bikes, clip2):
    [item] = import_paths(ws, [bikes])
    _writable(ws.store.home / item.path).write_bytes(clip2.read_bytes())  # decodable, but not the evidence
    [again] = process(ws, [str(item.id)], every=False)
    assert again.status == "failed" and "fixity failure" in again.error and item.sha256 in again.error
    detail = video_detail(ws, item.id)["analysis"]
    assert detail["newest_failed"] and "fixity" in detail["newest_failed"]
    assert detail["samples"] == 10  # the earlier analysis of the real bytes is still the current one


def test_process_says_when_the_stored_file_is_missing(ws, bikes):
    [item] = import_paths(ws, [bikes])
    (ws.store.home / item.path).unlink()
    [again] = process(ws, [str(item.id)], every=False)
    assert again.status == "failed" and "missing" in again.error


def test_a_damaged_video_is_analysed_as_partial(ws, bikes, tmp_path):
    damaged = tmp_path / "damaged.mp4"
    data = bytearray(bikes.read_bytes())
    data[200_000:400_000] = os.urandom(200_000)  # scrambled in the middle, index intact
    damaged.write_bytes(bytes(data))
    [item] = import_paths(ws, [damaged])
    assert item.status == "stored" and not item.ok  # stored as evidence, but the analysis is incomplete
    assert "partial" in item.extra["process_error"] and "of 250 frames" in item.extra["process_error"]
    with ws.session() as s:
        analysis = s.scalars(select(Analysis).where(Analysis.media_id == item.id)).one()
        assert analysis.status == "partial" and analysis.frames_decoded < 250
    result = CliRunner().invoke(app, ["process", str(item.id), "--json"])
    assert result.exit_code == 1 and "partial" in json.loads(result.stdout)["items"][0]["process_error"]


def test_joined_stream_keeps_counting_and_cuts_at_the_size_change(tmp_path):
    a, b = tmp_path / "a.ts", tmp_path / "b.ts"
    clips.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=2", "-c:v", "libx264", a)
    clips.ffmpeg("-f", "lavfi", "-i", "smptebars=size=640x480:rate=25:duration=2", "-c:v", "libx264", b)
    joined = tmp_path / "joined.ts"
    joined.write_bytes(a.read_bytes() + b.read_bytes())  # timestamps restart at the join
    result = analyze(joined)
    assert result.frames_decoded == 100
    assert [s.t_ms // 1000 for s in result.samples] == [0, 1, 2, 3]
    assert len(result.shots) == 2 and abs(result.shots[1][0] - 2.0) < 0.1


def test_cover_art_is_not_video(ws, tmp_path, snap):
    art = tmp_path / "art.jpg"
    clips.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x320", "-frames:v", "1", art)
    song = tmp_path / "nasheed.m4a"
    clips.ffmpeg("-f", "lavfi", "-i", "sine=duration=1", "-i", art, "-map", "0", "-map", "1", "-c:a", "aac",
                 "-c:v", "mjpeg", "-disposition:v", "attached_pic", song)
    [item] = import_paths(ws, [song])
    assert item.status == "failed" and "no video stream" in item.error
    assert snap(ws).files == frozenset()


def test_fast_mode_frame_numbers_follow_time(bikes):
    for s in analyze(bikes, fast=True).samples:
        assert s.frame_number == round(s.t_ms / 40)  # 25 fps


def test_sample_rate_must_be_positive(home, bikes, monkeypatch):
    runner = CliRunner()
    assert runner.invoke(app, ["process", "1", "--sample-fps", "0"]).exit_code == 2
    monkeypatch.setenv("WORKBENCH_SAMPLE_FPS", "0")
    result = runner.invoke(app, ["import", str(bikes)])
    assert result.exit_code == 2 and "WORKBENCH_SAMPLE_FPS" in result.stderr


def test_an_unreachable_catalogue_is_one_line(home, monkeypatch):
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    result = CliRunner().invoke(app, ["list"])
    assert result.exit_code == 1 and result.stderr.startswith("error: cannot open the catalogue")
    assert len(result.stderr.strip().splitlines()) == 1


def test_analysis_records_the_versions_that_shape_its_hashes(ws, bikes):
    import_paths(ws, [bikes])
    process(ws, ["1"], every=False, opts=ProcessOptions(fast=True))
    with ws.session() as s:
        for analysis in s.scalars(select(Analysis)):
            assert {"libav", "pillow", "imagehash", "pdqhash", "numpy", "pipeline"} <= set(analysis.tool_versions)
    assert_consistent(ws)
