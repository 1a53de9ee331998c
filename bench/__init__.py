"""Baraza's benchmarks (`make bench`): see bench/README.md and bench/RESULTS.md."""
