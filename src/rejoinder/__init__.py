"""Rejoinder: self-hosted comments, likes and sign-in. Version only; nothing is imported for side effects."""

__version__ = "0.1.0"
