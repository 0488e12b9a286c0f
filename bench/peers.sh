#!/usr/bin/env bash
# Set up the peer tools the keyframes benchmark compares against, in their own venv (bench/out/peers-venv),
# never in the project's environment:
#   - PySceneDetect 0.7.2 as scenedetect-headless (same code as `scenedetect`, on opencv-python-headless)
#   - vpdq 0.2.5 (Meta's video PDQ): source distribution only. Its build (scikit-build-core + Cython, both
#     unpinned, fetched by pip into an isolated build env) compiles C++ against the system FFmpeg libraries,
#     so the Debian -dev packages below must be installed first (done here with apt-get when we are root).
# Idempotent: an existing venv is reused and pip skips what is installed. A vpdq that fails to build is
# reported and skipped; run_keyframes.py then leaves out its row.
#
#   bash bench/peers.sh            # PYTHON=python3.11 bash bench/peers.sh to pick the interpreter
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/out/peers-venv"
python="${PYTHON:-python3}"
apt_pkgs=(libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libavdevice-dev libavfilter-dev
          pkg-config cmake build-essential)

missing=()
for p in "${apt_pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "apt-get: installing ${missing[*]}"
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
    else
        echo "warning: missing Debian packages for vpdq: ${missing[*]} (not root or no apt-get); vpdq may not build"
    fi
fi

if [[ ! -x "$venv/bin/python" ]]; then
    echo "creating $venv with $("$python" --version 2>&1)"
    "$python" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip --disable-pip-version-check -q)

"${pip[@]}" install "scenedetect-headless==0.7.2"

vpdq_ok=yes
if ! "${pip[@]}" install "vpdq==0.2.5"; then
    vpdq_ok=no
    echo "vpdq 0.2.5 did not build; the benchmark will run without it (see pip's output above)" >&2
fi

"$venv/bin/python" - "$vpdq_ok" <<'EOF'
import sys

import cv2
import scenedetect

print(f"peers venv ready: scenedetect {scenedetect.__version__} (opencv {cv2.__version__})", end="")
if sys.argv[1] == "yes":
    import vpdq  # noqa: F401  (the import proves the extension loads against the system FFmpeg libraries)
    from importlib.metadata import version
    print(f", vpdq {version('vpdq')}")
else:
    print(", vpdq: not built")
EOF
