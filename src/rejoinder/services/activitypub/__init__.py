"""ActivityPub use cases: each site as an actor (actors.py), inboxes that verify and accept activities
(inbox.py), what accepted activities do (activities.py) and local comments delivered to the fediverse
(delivery.py). Documents and signatures are pure parts in federation/activitypub/."""
