// Sign-in with the OIDC authorization-code flow and PKCE (RFC 7636, S256) against the configured
// issuer (Госуслуги 74 in production, the development provider locally — the same code). The
// endpoints come from the issuer's discovery document. The verifier, state and nonce live in
// sessionStorage only for the round trip to the issuer and back; the token never appears in a URL.

import type { AuthConfig } from "./config";

type Oidc = Extract<AuthConfig, { mode: "oidc" }>;
const FLOW_KEY = "aj74.oidc";

const MESSAGES = {
  discoveryFailed: "Не удалось связаться с поставщиком удостоверений. Попробуйте войти ещё раз позже.",
  refused: (error: string) => `Вход отклонён поставщиком удостоверений (${error}). Начните вход заново.`,
  stateMismatch: "Ответ на вход не совпадает с запросом. Начните вход заново.",
  noToken: "Не удалось завершить вход: поставщик удостоверений не выдал токен. Начните вход заново.",
  badIdToken: "Поставщик удостоверений вернул токен для другого входа. Начните вход заново.",
};

export function base64url(bytes: ArrayBuffer | Uint8Array): string {
  let binary = "";
  for (const b of new Uint8Array(bytes)) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// 32 random bytes → a 43-character verifier from the unreserved alphabet.
export function randomVerifier(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function challengeS256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(digest);
}

function issuerOf(auth: Oidc): string {
  return auth.issuer.replace(/\/+$/, "");
}

// OpenID Connect Discovery 1.0: the metadata must name the issuer we were configured with (§4.3),
// or a document from elsewhere could send the code to a token endpoint of its choosing.
async function discover(auth: Oidc): Promise<{ authorize: string; token: string }> {
  const issuer = issuerOf(auth);
  const response = await fetch(`${issuer}/.well-known/openid-configuration`, {
    credentials: "omit",
    cache: "no-store",
  }).catch(() => null);
  const meta: Record<string, unknown> | null = response && response.ok ? await response.json().catch(() => null) : null;
  if (
    !meta ||
    meta.issuer !== issuer ||
    typeof meta.authorization_endpoint !== "string" ||
    typeof meta.token_endpoint !== "string"
  ) {
    throw new Error(MESSAGES.discoveryFailed);
  }
  return { authorize: meta.authorization_endpoint as string, token: meta.token_endpoint as string };
}

function decodeJwtPayload(token: string): Record<string, unknown> | null {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0)));
    return JSON.parse(json);
  } catch {
    return null;
  }
}

// Builds the authorization URL and remembers state, nonce and verifier for the return.
export async function authorizationUrl(auth: Oidc): Promise<string> {
  const { authorize } = await discover(auth);
  const verifier = randomVerifier();
  const state = randomVerifier();
  const nonce = randomVerifier();
  sessionStorage.setItem(FLOW_KEY, JSON.stringify({ verifier, state, nonce }));
  const url = new URL(authorize);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: auth.client_id,
    redirect_uri: auth.redirect_uri,
    scope: "openid",
    state,
    nonce,
    code_challenge: await challengeS256(verifier),
    code_challenge_method: "S256",
  }).toString();
  return url.toString();
}

// On the redirect back: checks state, exchanges the code for tokens, checks the ID token is for
// this client and this sign-in (its signature need not be checked: it came straight from the token
// endpoint over TLS, OIDC Core §3.1.3.7; the API verifies the access token's signature itself).
// Returns { token, name }. The flow is forgotten first, so a callback works at most once.
export async function completeSignIn(auth: Oidc, search: string): Promise<{ token: string; name: string }> {
  const params = new URLSearchParams(search);
  const flow = JSON.parse(sessionStorage.getItem(FLOW_KEY) || "null");
  sessionStorage.removeItem(FLOW_KEY);
  if (!flow || !params.get("state") || params.get("state") !== flow.state) {
    throw new Error(MESSAGES.stateMismatch);
  }
  if (params.get("error")) {
    throw new Error(MESSAGES.refused(params.get("error") ?? ""));
  }
  const { token: tokenEndpoint } = await discover(auth);
  const response = await fetch(tokenEndpoint, {
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
    throw new Error(MESSAGES.noToken);
  }
  const idToken = typeof data.id_token === "string" ? decodeJwtPayload(data.id_token) : null;
  const audiences = idToken ? ([] as unknown[]).concat(idToken.aud) : [];
  if (
    !idToken ||
    idToken.iss !== issuerOf(auth) ||
    !audiences.includes(auth.client_id) ||
    idToken.nonce !== flow.nonce
  ) {
    throw new Error(MESSAGES.badIdToken);
  }
  return { token: data.access_token, name: typeof idToken.name === "string" ? idToken.name : "" };
}
