"""What keeps reporters anonymous: keyed pseudonyms, sealed addresses, lock-out, erasure, retention
and log filtering."""
