"""Benchmarks: ``python -m bench`` (see ``bench/README.md``)."""

__all__: list[str] = []
