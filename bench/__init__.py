"""Benchmarks of dx-warehouse: `python -m bench --quick | --full` (see bench/README.md)."""
