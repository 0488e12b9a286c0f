"""Keyframes + hashes benchmark: our pipeline against ffmpeg's decode floor and the peer tools, in one run.

On each bench/out/footage-<N>s.mp4 (built by make_footage.py), every method runs in its own subprocess, best
of --repeat runs, the rounds interleaved so that drift on the machine hits every method alike. For each run:
wall seconds, CPU seconds (user + system) and peak RSS, read from that child alone via os.wait4. Peers run
from bench/out/peers-venv (peers.sh), our pipeline from the project venv through OUR_IMPORT / OUR_CALLS.
Prints Markdown tables and writes bench/out/keyframes.md and bench/out/keyframes.json (every run).

    .venv/bin/python bench/run_keyframes.py                      # 300 s and 1200 s files, best of 3
    .venv/bin/python bench/run_keyframes.py --lengths 300 --repeat 5 --only ffmpeg-full,ours
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av
import imageio_ffmpeg

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
PEERS_PY = OUT / "peers-venv" / "bin" / "python"
PROJECT_PY = REPO / ".venv" / "bin" / "python" if (REPO / ".venv" / "bin" / "python").exists() else Path(sys.executable)

CORES = os.cpu_count() or 1
QUIET = 0.9  # idle share of all cores wanted before each measured run (see --wait-quiet)

# Our pipeline, run as `python -c` in the project venv with the video's path in `path`. Adjust here, in one
# place, if the API changes; when OUR_IMPORT fails, our rows are left out ("not available yet").
OUR_IMPORT = "from workbench.media.keyframes import analyze"
OUR_CALLS = {"ours": "analyze(path)", "ours-fast": "analyze(path, fast=True)"}

LABELS = {
    "ffmpeg-full": "`ffmpeg -threads 2 -i F -f null -` (full decode)",
    "ffmpeg-key": "`ffmpeg -skip_frame nokey -i F -f null -` (key frames only)",
    "scenedetect": "PySceneDetect `detect(F, ContentDetector())`",
    "vpdq": "vpdq `computeHash(F, seconds_per_hash=1)`",
    "ours": "ours: keyframes + hashes (full)",
    "ours-fast": "ours: keyframes + hashes `--fast`",
}
PEER_CODE = {
    "scenedetect": "import sys\nfrom scenedetect import ContentDetector, detect\n"
    "detect(sys.argv[1], ContentDetector())",
    "vpdq": "import sys\nimport vpdq\nvpdq.computeHash(sys.argv[1], seconds_per_hash=1)",
}


def _py_ok(python: Path, code: str) -> tuple[bool, str]:
    if not python.exists():
        return False, f"{python} does not exist"
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, cwd=REPO)
    lines = (done.stderr or done.stdout).strip().splitlines()
    return done.returncode == 0, (lines[-1] if lines else "")


def commands(only: set[str] | None) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Argument lists (with '{F}' for the file) of every method that can run here, and why others cannot."""
    ff = imageio_ffmpeg.get_ffmpeg_exe()
    quiet = [ff, "-hide_banner", "-nostats", "-loglevel", "error"]
    cmds = {
        "ffmpeg-full": [*quiet, "-threads", "2", "-i", "{F}", "-f", "null", "-"],
        "ffmpeg-key": [*quiet, "-skip_frame", "nokey", "-i", "{F}", "-f", "null", "-"],
    }
    missing: dict[str, str] = {}
    for key, code in PEER_CODE.items():
        cmds[key] = [str(PEERS_PY), "-c", code, "{F}"]
        ok, why = _py_ok(PEERS_PY, code.splitlines()[1])
        if not ok:
            missing[key] = f"{key}: not installed in the peers venv (bash bench/peers.sh): {why}"
    ok, why = _py_ok(PROJECT_PY, OUR_IMPORT)
    for key, call in OUR_CALLS.items():
        cmds[key] = [str(PROJECT_PY), "-c", f"import sys\n{OUR_IMPORT}\npath = sys.argv[1]\n{call}", "{F}"]
        if not ok:
            missing[key] = f"our pipeline: not available yet ({why})"
    for msg in dict.fromkeys(why for k, why in missing.items() if not only or k in only):
        print(msg)
    return {k: v for k, v in cmds.items() if k not in missing and (not only or k in only)}, missing


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far, from /proc/stat."""
    user, nice, system, idle, iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return user + nice + system + irq + softirq + steal, user + nice + system + idle + iowait + irq + softirq + steal


def measure(argv: list[str]) -> dict:
    """Run one child: its wall time, CPU time and peak RSS (that child's own rusage, via os.wait4), and the
    share of the machine's CPU that other processes used meanwhile (other_load, 0..1)."""
    with tempfile.TemporaryFile() as err:
        busy0, start = cpu_ticks()[0], time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, cwd=REPO)
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # Ctrl-C or SIGTERM: don't leave the child running
            proc.kill()
            proc.wait()
            raise
        wall, busy1 = time.perf_counter() - start, cpu_ticks()[0]
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read()[-1500:].decode(errors="replace").strip()
    cpu = usage.ru_utime + usage.ru_stime
    others = max(0.0, (busy1 - busy0) / os.sysconf("SC_CLK_TCK") - cpu)
    return {"wall": wall, "cpu": cpu, "rss_mib": usage.ru_maxrss / 1024, "other_load": others / (wall * CORES),
            "rc": proc.returncode, "stderr": tail if proc.returncode else ""}


def wait_quiet(max_wait: float) -> None:
    """Wait (at most max_wait s) until other processes leave the CPUs at least QUIET idle over a second."""
    deadline, said = time.monotonic() + max_wait, False
    while time.monotonic() < deadline:
        (b0, t0), _, (b1, t1) = cpu_ticks(), time.sleep(1.0), cpu_ticks()
        if 1 - (b1 - b0) / max(t1 - t0, 1) >= QUIET:
            return
        if not said:
            print(f"    waiting up to {max_wait:.0f} s for the machine to go quiet", flush=True)
            said = True


def bench_file(path: Path, cmds: dict[str, list[str]], repeat: int, max_wait: float) -> dict[str, dict]:
    with av.open(str(path)) as container:
        seconds = container.duration / 1_000_000
    with path.open("rb") as f:  # warm the page cache so the first method is not charged for disk reads
        while f.read(1 << 24):
            pass
    runs: dict[str, list[dict]] = {k: [] for k in cmds}
    failed: set[str] = set()
    for round_no in range(1, repeat + 1):
        for key, argv in cmds.items():
            if key in failed:
                continue
            wait_quiet(max_wait)
            run = measure([str(path) if a == "{F}" else a for a in argv])
            runs[key].append(run)
            print(f"  [{path.name} round {round_no}/{repeat}] {key:12s} {run['wall']:7.2f} s  {run['cpu']:6.1f} CPU s  "
                  f"{run['rss_mib']:6.1f} MiB  other load {run['other_load']:4.0%}"
                  + (f"  FAILED rc={run['rc']}" if run["rc"] else ""), flush=True)
            if run["rc"]:
                failed.add(key)
                print("    " + run["stderr"].replace("\n", "\n    "))
    results = {}
    for key, rs in runs.items():
        best = min(rs, key=lambda r: r["wall"]) if rs and key not in failed else None
        results[key] = {"failed": True, "runs": rs} if best is None else {
            "wall": best["wall"], "cpu": best["cpu"], "x_realtime": seconds / best["wall"],
            "other_load": best["other_load"], "rss_mib": max(r["rss_mib"] for r in rs), "runs": rs}
    floor = results.get("ffmpeg-full", {}).get("wall")
    for r in results.values():
        if floor and "wall" in r:
            r["vs_ffmpeg_full"] = r["wall"] / floor
    return {"file": str(path.relative_to(REPO)), "seconds": seconds, "size_mb": path.stat().st_size / 1e6,
            "methods": results}


def table(res: dict, repeat: int) -> str:
    rows = [f"**{res['file']}** ({res['seconds']:.0f} s, 1280x720 25 fps H.264, {res['size_mb']:.1f} MB), "
            f"best of {repeat}:", "",
            "| method | wall s | x realtime | vs ffmpeg full decode | CPU s | peak RSS MiB | other load |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    busy = False
    for key, r in res["methods"].items():
        if r.get("failed"):
            rows.append(f"| {LABELS[key]} | failed | | | | | |")
            continue
        ratio = f"{r['vs_ffmpeg_full']:.2f}x" if "vs_ffmpeg_full" in r else "-"
        busy |= r["other_load"] > 1 - QUIET
        rows.append(f"| {LABELS[key]} | {r['wall']:.2f} | {r['x_realtime']:.0f} | {ratio} | {r['cpu']:.1f} "
                    f"| {r['rss_mib']:.0f} | {r['other_load']:.0%} |")
    if busy:
        rows += ["", f"Other load over {1 - QUIET:.0%} (CPU that other processes took during that run): "
                 "that wall time is inflated; CPU s is steadier."]
    return "\n".join(rows)


def summary(all_res: dict[int, dict]) -> list[str]:
    """Memory growth from the shortest file to the longest, and the issue's targets for our pipeline."""
    lengths, lines = sorted(all_res), []
    first, last = (all_res[n]["methods"] for n in (lengths[0], lengths[-1]))
    grow = {k: (first[k]["rss_mib"], last[k]["rss_mib"]) for k in first if "rss_mib" in first[k]
            and "rss_mib" in last.get(k, {})} if len(lengths) > 1 else {}
    if grow:
        lines += [f"Peak RSS, {lengths[0]} s file -> {lengths[-1]} s file:", ""]
        lines += [f"- {LABELS[k]}: {a:.0f} -> {b:.0f} MiB ({b / a:.2f}x)" for k, (a, b) in grow.items()]
    if "wall" not in first.get("ours", {}):
        return lines

    def check(ok: bool, text: str) -> None:
        lines.append(f"- {text}: {'PASS' if ok else 'FAIL'}")

    lines += ["", "Targets (issue):", ""]
    for n in lengths:
        m = all_res[n]["methods"]
        ours = m["ours"]
        if "vs_ffmpeg_full" in ours:
            r = ours["vs_ffmpeg_full"]
            check(r <= 1.3, f"{n} s: full pipeline {r:.2f}x ffmpeg full decode (<= 1.3x)")
        for peer in ("scenedetect", "vpdq"):
            if "wall" in m.get(peer, {}) and "wall" in ours:
                check(ours["wall"] < m[peer]["wall"], f"{n} s: faster than {peer} ({ours['wall']:.2f} vs "
                      f"{m[peer]['wall']:.2f} s)")
        if "x_realtime" in m.get("ours-fast", {}):
            xr = m["ours-fast"]["x_realtime"]
            check(xr >= 300, f"{n} s: --fast {xr:.0f}x realtime (>= 300x)")
    for k in ("ours", "ours-fast"):
        if k in grow:
            a, b = grow[k]
            check(b / a <= 1.10, f"{k}: peak RSS {b / a:.2f}x from {lengths[0]} s to {lengths[-1]} s (flat: <= 1.10x)")
    return lines


def machine() -> dict:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    ff = imageio_ffmpeg.get_ffmpeg_version()
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True, cwd=REPO)
    return {"cpu": cpu, "cores": CORES, "python": platform.python_version(), "ffmpeg": ff,
            "pyav": av.__version__, "commit": commit.stdout.strip(), "date": time.strftime("%Y-%m-%d %H:%M")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lengths", default="300,1200", help="footage lengths in seconds (default 300,1200)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per method, the best is kept (default 3)")
    ap.add_argument("--wait-quiet", type=float, default=60, metavar="S",
                    help=f"before each run wait up to S seconds for >= {QUIET:.0%} idle CPUs (0: don't wait)")
    ap.add_argument("--only", default="", help=f"comma-separated subset of: {', '.join(LABELS)}")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    only = {s.strip() for s in args.only.split(",") if s.strip()} or None
    cmds, missing = commands(only)
    info = machine()
    print(f"machine: {info['cpu']}, {info['cores']} cores; ffmpeg {info['ffmpeg']}, PyAV {info['pyav']}")
    all_res: dict[int, dict] = {}
    for n in (int(s) for s in args.lengths.split(",") if s.strip()):
        path = OUT / f"footage-{n}s.mp4"
        if not path.exists():
            print(f"skipped {n} s: {path.relative_to(REPO)} is missing (python bench/make_footage.py)")
            continue
        all_res[n] = bench_file(path, cmds, args.repeat, args.wait_quiet)
    if not all_res:
        return 1
    parts = [table(all_res[n], args.repeat) for n in sorted(all_res)] + ["\n".join(summary(all_res)).strip()]
    text = "\n\n".join(p for p in parts if p)
    text += (f"\n\nMachine: {info['cpu']}, {info['cores']} cores, Python {info['python']}, ffmpeg {info['ffmpeg']} "
             f"(imageio-ffmpeg), PyAV {info['pyav']}; commit {info['commit']}, {info['date']}.\n")
    print("\n" + text)
    (OUT / "keyframes.md").write_text(text)
    data = {"machine": info, "repeat": args.repeat, "commands": cmds, "missing": missing,
            "results": {str(n): r for n, r in all_res.items()}}
    (OUT / "keyframes.json").write_text(json.dumps(data, indent=1))
    print("wrote bench/out/keyframes.md and bench/out/keyframes.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
