"""Javi se: the hotline's own package (storage, cases, text, NLU components, channels)."""
