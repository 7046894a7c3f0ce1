"""Messages rejoinder sends to people: email through the configured SMTP server (email.py)."""
