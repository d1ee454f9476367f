"""Benchmarks: each `bench/<area>.py` has a `main(argv)` printing figures against a floor measured in the same run."""
