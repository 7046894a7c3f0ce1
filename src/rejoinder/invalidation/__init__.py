"""Cross-worker cache invalidation: a generation counter per slot that every write bumps."""
