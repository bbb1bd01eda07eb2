"""Chalice blueprints, one per area of the API. Views are wiring: parse, call the domain, answer."""
