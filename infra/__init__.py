"""Tooling around the product: the local stack, packaging and deployment."""
