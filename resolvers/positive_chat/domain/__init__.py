"""The domain core: standard library only (enforced by tests/unit/test_architecture.py)."""
