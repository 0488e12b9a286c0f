"""Probing videos with PyAV: what a good file reports, and a clear ProbeError for every bad one."""

from __future__ import annotations

import os

import clips
import pytest
from conftest import shared_file

from workbench.media.probe import ProbeError, probe


def test_bikes_sample(bikes):
    info = probe(bikes)
    assert (info.width, info.height, info.codec) == (640, 272, "h264")
    assert (info.frame_count, info.fps, info.duration) == (250, 25.0, 10.0)
    assert info.ext == "mp4" and info.container.startswith("mov,mp4")
    assert info.rotation == 0 and info.audio_codec is None


def test_clip_with_audio_reports_aac(clip):
    info = probe(clip)
    assert info.audio_codec == "aac"
    assert (info.width, info.height, info.frame_count, info.duration) == (320, 240, 50, 2.0)
    assert info.as_dict()["audio_codec"] == "aac"


def test_zero_byte_file(tmp_path):
    path = tmp_path / "empty.mp4"
    path.write_bytes(b"")
    with pytest.raises(ProbeError, match="^zero-byte file$"):
        probe(path)


def test_text_page_named_mp4(tmp_path):
    path = tmp_path / "video.mp4"
    path.write_text("<!doctype html><html><body>403 Forbidden: sign in to view</body></html>")
    with pytest.raises(ProbeError, match="^not a video file"):
        probe(path)


def test_random_bytes(tmp_path):
    path = tmp_path / "noise.mp4"
    path.write_bytes(os.urandom(200_000))
    with pytest.raises(ProbeError, match="^not a video file"):
        probe(path)


def test_audio_only_file(tmp_path):
    path = tmp_path / "x.m4a"
    clips.ffmpeg("-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", path)
    with pytest.raises(ProbeError, match="no video stream"):
        probe(path)


@pytest.mark.parametrize("fraction", [0.5, 0.9])
def test_faststart_clip_cut_short_opens_but_misses_frames(clip, tmp_path, fraction):
    """The index is at the front, so the file opens; probing must notice the frames are missing."""
    cut = clips.truncated_copy(clip, tmp_path / "cut.mp4", fraction)
    with pytest.raises(ProbeError, match=r"^truncated: the file ends at byte \d+ but its index reaches byte \d+$"):
        probe(cut)


@pytest.mark.parametrize("stream", ["video", "audio"])
def test_faststart_clip_missing_only_its_last_bytes(clip, tmp_path, stream):
    """A download that stopped a few bytes early, inside the last video frame or the audio after it."""
    ends = _packet_ends(clip)
    assert ends["audio"] > ends["video"]  # ffmpeg writes the last audio packets after the last frame
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(clip.read_bytes()[: ends[stream] - 10])
    with pytest.raises(ProbeError, match="^truncated: "):
        probe(cut)


def _packet_ends(path) -> dict[str, int]:
    import av

    ends: dict[str, int] = {}
    with av.open(str(path)) as container:
        for packet in container.demux():
            if packet.size:
                ends[packet.stream.type] = max(ends.get(packet.stream.type, 0), packet.pos + packet.size)
    return ends


def test_non_faststart_clip_cut_short(tmp_path):
    """Index at the end (the default for ffmpeg and many phones): a cut file has no index at all."""
    whole = tmp_path / "whole.mp4"
    clips.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2",
                 "-c:v", clips.video_encoder(), "-pix_fmt", "yuv420p", whole)
    assert probe(whole).frame_count == 50  # the whole file is fine
    cut = clips.truncated_copy(whole, tmp_path / "cut.mp4", 0.9)
    with pytest.raises(ProbeError, match="^not a video file"):
        probe(cut)


def test_rotation_metadata(clip, tmp_path):
    rotated = tmp_path / "rot.mp4"
    clips.ffmpeg("-display_rotation", "90", "-i", clip, "-c", "copy", rotated)
    info = probe(rotated)
    assert info.rotation == 90
    assert (info.width, info.height) == (320, 240)  # coded size; rotation is applied on display


def test_rotation_the_other_way(clip, tmp_path):
    rotated = tmp_path / "rot.mp4"
    clips.ffmpeg("-display_rotation", "-90", "-i", clip, "-c", "copy", rotated)
    assert probe(rotated).rotation == -90


@pytest.mark.parametrize("encoder, pix_fmt", [("libx264", "yuv444p"), ("mpeg4", "yuv420p")])
def test_odd_dimensions(tmp_path, encoder, pix_fmt):
    if not clips.has_encoder(encoder):
        pytest.skip(f"this ffmpeg build has no {encoder} encoder")
    path = tmp_path / "odd.mp4"
    clips.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=1", "-vf", "scale=321:241",
                 "-c:v", encoder, "-pix_fmt", pix_fmt, path)
    info = probe(path)
    assert (info.width, info.height, info.codec) == (321, 241, "h264" if encoder == "libx264" else "mpeg4")
    assert info.frame_count == 25


@pytest.mark.parametrize("name, ext", [("clip.mkv", "mkv"), ("clip.webm", "webm"), ("clip.mov", "mov")])
def test_extension_follows_the_container(clip, tmp_path, name, ext):
    out = tmp_path / name
    codec = ["-c:v", "libvpx-vp9", "-b:v", "200k", "-an"] if ext == "webm" else ["-c", "copy"]
    if ext == "webm" and not clips.has_encoder("libvpx-vp9"):
        pytest.skip("this ffmpeg build has no libvpx-vp9 encoder")
    clips.ffmpeg("-i", clip, *codec, out)
    assert probe(out).ext == ext


def test_tmk_padded_dimensions_sample():
    """Facebook TMK's test clip whose 1080x1080 frame is not a multiple of the 16-pixel macroblock."""
    info = probe(shared_file("media", "tmk", "test-padded-dimensions.mp4"))
    assert (info.width, info.height, info.codec) == (1080, 1080, "h264")
    assert (info.frame_count, info.fps, info.duration) == (150, 30.0, 5.0)
