"""Domain layer: pure Python, never imports Qt (enforced by tests/core/test_layering.py)."""
