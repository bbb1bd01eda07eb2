"""Test handlers that the local drivers load by module path, as they load the real functions."""
