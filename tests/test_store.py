"""The content-addressed media store: layout, hashing, deduplication, write-once files, cleanup."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from workbench.store import MediaStore, clean_ext, sha256_file

VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64
OTHER = b"different bytes entirely" * 100


@pytest.fixture
def store(tmp_path) -> MediaStore:
    return MediaStore(tmp_path / "home")


def stored_files(store: MediaStore, kind: str = "media") -> list:
    return sorted(p for p in (store.home / kind).rglob("*") if p.is_file())


def test_put_file_stores_under_its_sha256_with_the_same_bytes(store, tmp_path):
    src = tmp_path / "Clip From Phone.MP4"
    src.write_bytes(VIDEO)
    sha = hashlib.sha256(VIDEO).hexdigest()

    stored = store.put_file(src)

    assert stored.sha256 == sha and stored.size == len(VIDEO) and stored.created
    assert stored.rel_path == f"media/{sha[:2]}/{sha[2:4]}/{sha}.mp4"
    assert stored.path == store.home / stored.rel_path
    assert stored.path.read_bytes() == VIDEO
    assert sha256_file(stored.path) == (sha, len(VIDEO))
    assert src.read_bytes() == VIDEO  # the original is left as it was
    assert store.find(sha) == stored.path


def test_sha256_file_matches_hashlib_across_chunk_boundaries(tmp_path):
    data = os.urandom((1 << 20) * 2 + 17)  # more than two read chunks
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    assert sha256_file(path) == (hashlib.sha256(data).hexdigest(), len(data))


def test_identical_bytes_twice_are_stored_once(store, tmp_path):
    a, b = tmp_path / "a.mp4", tmp_path / "copy-of-a.mkv"
    a.write_bytes(VIDEO)
    b.write_bytes(VIDEO)

    first = store.put_file(a)
    second = store.put_file(b)

    assert first.created and not second.created
    assert second.path == first.path and second.sha256 == first.sha256  # kept under the first name
    assert stored_files(store) == [first.path]


def test_different_bytes_get_different_files(store):
    one = store.put_bytes(VIDEO, "mp4", kind="media")
    two = store.put_bytes(OTHER, "mp4", kind="media")
    assert one.sha256 != two.sha256 and stored_files(store) == sorted([one.path, two.path])


def test_stored_file_is_never_replaced_by_a_later_adopt(store):
    first = store.put_bytes(VIDEO, "mp4", kind="media")
    before = first.path.stat()

    with store.workdir() as work:
        again = work / "again"
        again.write_bytes(VIDEO)
        second = store.adopt(again, "mp4")
        assert not again.exists()  # the duplicate in the work area is dropped

    after = first.path.stat()
    assert not second.created
    assert (after.st_ino, after.st_mtime_ns, after.st_nlink) == (before.st_ino, before.st_mtime_ns, before.st_nlink)
    assert first.path.read_bytes() == VIDEO


def test_a_name_taken_between_lookup_and_link_is_not_overwritten(store, monkeypatch):
    """Another process stores the same hash a moment before us: os.link refuses, ours is dropped."""
    sha = hashlib.sha256(VIDEO).hexdigest()
    target = store.path_for(sha, "mp4")
    target.parent.mkdir(parents=True)
    target.write_bytes(b"written by the other process")
    inode = target.stat().st_ino
    monkeypatch.setattr(store, "find", lambda *_a, **_k: None)  # the race: lookup saw nothing

    stored = store.put_bytes(VIDEO, "mp4", kind="media")

    assert not stored.created and stored.path == target
    assert target.stat().st_ino == inode and target.read_bytes() == b"written by the other process"


def test_stored_files_are_read_only(store):
    stored = store.put_bytes(b'{"id": "abc"}', "json")
    assert stored.rel_path.startswith("blobs/") and stored.rel_path.endswith(".json")
    assert stored.path.stat().st_mode & 0o222 == 0
    if os.geteuid() != 0:  # root ignores permission bits
        with pytest.raises(PermissionError):
            stored.path.open("ab")


def test_workdir_is_removed_after_use(store):
    with store.workdir() as work:
        (work / "partial.mp4").write_bytes(b"half a download")
        (work / "sub").mkdir()
        (work / "sub" / "frag1").write_bytes(b"x")
        assert work.parent == store.tmp
    assert not work.exists() and list(store.tmp.iterdir()) == []


def test_workdir_is_removed_when_the_block_raises(store):
    with pytest.raises(RuntimeError, match="download failed"), store.workdir() as work:
        (work / "partial.mp4").write_bytes(b"half a download")
        os.chmod(work / "partial.mp4", 0o444)
        raise RuntimeError("download failed")
    assert not work.exists() and list(store.tmp.iterdir()) == []


class _BrokenStream(io.RawIOBase):
    """A download that dies after its first chunk."""

    def __init__(self) -> None:
        self.calls = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.calls += 1
        if self.calls > 1:
            raise ConnectionResetError("connection reset by peer")
        return b"first chunk"


def test_failed_stream_leaves_no_partial_file_anywhere(store):
    with pytest.raises(ConnectionResetError):
        store.put_stream(_BrokenStream(), "mp4")
    assert stored_files(store) == [] and list(store.tmp.iterdir()) == []


def test_release_removes_only_an_unreferenced_file_this_put_created(ws):
    from workbench.catalogue import release_if_unreferenced
    from workbench.db import MediaFile

    first = ws.store.put_bytes(VIDEO, "mp4", kind="media")
    duplicate = ws.store.put_bytes(VIDEO, "mp4", kind="media")
    release_if_unreferenced(ws, duplicate)  # not ours: the earlier file stays
    assert first.path.exists()

    other = ws.store.put_bytes(OTHER, "mp4", kind="media")
    with ws.session() as s:  # another process recorded these bytes meanwhile
        s.add(MediaFile(sha256=other.sha256, size=other.size, ext="mp4", store_path=other.rel_path))
    release_if_unreferenced(ws, other)
    assert other.path.exists()  # a row points at it: never removed

    release_if_unreferenced(ws, first)
    assert not first.path.exists() and ws.store.find(first.sha256) is None


@pytest.mark.parametrize("ext, expected", [
    ("mp4", "mp4"),
    (".mp4", "mp4"),
    ("MP4", "mp4"),
    (".WebM", "webm"),
    ("m3u8", "m3u8"),
    ("../x", "bin"),
    ("../../etc/passwd", "bin"),
    ("", "bin"),
    (None, "bin"),
    ("a" * 20, "bin"),
    ("tar.gz", "bin"),
    ("mp4 ", "bin"),
    ("mp4\n", "bin"),
    ("ج", "bin"),
])
def test_clean_ext_sanitises_odd_extensions(ext, expected):
    assert clean_ext(ext) == expected


def test_odd_extension_cannot_escape_the_store(store):
    stored = store.put_bytes(VIDEO, "../../outside", kind="media")
    assert stored.path.name == f"{stored.sha256}.bin"
    assert stored.path.resolve().is_relative_to(store.home / "media")


def test_sweep_removes_only_stale_work_folders(store):
    with store.workdir() as live:
        old = store.tmp / "work-killed"
        old.mkdir()
        (old / "media.mp4.part").write_bytes(b"half a download")
        os.utime(old, (0, 0))  # left by a process killed long ago
        assert store.sweep() == [old]
        assert live.is_dir() and not old.exists()
