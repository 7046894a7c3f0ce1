"""All SQL lives in this package (SQLAlchemy 2 Core, async). Functions take an AsyncConnection and return
domain types; driver errors become RejoinderErrors at this boundary."""
