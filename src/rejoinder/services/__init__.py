"""Use cases, one module per resource. Each takes a Context and opens at most one transaction."""
