"""Sign-in: bearer sessions (sessions.py) and the providers readers sign in with (providers/)."""
