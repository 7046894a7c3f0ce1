"""The open web's protocols as pure parts and one guarded HTTP client: ActivityPub documents and HTTP
Signatures (activitypub/). Use cases that store or deliver live in services/activitypub/."""
