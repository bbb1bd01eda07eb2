"""API conventions over HTTP on the local stack, as the mobile app meets them: problem+json for
every error (the gateway's own answers included), bearer tokens from the development provider
verified against its JWKS over HTTP, CORS for the admin site's and the resident web app's origins only."""

from __future__ import annotations

import base64
import json

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec

pytestmark = pytest.mark.stack


def _token(api_url: str, **body) -> str:
    response = requests.post(f"{api_url}/dev/token", json=body, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def _me(api_url: str, token: str | None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{api_url}/v1/me", headers=headers, timeout=10)


def _assert_problem(response: requests.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["detail"] and body["type"].startswith("/problems/")
    return body


def test_a_persona_token_opens_the_profile(local_stack):
    me = _me(local_stack.api_url, _token(local_stack.api_url, persona="resident-satka"))
    assert me.status_code == 200
    body = me.json()
    assert body["territory"]["name"] == "Сатка"
    assert [t["name"] for t in body["territory_chain"]] == ["Сатка", "Саткинский муниципальный район",
                                                           "Челябинская область"]
    assert body["roles"] == ["resident"] and body["display_name"] is None


def test_explicit_claims_mint_any_resident(local_stack):
    token = _token(local_stack.api_url, sub="e2e-any-1", roles=["resident"], territory_id="vr-tsentralny",
                   birth_year=2001, gender="m")
    assert _me(local_stack.api_url, token).json()["territory"]["name"] == "Центральный район"


def test_forged_and_broken_tokens_are_refused_over_http(local_stack):
    api = local_stack.api_url
    good = _token(api, persona="resident-satka")
    header, payload, signature = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["territory_id"] = "go-magnitogorsk"
    tampered = ".".join([header, base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("="),
                         signature])
    kid = jwt.get_unverified_header(good)["kid"]
    foreign = jwt.encode(claims, ec.generate_private_key(ec.SECP256R1()), algorithm="ES256", headers={"kid": kid})
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    for token, code in [(None, "token-missing"), ("garbage", "token-malformed"), (tampered, "token-signature"),
                        (foreign, "token-signature"), (unsigned, "token-algorithm")]:
        body = _assert_problem(_me(api, token), 401)
        assert body["code"] == code, (token, body)


def test_the_territory_tree_is_served(local_stack):
    territories = requests.get(f"{local_stack.api_url}/v1/territories", timeout=10).json()["territories"]
    kinds = [t["kind"] for t in territories]
    assert (kinds.count("region"), kinds.count("urban_district"), kinds.count("municipal_district"),
            kinds.count("intracity_district")) == (1, 16, 27, 7)


def test_unknown_routes_and_bad_bodies_are_problems(local_stack):
    api = local_stack.api_url
    _assert_problem(requests.get(f"{api}/v1/no-such-thing", timeout=10), 403)
    _assert_problem(requests.post(f"{api}/dev/token", data=b"{not json", timeout=10,
                                  headers={"Content-Type": "application/json"}), 400)
    body = _assert_problem(requests.post(f"{api}/dev/token", json={"sub": "x", "shoe_size": 42}, timeout=10), 422)
    assert body["errors"] == [{"field": "shoe_size", "detail": "неизвестное поле"}]
    _assert_problem(requests.post(f"{api}/dev/token", data=b"x" * (70 * 1024), timeout=10,
                                  headers={"Content-Type": "application/json"}), 413)


def test_cors_allows_the_admin_site_and_the_resident_app_only(local_stack):
    """Both web origins of the product (the admin site and the resident web app) and no other: the
    preflight and the answer carry the caller's own origin, and Vary: Origin."""
    def preflight(origin: str) -> requests.Response:
        return requests.options(f"{local_stack.api_url}/v1/me", timeout=10, headers={
            "Origin": origin, "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization"})

    for origin in (local_stack.admin_url, local_stack.resident_url):
        allowed = preflight(origin)
        assert allowed.ok, allowed.text
        assert allowed.headers.get("Access-Control-Allow-Origin") == origin
        assert "authorization" in allowed.headers["Access-Control-Allow-Headers"].lower()
        assert "GET" in allowed.headers["Access-Control-Allow-Methods"]
        assert "Origin" in allowed.headers["Vary"]
        answer = requests.get(f"{local_stack.api_url}/v1/health", headers={"Origin": origin}, timeout=10)
        assert answer.headers.get("Access-Control-Allow-Origin") == origin
        assert "Origin" in answer.headers["Vary"]
    other = preflight("https://evil.example")
    assert "Access-Control-Allow-Origin" not in other.headers
    answer = requests.get(f"{local_stack.api_url}/v1/health", headers={"Origin": "https://evil.example"}, timeout=10)
    assert "Access-Control-Allow-Origin" not in answer.headers
