"""Benchmarks of the integration's hot paths against the scaled simulator."""
