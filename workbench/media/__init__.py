"""Reading video files: probing (and, later, decoding, keyframes and hashes)."""
