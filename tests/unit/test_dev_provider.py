"""The development identity provider: its personas, its validation, and tokens our verifier accepts."""

from __future__ import annotations

import jwt
import pytest
from aj74.errors import InvalidInput, Unauthenticated
from aj74.identity.tokens import JwksCache, TokenVerifier
from aj74.territories import territory_tree

from infra.local.dev_identity.provider import (
    AUTHORIZATION_CODE_SECONDS,
    PERSONAS,
    DevIdentityProvider,
    OAuthError,
    s256,
)

ISSUER = "http://127.0.0.1:8000/dev"
AUDIENCE = "aj74-mobile"


@pytest.fixture(scope="module")
def idp() -> DevIdentityProvider:
    return DevIdentityProvider(ISSUER, AUDIENCE)


@pytest.fixture()
def verifier(idp) -> TokenVerifier:
    return TokenVerifier(ISSUER, AUDIENCE, JwksCache(idp.jwks))


def field_errors(request: dict, idp: DevIdentityProvider) -> set[str]:
    with pytest.raises(InvalidInput) as caught:
        idp.claims_for(request)
    assert caught.value.detail
    return {e["field"] for e in caught.value.errors}


# ------------------------------------------------------------------ personas


def test_residents_of_satka_magnitogorsk_and_central_chelyabinsk_exist(idp):
    tree = territory_tree()
    homes = {" → ".join(t.name for t in tree.chain(p["territory_id"]))
             for p in idp.personas() if p["roles"] == ["resident"]}

    assert "Сатка → Саткинский муниципальный район → Челябинская область" in homes
    assert "Магнитогорский городской округ → Челябинская область" in homes
    assert ("Центральный район → Челябинский городской округ с внутригородским делением → "
            "Челябинская область") in homes


def test_moderators_are_scoped_to_satkinsky_district_magnitogorsk_and_chelyabinsk(idp):
    tree = territory_tree()
    scopes = {tree.get(s).name for p in idp.personas() if "moderator" in p["roles"]
              for s in p["scope_territory_ids"]}

    assert scopes == {"Саткинский муниципальный район", "Магнитогорский городской округ",
                      "Челябинский городской округ с внутригородским делением"}


@pytest.mark.parametrize("role", ["approver", "admin", "analyst"])
def test_regional_staff_personas_exist_with_region_wide_scope(idp, role):
    staff = [p for p in idp.personas() if role in p["roles"]]

    assert staff, f"no {role} persona"
    assert all(p["scope_territory_ids"] == [territory_tree().root.id] for p in staff)
    assert all(p["name"] for p in staff)


def test_every_persona_is_valid_and_titled_in_russian(idp):
    for persona in idp.personas():
        claims = idp.claims_for({"persona": persona["persona"]})
        assert claims["sub"] == persona["sub"]
        assert "title" not in claims, "a persona's title is for the sign-in page, not for the token"
        assert any("а" <= ch <= "я" for ch in persona["title"].lower())
        # Explicit claims equal to the persona's pass the same validation.
        assert idp.claims_for(claims) == claims


def test_resident_personas_carry_no_name(idp):
    assert [p["persona"] for p in idp.personas() if p["roles"] == ["resident"] and "name" in p] == []


# ------------------------------------------------------------------ validation


def test_unknown_persona_is_rejected_with_a_field_error(idp):
    assert field_errors({"persona": "governor"}, idp) == {"persona"}


def test_persona_with_extra_attributes_is_rejected(idp):
    with pytest.raises(InvalidInput):
        idp.claims_for({"persona": "resident-satka", "roles": ["admin"]})


def test_unknown_fields_are_rejected_with_one_error_each(idp):
    assert field_errors({"sub": "x", "snils": "123-456-789 00", "phone": "+7"}, idp) == {"snils", "phone"}


@pytest.mark.parametrize("request_body,field", [
    ({"roles": ["resident"]}, "sub"),
    ({"sub": ""}, "sub"),
    ({"sub": "x" * 65}, "sub"),
    ({"sub": 17}, "sub"),
    ({"sub": "x", "roles": ["governor"]}, "roles"),
    ({"sub": "x", "roles": []}, "roles"),
    ({"sub": "x", "roles": "admin"}, "roles"),
    ({"sub": "x", "territory_id": "atlantis"}, "territory_id"),
    ({"sub": "x", "birth_year": 1850}, "birth_year"),
    ({"sub": "x", "birth_year": "1986"}, "birth_year"),
    ({"sub": "x", "birth_year": True}, "birth_year"),
    ({"sub": "x", "gender": "x"}, "gender"),
    ({"sub": "x", "scope_territory_ids": ["atlantis"]}, "scope_territory_ids"),
    ({"sub": "x", "scope_territory_ids": "mr-satkinsky"}, "scope_territory_ids"),
    ({"sub": "x", "name": 5}, "name"),
])
def test_invalid_attribute_is_named_in_the_field_errors(idp, request_body, field):
    assert field_errors(request_body, idp) == {field}


@pytest.mark.parametrize("request_body,field", [
    ({"persona": ["resident-satka"]}, "persona"),
    ({"persona": {"name": "resident-satka"}}, "persona"),
    ({"sub": "x", "territory_id": ["gp-satka"]}, "territory_id"),
    ({"sub": "x", "scope_territory_ids": [["mr-satkinsky"]]}, "scope_territory_ids"),
])
def test_json_arrays_and_objects_where_a_string_belongs_are_field_errors(idp, request_body, field):
    assert field_errors(request_body, idp) == {field}


def test_all_invalid_attributes_are_reported_together(idp):
    errors = field_errors({"sub": "", "roles": ["x"], "territory_id": "nowhere", "gender": "?"}, idp)

    assert errors == {"sub", "roles", "territory_id", "gender"}


def test_explicit_claims_default_to_the_resident_role(idp):
    assert idp.claims_for({"sub": "res-test"})["roles"] == ["resident"]


# ------------------------------------------------------------------ tokens


def test_jwks_lists_both_rotation_keys_and_signs_with_the_newer(idp):
    kids = [k["kid"] for k in idp.jwks()["keys"]]

    assert len(kids) == len(set(kids)) == 2
    assert idp.signing_kid == kids[-1]
    assert all(k["kty"] == "EC" and k["crv"] == "P-256" and "d" not in k for k in idp.jwks()["keys"])


def test_minted_persona_token_passes_the_production_verifier(idp, verifier):
    # Given a token for the Satka moderator
    token = idp.mint(idp.claims_for({"persona": "moderator-satka"}))

    # When the same verifier the API uses checks it
    principal = verifier.verify(token)

    # Then the caller is the moderator, scoped to Саткинский район
    assert principal.subject == PERSONAS["moderator-satka"]["sub"]
    assert principal.roles == frozenset({"moderator"})
    assert principal.scope_territory_ids == ("mr-satkinsky",)
    assert principal.display_name


def test_minted_token_expires(idp):
    token = idp.mint({"sub": "res-test", "roles": ["resident"]}, lifetime=60, now=1_000_000)
    verifier = TokenVerifier(ISSUER, AUDIENCE, JwksCache(idp.jwks), clock=lambda: 1_000_000 + 3600)

    with pytest.raises(Unauthenticated) as caught:
        verifier.verify(token)
    assert caught.value.code == "token-expired"


def test_a_second_provider_cannot_forge_tokens_for_the_first(idp, verifier):
    impostor = DevIdentityProvider(ISSUER, AUDIENCE)  # same kids (dated), different keys

    with pytest.raises(Unauthenticated) as caught:
        verifier.verify(impostor.mint({"sub": "res-test"}))
    assert caught.value.code == "token-signature"


# ------------------------------------------------------------------ authorization code with PKCE

CLIENT = "aj74-admin"
REDIRECT = "http://127.0.0.1:8080/"
VERIFIER = "dBjftJeZ4CVP-mJ92K9Zo0W7LbW0DpbAMU1bDyK8Yh3xT0"


@pytest.fixture()
def oidc() -> DevIdentityProvider:
    return DevIdentityProvider(ISSUER, AUDIENCE, clients={CLIENT: (REDIRECT,)})


def authorize_params(**overrides) -> dict:
    params = {"response_type": "code", "client_id": CLIENT, "redirect_uri": REDIRECT, "scope": "openid",
              "state": "st-123", "nonce": "n-456", "code_challenge": s256(VERIFIER), "code_challenge_method": "S256"}
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def token_form(issued_code: str, **overrides) -> dict:
    form = {"grant_type": "authorization_code", "code": issued_code, "redirect_uri": REDIRECT, "client_id": CLIENT,
            "code_verifier": VERIFIER}
    form.update(overrides)
    return form


def refusal(call) -> OAuthError:
    with pytest.raises(OAuthError) as caught:
        call()
    assert any("а" <= ch <= "я" for ch in caught.value.detail.lower()), "the detail is for a person, in Russian"
    return caught.value


def test_s256_matches_the_rfc_7636_example():
    assert s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_discovery_names_the_endpoints_under_the_issuer(oidc):
    meta = oidc.discovery()

    assert meta["issuer"] == ISSUER
    assert meta["authorization_endpoint"] == f"{ISSUER}/authorize"
    assert meta["token_endpoint"] == f"{ISSUER}/oauth/token"
    assert meta["jwks_uri"] == f"{ISSUER}/jwks.json"
    assert meta["code_challenge_methods_supported"] == ["S256"]


def test_the_code_flow_gives_an_api_token_for_the_persona_and_an_id_token_for_the_client(oidc):
    # Given an authorization request and the moderator of Сатка chosen on the chooser page
    request = oidc.authorization_request(authorize_params())
    code = oidc.issue_code(request, "moderator-satka")

    # When the client exchanges the code with its verifier
    tokens = oidc.exchange_code(token_form(code))

    # Then the access token is the API's, for the moderator; the ID token names the client and the nonce
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] > 0
    principal = TokenVerifier(ISSUER, AUDIENCE, JwksCache(oidc.jwks)).verify(tokens["access_token"])
    assert principal.subject == PERSONAS["moderator-satka"]["sub"]
    assert principal.roles == frozenset({"moderator"})
    id_token = TokenVerifier(ISSUER, CLIENT, JwksCache(oidc.jwks)).verify(tokens["id_token"])
    assert id_token.subject == PERSONAS["moderator-satka"]["sub"]
    assert jwt.decode(tokens["id_token"], options={"verify_signature": False})["nonce"] == "n-456"


def test_a_wrong_verifier_is_refused_and_burns_the_code(oidc):
    code = oidc.issue_code(oidc.authorization_request(authorize_params()), "moderator-satka")

    assert refusal(lambda: oidc.exchange_code(token_form(code, code_verifier="x" * 43))).error == "invalid_grant"
    # The right verifier afterwards does not help: one guess per intercepted code.
    assert refusal(lambda: oidc.exchange_code(token_form(code))).error == "invalid_grant"


def test_a_code_is_single_use(oidc):
    code = oidc.issue_code(oidc.authorization_request(authorize_params()), "moderator-satka")
    oidc.exchange_code(token_form(code))

    assert refusal(lambda: oidc.exchange_code(token_form(code))).error == "invalid_grant"


def test_an_expired_code_is_refused(oidc):
    code = oidc.issue_code(oidc.authorization_request(authorize_params()), "approver", now=1_000_000)

    error = refusal(lambda: oidc.exchange_code(token_form(code), now=1_000_000 + AUTHORIZATION_CODE_SECONDS))
    assert error.error == "invalid_grant"


@pytest.mark.parametrize("field,value", [
    ("redirect_uri", "http://127.0.0.1:8080/other"),
    ("client_id", "someone-else"),
])
def test_a_code_presented_with_another_redirect_uri_or_client_is_refused(oidc, field, value):
    code = oidc.issue_code(oidc.authorization_request(authorize_params()), "moderator-satka")

    assert refusal(lambda: oidc.exchange_code(token_form(code, **{field: value}))).error == "invalid_grant"


@pytest.mark.parametrize("form,error", [
    ({"grant_type": "password"}, "unsupported_grant_type"),
    ({"code": ""}, "invalid_request"),
    ({"code_verifier": "short"}, "invalid_request"),
    ({"code": "never-issued"}, "invalid_grant"),
])
def test_malformed_token_requests_are_refused(oidc, form, error):
    code = oidc.issue_code(oidc.authorization_request(authorize_params()), "moderator-satka")

    assert refusal(lambda: oidc.exchange_code(token_form(code, **form))).error == error


@pytest.mark.parametrize("params", [
    authorize_params(redirect_uri="https://evil.example.com/"),
    authorize_params(redirect_uri="http://127.0.0.1:8080/?next=https://evil.example.com"),
    authorize_params(client_id="unknown"),
    authorize_params(client_id=None),
])
def test_an_unregistered_client_or_redirect_uri_is_refused_without_a_redirect(oidc, params):
    error = refusal(lambda: oidc.authorization_request(params))

    assert error.error == "invalid_request" and error.redirect is False


@pytest.mark.parametrize("params,error", [
    (authorize_params(code_challenge_method="plain", code_challenge=VERIFIER), "invalid_request"),
    (authorize_params(code_challenge_method=None), "invalid_request"),
    (authorize_params(code_challenge="too-short"), "invalid_request"),
    (authorize_params(code_challenge=None), "invalid_request"),
    (authorize_params(state=None), "invalid_request"),
    (authorize_params(response_type="token"), "unsupported_response_type"),
])
def test_plain_pkce_and_other_bad_requests_of_a_known_client_are_refused_through_its_redirect(oidc, params, error):
    refused = refusal(lambda: oidc.authorization_request(params))

    assert refused.error == error and refused.redirect is True


def test_an_unknown_persona_gets_no_code(oidc):
    with pytest.raises(InvalidInput):
        oidc.issue_code(oidc.authorization_request(authorize_params()), "governor")
