"""Locker's benchmarks: what Locker costs over the least any implementation must do.

``python -m bench`` (``make bench``) runs them all and writes bench/RESULTS.md;
``python -m bench --smoke`` is a seconds-long run that only proves they work.
"""
