"""Keyframes and sample hashes in one decode pass, on real footage and transformed clips."""

from __future__ import annotations

import io
import json
import os

import clips
import pytest
from PIL import Image
from sqlalchemy import select
from typer.testing import CliRunner

from workbench.acquire.ytdlp import ArchiveOptions
from workbench.catalogue import video_detail
from workbench.cli import app
from workbench.db import Analysis, Frame
from workbench.media.decode import DecodeError
from workbench.media.hashing import hamming
from workbench.media.keyframes import analyze
from workbench.pipeline import ProcessOptions, archive, import_paths, process

# The cuts in bikes.mp4 (25 fps), seen frame by frame: the shots start at these times.
BIKES_SHOTS = [0.0, 1.2, 3.04, 5.48, 7.48, 9.68]


def test_bikes_shots_keyframes_and_samples(bikes):
    a = analyze(bikes, duration_hint=10.0)
    assert a.frames_decoded == 250  # every frame decoded exactly once
    assert [round(start, 2) for start, _ in a.shots] == BIKES_SHOTS
    assert [s.t_ms for s in a.samples] == [i * 1000 for i in range(10)]
    assert len(a.keyframes) == len(BIKES_SHOTS)
    for kf, start in zip(a.keyframes, BIKES_SHOTS, strict=True):
        assert start * 1000 <= kf.t_ms <= start * 1000 + 400  # a frame early in its own shot
        img = Image.open(io.BytesIO(kf.jpeg))
        assert img.format == "JPEG" and img.width == 320
    sheet = Image.open(io.BytesIO(a.contact_sheet))
    assert sheet.width > 320 and sheet.height > 100


def test_fast_mode_decodes_key_frames_only(bikes):
    a = analyze(bikes, fast=True)
    assert 0 < a.frames_decoded < 25  # a handful of key frames out of 250
    assert len(a.samples) == a.frames_decoded and a.keyframes


def test_rotation_metadata_is_applied_before_hashing(clip, tmp_path):
    rotated = tmp_path / "rotated.mp4"
    clips.ffmpeg("-display_rotation", "90", "-i", clip, "-c", "copy", rotated)
    upright = tmp_path / "upright.mp4"  # what a player shows: the same picture turned
    clips.ffmpeg("-i", rotated, "-c:v", "libx264", "-crf", "12", "-an", upright)
    a, b = analyze(rotated), analyze(upright)
    img = Image.open(io.BytesIO(a.keyframes[0].jpeg))
    assert img.height > img.width  # portrait, as displayed
    for x, y in zip(a.samples, b.samples, strict=True):
        assert hamming(x.hashes.phash, y.hashes.phash) <= 6


def test_odd_dimensions(tmp_path):
    odd = tmp_path / "odd.mp4"
    clips.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=321x241:rate=25:duration=2", "-c:v", "libx264",
                 "-pix_fmt", "yuv444p", odd)
    a = analyze(odd)
    assert len(a.samples) == 2
    crop = a.samples[0].hashes.crop.scaled(a.samples[0].crop_scale)
    assert crop.x + crop.w <= 321 and crop.y + crop.h <= 241


def test_padded_dimensions_sample_from_tmk(tmp_path):
    from conftest import shared_file

    a = analyze(shared_file("media", "tmk", "test-padded-dimensions.mp4"))
    assert len(a.samples) == 5 and a.frames_decoded == 150


def test_variable_frame_rate_samples_follow_the_clock(tmp_path):
    vfr = tmp_path / "vfr.mp4"  # 25 fps for 1 s, then frames 3x further apart
    clips.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=3", "-vf",
                 "setpts='if(lt(N,25),N,25+(N-25)*3)/25/TB'", "-fps_mode", "vfr", "-c:v", "libx264", vfr)
    a = analyze(vfr)
    times = [s.t_ms for s in a.samples]
    assert times == sorted(times) and len(times) == 7  # 0 .. 6 s of a ~6.9 s timeline
    assert all(abs(t - 1000 * i) <= 120 for i, t in enumerate(times))


def test_letterboxed_copy_hashes_like_the_original(bikes, tmp_path):
    boxed = tmp_path / "boxed.mp4"
    clips.ffmpeg("-i", bikes, "-vf", "pad=640:480:0:104:black", "-c:v", "libx264", "-crf", "18", boxed)
    plain, padded = analyze(bikes), analyze(boxed)
    for x, y in zip(plain.samples[1:], padded.samples[1:], strict=True):
        crop = y.hashes.crop.scaled(y.crop_scale)
        assert abs(crop.y - 104) <= 4 and abs(crop.h - 272) <= 6, crop
        assert hamming(x.hashes.phash, y.hashes.phash) <= 8


def test_mirrored_copy_matches_the_mirrored_hash(bikes, tmp_path):
    flipped = tmp_path / "flipped.mp4"
    clips.ffmpeg("-i", bikes, "-vf", "hflip", "-c:v", "libx264", "-crf", "18", flipped)
    plain, mirror = analyze(bikes), analyze(flipped)
    for x, y in zip(plain.samples[1:], mirror.samples[1:], strict=True):
        assert hamming(x.hashes.phash_mirror, y.hashes.phash) <= 8
        assert hamming(x.hashes.phash, y.hashes.phash) > 12


def test_black_and_fading_frames_are_low_information(tmp_path):
    black = tmp_path / "black.mp4"
    clips.ffmpeg("-f", "lavfi", "-i", "color=c=black:size=320x240:rate=25:duration=2", "-c:v", "libx264", black)
    assert all(s.hashes.low_info for s in analyze(black).samples)


def test_audio_only_and_garbage_are_clear_errors(tmp_path):
    audio = tmp_path / "sound.m4a"
    clips.ffmpeg("-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", audio)
    with pytest.raises(DecodeError, match="no video stream"):
        analyze(audio)
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(os.urandom(4096))
    with pytest.raises(DecodeError, match="not a video"):
        analyze(junk)


def test_import_makes_keyframes_and_process_adds_a_new_analysis(ws, bikes):
    [item] = import_paths(ws, [bikes])
    assert item.extra["keyframes"] == 6 and item.extra["samples"] == 10
    detail = video_detail(ws, item.id)["analysis"]
    assert [k["t_ms"] for k in detail["keyframes"]][0] <= 400
    assert (ws.store.home / detail["contact_sheet"]).is_file()
    for kf in detail["keyframes"]:
        assert Image.open(ws.store.home / kf["image"]).width == 320

    [again] = process(ws, [str(item.id)], every=False, opts=ProcessOptions(fast=True))
    assert again.status == "processed"
    with ws.session() as s:
        analyses = s.scalars(select(Analysis).where(Analysis.media_id == item.id)).all()
        assert [a.mode for a in analyses] == ["full", "fast"]  # the first analysis is kept
        assert s.query(Frame).filter(Frame.analysis_id == analyses[0].id).count() == 16
    assert video_detail(ws, item.id)["analysis"]["mode"] == "fast"


def test_process_batch_goes_on_past_a_broken_file(ws, bikes, clip, snap):
    good, bad = import_paths(ws, [bikes, clip])
    stored = ws.store.home / bad.path
    os.chmod(stored, 0o644)
    stored.write_bytes(b"\0" * stored.stat().st_size)  # bit rot: the stored copy is damaged
    before = snap(ws)
    items = process(ws, [str(bad.id), str(good.id), "nope"], every=False)
    assert [i.status for i in items] == ["failed", "processed", "failed"]
    assert items[0].error.startswith("keyframes:") and "no video with this id" in items[2].error
    with ws.session() as s:
        failed = s.scalars(select(Analysis).where(Analysis.media_id == bad.id, Analysis.status == "failed")).one()
        assert failed.error and not failed.frames  # recorded, with nothing half-stored
    after = snap(ws)
    assert after.files == before.files and not after.tmp
    bad_dir = ws.store.home / "derived" / bad.sha256[:2] / bad.sha256[2:4] / bad.sha256
    assert len(list(bad_dir.iterdir())) == 1  # only the import's analysis: the failed rerun wrote no images


def test_archive_and_cli_report_keyframes(ws, server, bikes, home):
    server.add_file("/bikes.mp4", bikes)
    [item] = archive(ws, [server.url("/bikes.mp4")], ArchiveOptions(retries=0))
    assert item.status == "stored" and item.extra["keyframes"] == 6
    result = CliRunner().invoke(app, ["process", str(item.id), "--fast", "--json"])
    assert result.exit_code == 0, result.stderr
    [done] = json.loads(result.stdout)["items"]
    assert done["status"] == "processed" and done["keyframes"] >= 1 and done["sha256"] == item.sha256
    assert CliRunner().invoke(app, ["process"]).exit_code == 2
