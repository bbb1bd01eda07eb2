"""HTTP concerns shared by the Chalice app: problem responses, body parsing, authentication."""
