"""Bundled demo clip (made by scripts/make_demo_clip.py) and README screenshots."""
