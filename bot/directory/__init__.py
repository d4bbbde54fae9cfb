"""The directory of municipalities, schools and responders: its entries and checks, the YAML and
CSV files, the database store, places, duty hours and phone numbers."""
