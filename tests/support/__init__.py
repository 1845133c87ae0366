"""Helpers the tests share (tests/ is on sys.path through its conftest.py, as pytest does)."""
