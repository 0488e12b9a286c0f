"""Evidence Workbench: archive, hash, deduplicate and tag conflict footage.

The library holds every rule; the ``workbench`` command line and the Streamlit pages call it.
"""

__version__ = "0.1.0"
