"""Everything the hotline sends on its own: the outbox store, the senders and the worker that drains it."""
