"""Build the artifacts SAM would deploy, offline: the shared layer and each function's package."""
