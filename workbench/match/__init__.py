"""Duplicate footage: frame-hash matching with temporal alignment, clusters, search, review, the index.

- ``matching``: two videos' 1-fps sample hashes -> both coverages and the shared segments.
- ``index``: a Hamming index over every stored frame hash (candidates for matching).
- ``catalogue_dupes`` (``dupes.py``): exact and near duplicate pairs across the catalogue, clustered.
- ``search``: archived videos matching a still image or a clip that is not in the archive.
- ``review``: a person confirms or rejects a suggested pair.
"""
