"""Benchmark scenarios: load (wrk) and widget (headless Chromium)."""
