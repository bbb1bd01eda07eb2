// Sign-in with the OIDC authorization-code flow and PKCE (RFC 7636, S256) against the configured
// issuer (Госуслуги 74 in production). The verifier and state live in sessionStorage only for the
// round trip to the issuer and back; the token never appears in a URL.

const FLOW_KEY = "aj74.admin.oidc";

export function base64url(bytes) {
  let binary = "";
  for (const b of new Uint8Array(bytes)) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// 32 random bytes → a 43-character verifier from the unreserved alphabet.
export function randomVerifier() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function challengeS256(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(digest);
}

function endpoints(auth) {
  const issuer = auth.issuer.replace(/\/+$/, "");
  return {
    authorize: auth.authorization_endpoint || `${issuer}/authorize`,
    token: auth.token_endpoint || `${issuer}/oauth/token`,
  };
}

// Builds the authorization URL and remembers state and verifier for the return.
export async function authorizationUrl(auth) {
  const verifier = randomVerifier();
  const state = randomVerifier();
  sessionStorage.setItem(FLOW_KEY, JSON.stringify({ verifier, state }));
  const url = new URL(endpoints(auth).authorize);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: auth.client_id,
    redirect_uri: auth.redirect_uri,
    scope: "openid",
    state,
    code_challenge: await challengeS256(verifier),
    code_challenge_method: "S256",
  }).toString();
  return url.toString();
}

// On the redirect back: checks state, exchanges the code for tokens. Returns the access token.
export async function completeSignIn(auth, search) {
  const params = new URLSearchParams(search);
  const flow = JSON.parse(sessionStorage.getItem(FLOW_KEY) || "null");
  sessionStorage.removeItem(FLOW_KEY);
  if (params.get("error")) {
    throw new Error(`Вход отклонён поставщиком удостоверений (${params.get("error")}).`);
  }
  if (!flow || !params.get("state") || params.get("state") !== flow.state) {
    throw new Error("Ответ на вход не совпадает с запросом. Начните вход заново.");
  }
  const response = await fetch(endpoints(auth).token, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: params.get("code") || "",
      redirect_uri: auth.redirect_uri,
      client_id: auth.client_id,
      code_verifier: flow.verifier,
    }).toString(),
    credentials: "omit",
    cache: "no-store",
  }).catch(() => null);
  const data = response ? await response.json().catch(() => null) : null;
  if (!response || !response.ok || !data || typeof data.access_token !== "string") {
    throw new Error("Не удалось завершить вход: поставщик удостоверений не выдал токен.");
  }
  return data.access_token;
}
