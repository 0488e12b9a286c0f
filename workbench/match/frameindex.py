"""Every stored frame hash of the catalogue in flat arrays, persisted under the data home.

``FrameIndex.open(ws)`` loads ``$WORKBENCH_HOME/index/frames.npz`` and appends only the frame
rows newer than the largest frame id it holds, so a command on a large catalogue does not read
every frame from the database each time. The file is rebuilt from the database, and
``FrameIndex.note`` says why, when it is missing, unreadable, of another format or database, or
stale: frames it holds were deleted (fewer rows up to its largest id than it counted), rows
appeared below that id (a writer that committed late), or the row at that id holds other hashes.
It is written to a temporary file in the same folder and renamed over the old one, so a reader
never sees half a file and a killed writer leaves the old one intact.

Rows are the informative frames (``low_info`` frames never match) of every analysis; which
analysis is a video's current one (its newest ``ok`` analysis) is read from the database at each
open, so a re-analysis is picked up without a rebuild.

Candidates for matching (``candidates``): below ``settings.match_index_from`` current sample
frames (2 million, ~550 hours at 1 fps), an exact numpy scan (``candidates.candidate_videos``);
from there on, the radius-``INDEX_RADIUS`` ``HammingIndex`` on pHash and on dHash (with 32-bit
residuals), queried with the plain and mirrored hashes, then an exact count on the videos it
found. The index misses copies none of whose frame pairs is within ``INDEX_RADIUS`` on either
hash: the 10% crop of bikes.mp4 has none (README, "What is missing or weak"). Measured with
``python bench/index.py --candidates``: at 1 million frames 0.6 s per 300-frame video against
3.7 s for the exact scan; at 100,000, 0.4 s against 0.7 s.
"""

from __future__ import annotations

import logging
import os
import secrets
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from workbench.db import Analysis, Frame
from workbench.match.candidates import candidate_videos
from workbench.match.frames import FlatFrames
from workbench.match.index import HammingIndex
from workbench.match.matching import FrameBag
from workbench.workspace import Workspace

log = logging.getLogger(__name__)

FORMAT = 1
INDEX_RADIUS = 10  # bits, on pHash or on dHash alone
SAVE_ALWAYS_BELOW = 1_000_000  # rows: a larger index is rewritten when it grew by 1%
READ_BATCH = 200_000  # frame rows read from the database per query
HASHES = ("phash", "dhash", "phash_mirror", "dhash_mirror")
COLUMNS = {"frame_id": np.int64, "media_id": np.int64, "analysis_id": np.int64, "t_ms": np.int64,
           "keyframe": np.bool_, **dict.fromkeys(HASHES, np.uint64)}


def index_path(ws: Workspace) -> Path:
    return ws.settings.home / "index" / "frames.npz"


def _db_identity(ws: Workspace) -> str:
    return make_url(ws.settings.db_url).render_as_string(hide_password=True)


def _read_rows(ws: Workspace, after: int, upto: int | None = None) -> dict[str, np.ndarray]:
    """Informative frame rows with ``after < id <= upto`` (no upper bound by default), by id."""
    parts: dict[str, list[np.ndarray]] = {k: [] for k in COLUMNS}
    cols = (Frame.id, Frame.media_id, Frame.analysis_id, Frame.t_ms, Frame.kind, Frame.phash, Frame.dhash,
            Frame.phash_mirror, Frame.dhash_mirror)
    last = after
    with ws.reading() as session:
        while True:
            q = select(*cols).where(Frame.id > last, Frame.low_info.is_(False)).order_by(Frame.id).limit(READ_BATCH)
            if upto is not None:
                q = q.where(Frame.id <= upto)
            rows = session.execute(q).all()
            if not rows:
                break
            c = list(zip(*rows, strict=True))
            for key, values in zip(("frame_id", "media_id", "analysis_id", "t_ms"), c[:4], strict=True):
                parts[key].append(np.array(values, dtype=np.int64))
            parts["keyframe"].append(np.array([k == "keyframe" for k in c[4]], dtype=bool))
            for key, values in zip(HASHES, c[5:], strict=True):  # signed BIGINT -> the same 64 bits
                parts[key].append(np.array(values, dtype=np.int64).view(np.uint64))
            last = int(rows[-1][0])
            if len(rows) < READ_BATCH:
                break
    return {k: np.concatenate(v) if v else np.zeros(0, dtype=COLUMNS[k]) for k, v in parts.items()}


@dataclass
class FrameIndex:
    """The catalogue's informative frames as columns (see ``COLUMNS``), and Hamming indexes on demand.

    Attributes:
        max_frame_id: the largest frame id the arrays cover (every informative row up to it is held).
        frames_upto: how many frame rows (informative or not) the database had up to ``max_frame_id``.
        note: what ``open`` did: ``loaded``, ``appended N frames``, ``built ...`` or ``rebuilt: why``.
    """

    cols: dict[str, np.ndarray]
    max_frame_id: int = 0
    frames_upto: int = 0
    db: str = ""
    note: str = ""
    index_from: int = 2_000_000  # settings.match_index_from
    path: Path | None = None  # where ``open`` found it (None: not saved)
    current_aid: dict[int, int] = field(default_factory=dict)
    _hamming: dict[str, HammingIndex] = field(default_factory=dict)
    _saved_hamming: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.cols["frame_id"])

    # --- opening, appending, saving -------------------------------------------------------

    @classmethod
    def open(cls, ws: Workspace, save: bool = True, index_from: int | None = None) -> FrameIndex:
        """Load the persisted index, append the newer frames, rebuild it if it cannot be trusted.

        Args:
            save: write the file back when it was rebuilt or grew.
            index_from: current sample frames from which ``candidates`` uses the Hamming index
                (default ``settings.match_index_from``).
        """
        path = index_path(ws)
        idx, why = cls._load(ws, path)
        added = 0
        if idx is None:
            idx = cls.build(ws)
            idx.note = f"rebuilt: {why}" if why else f"built from the database ({len(idx)} frames)"
            if why:
                log.warning("frame index %s (%d frames read from the database)", idx.note, len(idx))
        else:
            added = idx.append(ws)
            idx.note = f"appended {added} frames" if added else "loaded"
        idx.index_from = ws.settings.match_index_from if index_from is None else index_from
        idx.path = path if save else None
        idx.refresh_current(ws)
        # a few new frames on a large index are cheaper to read again than to rewrite the file for
        if save and (idx.note.startswith(("built", "rebuilt")) or (added and (len(idx) < SAVE_ALWAYS_BELOW
                                                                               or added * 100 >= len(idx)))):
            idx.save(path)
        return idx

    @classmethod
    def load_only(cls, ws: Workspace) -> FrameIndex:
        """What the file holds, checked but not appended to.

        Raises:
            ValueError: there is no file, or it cannot be trusted (the message says why).
        """
        idx, why = cls._load(ws, index_path(ws))
        if idx is None:
            raise ValueError(why or "no index file")
        return idx

    @classmethod
    def build(cls, ws: Workspace) -> FrameIndex:
        """Read every informative frame from the database."""
        with ws.reading() as session:
            top = session.scalar(select(func.max(Frame.id))) or 0
        # counted before reading: a row committed late below ``top`` is then either read and
        # counted, or neither (the next open sees the count differ and rebuilds), never lost
        upto = cls._count_upto(ws, top)
        return cls(_read_rows(ws, 0, top), top, upto, _db_identity(ws))

    @staticmethod
    def _count_upto(ws: Workspace, top: int) -> int:
        with ws.reading() as session:
            return session.scalar(select(func.count()).select_from(Frame).where(Frame.id <= top)) or 0

    @classmethod
    def _load(cls, ws: Workspace, path: Path) -> tuple[FrameIndex | None, str | None]:
        """The persisted index if it can be trusted, else None and why (None when there is no file)."""
        if not path.exists():
            return None, None if not path.parent.exists() else f"{path.name} is missing"
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = data["meta"]
                if int(meta[0]) != FORMAT:
                    return None, f"{path.name} has format {int(meta[0])}, this version reads {FORMAT}"
                cols = {k: data[k].astype(t, copy=False) for k, t in COLUMNS.items()}
                db = str(data["db"][0])
                hamming = {k: {name[len(k) + 1:]: data[name] for name in data.files if name.startswith(k + ".")}
                           for k in ("phash", "dhash")}
            max_id, upto = int(meta[1]), int(meta[2])
        except (OSError, ValueError, KeyError, IndexError, zipfile.BadZipFile, EOFError) as exc:
            return None, f"{path.name} is unreadable ({type(exc).__name__}: {exc})"
        n = len(cols["frame_id"])
        if any(len(v) != n for v in cols.values()) or (n and int(cols["frame_id"].max()) > max_id):
            return None, f"{path.name} is inconsistent (columns of different lengths)"
        if db != _db_identity(ws):
            return None, f"{path.name} was built from another database ({db})"
        if cls._count_upto(ws, max_id) != upto:
            return None, f"{path.name} is stale: frames up to #{max_id} were deleted or added late"
        if n:
            last = int(cols["frame_id"][-1])
            with ws.reading() as session:
                row = session.execute(select(Frame.phash, Frame.dhash).where(Frame.id == last)).first()
            held = (int(cols["phash"][-1].view(np.int64)), int(cols["dhash"][-1].view(np.int64)))
            if row is None or tuple(row) != held:
                return None, f"{path.name} is stale: frame #{last} is not what it holds"
        idx = cls(cols, max_id, upto, db)
        for key, state in hamming.items():
            if state:
                idx._saved_hamming[key] = state
        return idx, None

    def append(self, ws: Workspace) -> int:
        """Add the informative frames newer than ``max_frame_id``; returns how many."""
        with ws.reading() as session:
            top = session.scalar(select(func.max(Frame.id))) or 0
        if top <= self.max_frame_id:
            return 0
        upto = self._count_upto(ws, top)  # before reading (see ``build``)
        new = _read_rows(ws, self.max_frame_id, top)
        start = len(self)
        self.cols = {k: np.concatenate([self.cols[k], new[k]]) for k in COLUMNS}
        self.frames_upto = upto
        self.max_frame_id = top
        for key, ham in self._hamming.items():
            ham.add(self.cols[key][start:], np.arange(start, len(self), dtype=np.int32))
        return len(new["frame_id"])

    def save(self, path: Path) -> None:
        """Write the index atomically: a temporary file in the same folder, renamed over the old one."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
        arrays = dict(self.cols)
        for key, ham in self._hamming.items():
            arrays.update({f"{key}.{k}": v for k, v in ham.state().items()})
        for key, state in self._saved_hamming.items():
            if key not in self._hamming:  # loaded, not needed this time: keep what the file had
                arrays.update({f"{key}.{k}": v for k, v in state.items()})
        try:
            with open(tmp, "wb") as fh:
                np.savez(fh, meta=np.array([FORMAT, self.max_frame_id, self.frames_upto], dtype=np.int64),
                         db=np.array([self.db]), **arrays)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    # --- what counts now ------------------------------------------------------------------

    def refresh_current(self, ws: Workspace) -> None:
        """Read which analysis is each video's current one (its newest ``ok`` analysis)."""
        with ws.reading() as session:
            self.current_aid = dict(session.execute(select(Analysis.media_id, func.max(Analysis.id))
                                                    .where(Analysis.status == "ok").group_by(Analysis.media_id)).all())

    def current(self, kinds: tuple[str, ...] = ("sample",), media_ids: set[int] | None = None) -> np.ndarray:
        """Row numbers of the current analyses' frames of these kinds (optionally of these videos only)."""
        if not self.current_aid or not len(self):
            return np.zeros(0, dtype=np.int64)
        top = max(int(self.cols["media_id"].max()), max(self.current_aid)) + 1
        table = np.full(top, -1, dtype=np.int64)
        for mid, aid in self.current_aid.items():
            if media_ids is None or mid in media_ids:
                table[mid] = aid
        ok = table[self.cols["media_id"]] == self.cols["analysis_id"]
        if kinds == ("sample",):
            ok &= ~self.cols["keyframe"]
        elif kinds == ("keyframe",):
            ok &= self.cols["keyframe"]
        return np.nonzero(ok)[0]

    def bags(self, media_ids: set[int] | None = None, kinds: tuple[str, ...] = ("sample",)) -> dict[int, FrameBag]:
        """Each video's current informative frames as a bag (times ascending; ties by frame id)."""
        rows = self.current(kinds, media_ids)
        c = self.cols
        rows = rows[np.lexsort((c["frame_id"][rows], c["t_ms"][rows], c["media_id"][rows]))]
        mids = c["media_id"][rows]
        cuts = np.nonzero(np.diff(mids))[0] + 1
        out = {}
        for part in np.split(rows, cuts) if len(rows) else []:
            mid = int(c["media_id"][part[0]])
            out[mid] = FrameBag(c["t_ms"][part] / 1000.0, *(c[h][part] for h in HASHES), media_id=mid)
        return out

    def flat(self, rows: np.ndarray) -> FlatFrames:
        c = self.cols
        return FlatFrames(c["media_id"][rows], c["t_ms"][rows] / 1000.0, c["phash"][rows], c["dhash"][rows],
                          c["phash_mirror"][rows], c["dhash_mirror"][rows])

    # --- candidates -------------------------------------------------------------------------

    def hamming(self, key: str) -> HammingIndex:
        """The Hamming index on ``phash`` or ``dhash`` over every row (built, or restored from the file)."""
        if key not in self._hamming:
            codes, ids = self.cols[key], np.arange(len(self), dtype=np.int32)
            state = self._saved_hamming.pop(key, None)
            ham = None
            if state is not None:
                try:
                    held = len(state["rows0"])
                    ham = HammingIndex.from_state(codes[:held], ids[:held], state, residuals=True)
                    ham.add(codes[ham.n:], ids[ham.n:])
                except (ValueError, KeyError):
                    ham = None  # a damaged state is rebuilt below, never trusted
            if ham is None:
                ham = HammingIndex(merge_at=1 << 30, residuals=True)
                ham.add(codes, ids)
                ham.merge()
                ham.merge_at = 1 << 18
            self._hamming[key] = ham
            if state is None and self.path is not None:
                self.save(self.path)  # the sorted runs are what is slow to make: keep them
        return self._hamming[key]

    def candidates(self, query: FrameBag, max_distance: int, exclude: int | None = None,
                   use_index: bool | None = None) -> dict[int, int]:
        """Videos with a current sample frame within ``max_distance`` (pHash + dHash) of a query frame.

        Args:
            use_index: force the Hamming index (True) or the exact scan (False); default: the
                index from ``index_from`` current sample frames on.

        Returns:
            media id -> how many query frames are within reach of one of its frames (exact counts,
            see ``candidates.candidate_videos``).
        """
        rows = self.current()
        if len(query) == 0 or len(rows) == 0:
            return {}
        if use_index is None:
            use_index = len(rows) >= self.index_from
        if use_index:
            found = set()
            for key, mirror in (("phash", "phash_mirror"), ("dhash", "dhash_mirror")):
                codes = np.concatenate([getattr(query, key), getattr(query, mirror)])
                _, hit, _ = self.hamming(key).search(codes, INDEX_RADIUS)
                found.update(np.unique(self.cols["media_id"][hit]).tolist())
            found.discard(exclude)
            if not found:
                return {}
            rows = self.current(media_ids=found)
        return candidate_videos(query, self.flat(rows), max_distance, exclude)
