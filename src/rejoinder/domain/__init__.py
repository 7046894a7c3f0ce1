"""Pure rules and types: no HTTP, no SQL, no clock or randomness except through arguments."""
