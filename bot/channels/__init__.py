"""Rasa input/output channels of the hotline."""
