"""Domain events and their transactional outbox: kinds.py (what happened), outbox.py (written in the
change's transaction), dispatcher.py (delivery to the handlers registered in handlers.py). No handlers here."""
