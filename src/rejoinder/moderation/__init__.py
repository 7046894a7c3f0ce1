"""Moderation: checks that decide what happens to a new comment, and the tools moderators use.

normalize.py folds Unicode tricks for matching; classifier.py is the local learning spam/abuse classifier
(features.py and training.py hold its feature extraction and model fitting); data/ holds its shipped
training data. Nothing is imported here for side effects.
"""
