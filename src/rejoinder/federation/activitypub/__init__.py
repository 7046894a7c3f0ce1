"""ActivityPub: documents (documents.py), HTTP Signatures (signatures.py), the guarded client (client.py)."""
