"""Running the hotline: the process supervisor and the health facts operators read."""
