"""Duplicates across a real catalogue (SQLite, imported files): pairs, clusters, search, review.

What a journalist checks: every copy of a video is listed with the shared segment, the earliest
copy is marked, a still or a clip finds the archived video, a rejected pair stays gone.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import clips
import pytest
from typer.testing import CliRunner

from workbench.cli import app
from workbench.db import MediaFile, Source, SourceMedia
from workbench.match.dupes import duplicates
from workbench.match.search import search_clip, search_image

runner = CliRunner()


def cli(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def _pair(doc, a, b):
    for p in doc["pairs"]:
        if {p["a"]["id"], p["b"]["id"]} == {a, b}:
            return p
    return None


def test_copies_are_paired_with_the_original_and_located(ws, catalogue):
    ids = catalogue
    doc = duplicates(ws)
    for name in ("trim", "mirror", "logo"):
        p = _pair(doc, ids["original"], ids[name])
        assert p is not None and p["kind"] == "near", name
        assert {"score", "a_coverage", "b_coverage", "segments"} <= set(p)
        assert set(p["a"]) == {"id", "sha256"} and len(p["a"]["sha256"]) == 64
    assert not [p for p in doc["pairs"] if ids["other"] in (p["a"]["id"], p["b"]["id"])]
    trim = _pair(doc, ids["original"], ids["trim"])  # original is a, the copy (bikes 3-8 s) is b
    seg = max(trim["segments"], key=lambda s: s["a_end"] - s["a_start"])
    assert seg["a_start"] == pytest.approx(3.0, abs=1.0) and seg["b_start"] == pytest.approx(0.0, abs=1.0)
    assert trim["b_coverage"] >= 0.8 and trim["a_coverage"] < 0.75
    assert _pair(doc, ids["original"], ids["mirror"])["mirrored"] is True
    cluster = next(c for c in doc["clusters"] if ids["original"] in c["ids"])
    assert set(cluster["ids"]) == {ids["original"], ids["trim"], ids["mirror"], ids["logo"]}
    assert cluster["earliest"] == ids["original"]  # first archived, no upload dates known


def test_earliest_copy_is_the_first_uploaded_and_exact_copies_are_surfaced(ws, catalogue):
    ids = catalogue
    with ws.session() as s:
        for n, (mid, day) in enumerate([(ids["logo"], date(2013, 5, 2)), (ids["original"], date(2014, 1, 1)),
                                        (ids["original"], None)]):
            src = Source(key=f"url:https://example.org/{n}", original_url=f"https://example.org/{n}",
                         upload_date=day, first_archived_at=datetime.now(UTC))
            s.add(src)
            s.flush()
            s.add(SourceMedia(source_id=src.id, media_id=mid))
    doc = duplicates(ws)
    cluster = next(c for c in doc["clusters"] if ids["original"] in c["ids"])
    assert cluster["earliest"] == ids["logo"] and cluster["earliest_basis"] == "upload"
    exact = [p for p in doc["pairs"] if p["kind"] == "exact"]
    assert len(exact) == 1 and exact[0]["a"]["id"] == exact[0]["b"]["id"] == ids["original"]
    assert len(exact[0]["sources"]) == 2 and exact[0]["score"] == 1.0


def test_dupes_cli_json_is_one_object_and_ids_narrow_it(home, catalogue):
    ids = catalogue
    result = cli("dupes", "--json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert set(doc) == {"pairs", "clusters"}
    assert _pair(doc, ids["original"], ids["trim"]) is not None
    narrow = json.loads(cli("dupes", str(ids["trim"]), "--json").stdout)
    assert narrow["pairs"] and all(ids["trim"] in (p["a"]["id"], p["b"]["id"]) for p in narrow["pairs"])
    assert cli("dupes", "999").exit_code == 2
    text = cli("dupes")
    assert f"#{ids['original']}" in text.stdout and "cluster" in text.stdout


def test_a_rejected_pair_is_never_suggested_again(home, ws, catalogue):
    ids = catalogue
    result = cli("review", str(ids["original"]), str(ids["logo"]), "--reject", "--note", "different day", "--json")
    assert result.exit_code == 0
    rec = json.loads(result.stdout)
    assert rec["decision"] == "rejected" and rec["reviewed_by"] == "tester" and rec["reviewed_at"]
    assert cli("review", str(ids["original"]), str(ids["trim"]), "--confirm").exit_code == 0
    doc = duplicates(ws)
    assert _pair(doc, ids["original"], ids["logo"]) is None
    assert _pair(doc, ids["original"], ids["trim"])["review"]["decision"] == "confirmed"
    assert cli("review", "1", "1", "--reject").exit_code == 2
    assert cli("review", "1", "2").exit_code == 2


def test_search_by_a_still_finds_the_video_and_the_moment(ws, catalogue, bikes, tmp_path):
    still = tmp_path / "screenshot.png"
    clips.ffmpeg("-ss", 4.0, "-i", bikes, "-frames:v", 1, "-vf", "scale=480:-2", still)
    hits = search_image(ws, still)
    best = hits[0]
    assert best["id"] in (catalogue["original"], catalogue["trim"], catalogue["mirror"], catalogue["logo"])
    orig = next(h for h in hits if h["id"] == catalogue["original"])
    assert any(abs(t - 4.0) <= 1.0 for t in orig["timestamps"])
    assert catalogue["other"] not in [h["id"] for h in hits]
    result = cli("search", "--image", str(still), "--json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["results"][0]["id"] == best["id"] and doc["results"][0]["timestamps"]


def test_search_by_a_clip_not_in_the_archive(home, ws, catalogue, bikes, tmp_path):
    query = clips.cut_clip(bikes, tmp_path / "excerpt.mp4", start=5.0, duration=4.0)
    with ws.session() as s:
        assert s.query(MediaFile).count() == 5
    result = cli("search", "--clip", str(query), "--json")
    assert result.exit_code == 0
    hits = json.loads(result.stdout)["results"]
    orig = next(h for h in hits if h["id"] == catalogue["original"])
    seg = max(orig["segments"], key=lambda s: s["a_end"] - s["a_start"])
    assert seg["b_start"] == pytest.approx(5.0, abs=0.75) and seg["a_start"] == pytest.approx(0.0, abs=0.75)
    assert catalogue["other"] not in [h["id"] for h in hits]
    assert search_clip(ws, bikes)[0]["kind"] == "exact"


def test_search_usage_errors(home, tmp_path):
    assert cli("search").exit_code == 2
    bad = tmp_path / "notes.txt"
    bad.write_text("not an image")
    assert cli("search", "--image", str(bad)).exit_code == 2
    result = cli("search", "--clip", str(bad))
    assert result.exit_code == 2 and "notes.txt" in result.stderr
