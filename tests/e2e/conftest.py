"""Browser tests: the fixtures ``browser`` and ``output_dir`` live in ``tests/conftest.py``."""
