"""Who is calling: bearer-token verification against the OIDC issuer's JWKS, and the principal."""
